"""Seeding for the map benchmarks: a project whose buildings have footprints on a grid in Xi'an,
milestones at varied progress (so every phase appears), flats, and a leader who sees it all.

Import after common.setup_django(): this module uses the Django models. For speed, buildings,
flats and milestone values are written in bulk (no history rows); milestone rows, progress and
current stage come from the progress services.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from resettlement.accounts.models import Role, User
from resettlement.housing.codes import flat_code, natural_sort_key, room_number
from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.progress.models import BuildingMilestone, ProjectMilestone
from resettlement.progress.services import (
    building_milestones_create,
    buildings_progress_refresh,
)
from resettlement.progress.setup import project_create
from resettlement.projects.models import District, Project, StreetOffice, Village

# The grid: footprints of about 30 m × 15 m in WGS84, 50 to a row, around Xi'an.
ORIGIN = (108.95, 34.22)  # longitude, latitude
WIDTH, DEPTH = 0.00033, 0.000135
STEP_X, STEP_Y = 0.0006, 0.0004
COLUMNS = 50
STAIRWELLS, POSITIONS = 2, 2  # flats per floor: 4; floors 16-24 average 80 flats a building
SELECTED_SHARE = 0.05


def footprint(index: int) -> dict:
    """Building `index`'s footprint: a closed GeoJSON Polygon ring, [longitude, latitude]."""
    west = round(ORIGIN[0] + (index % COLUMNS) * STEP_X, 7)
    south = round(ORIGIN[1] + (index // COLUMNS) * STEP_Y, 7)
    east, north = round(west + WIDTH, 7), round(south + DEPTH, 7)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def project(code: str = "BENCH", name: str = "基准项目", villages: int = 4) -> Project:
    """A project with its villages and the default 19-node milestone template."""
    district, _created = District.objects.get_or_create(code="610113", defaults={"name": "雁塔区"})
    office = StreetOffice.objects.create(district=district, code=code, name=f"{name}街道")
    members = [
        Village.objects.create(street_office=office, code=f"{code}-V{i}", name=f"{name}{i}村")
        for i in range(villages)
    ]
    return project_create(code=code, name=name, street_office=office, villages=members)


def buildings_add(
    project: Project, count: int, *, start: int = 0, footprints: bool = True
) -> list[Building]:
    """Buildings "<start+1>#" onwards; with footprints (and a centre point) at their grid
    places, or with no geometry at all."""
    villages = list(project.villages.order_by("code"))
    buildings = []
    for index in range(start, start + count):
        code = f"{index + 1}#"
        shape = footprint(index) if footprints else None
        corner = shape["coordinates"][0][0] if shape else None
        buildings.append(
            Building(
                project=project,
                village=villages[index % len(villages)] if villages else None,
                code=code,
                sort_key=natural_sort_key(code),
                floors=16 + index % 9,
                stairwells=STAIRWELLS,
                contractor="示例建设公司",
                planned_delivery_date=datetime.date(2027, 6, 30),
                longitude=Decimal(f"{corner[0] + WIDTH / 2:.6f}") if corner else None,
                latitude=Decimal(f"{corner[1] + DEPTH / 2:.6f}") if corner else None,
                footprint=shape,
            )
        )
    return Building.objects.bulk_create(buildings, batch_size=500)


def flats_add(buildings: list[Building], *, seed: int = 7) -> int:
    """Every floor of each building: STAIRWELLS × POSITIONS flats; about 5% selected."""
    chance = random.Random(seed)
    flats = [
        Flat(
            building=building,
            stairwell=stairwell,
            floor=floor,
            position=position,
            room=room_number(floor, position),
            code=flat_code(building.code, stairwell, room_number(floor, position)),
            layout="两室两厅" if position == 1 else "三室两厅",
            gross_area=Decimal("89.50") if position == 1 else Decimal("118.20"),
            status=(
                FlatStatus.SELECTED if chance.random() < SELECTED_SHARE else FlatStatus.AVAILABLE
            ),
        )
        for building in buildings
        for stairwell in range(1, STAIRWELLS + 1)
        for floor in range(1, building.floors + 1)
        for position in range(1, POSITIONS + 1)
    ]
    Flat.objects.bulk_create(flats, batch_size=2000)
    return len(flats)


def progress_vary(buildings: list[Building]) -> None:
    """Milestones for each building, then the i-th building has completed its first i % 20
    nodes in order (19 is all of them: delivered); every other one is halfway through its next
    node, and every tenth is behind that node's planned finish. Actual dates are in the past.

    The values are what building_milestones_record would accept, but are written with one
    UPDATE per node and state (no history rows): through the service, 2,000 buildings take a
    minute to seed. Progress and current stage are then derived by the progress service.
    """
    building_milestones_create(buildings=buildings)
    today = timezone.localdate()
    base = today - datetime.timedelta(days=720)
    for project_id in {building.project_id for building in buildings}:
        indexed = [(i, b.pk) for i, b in enumerate(buildings) if b.project_id == project_id]
        template = ProjectMilestone.objects.filter(project_id=project_id).order_by("sequence")
        for position, type_id in enumerate(template.values_list("milestone_type_id", flat=True)):
            nodes = BuildingMilestone.objects.filter(milestone_type_id=type_id)
            start = base + datetime.timedelta(days=30 * position)
            complete = [pk for i, pk in indexed if i % 20 > position]
            nodes.filter(building_id__in=complete).update(
                percent=100, actual_start=start, actual_finish=start + datetime.timedelta(days=25)
            )
            halfway = [pk for i, pk in indexed if i % 20 == position and i % 2]
            nodes.filter(building_id__in=halfway).update(percent=50, actual_start=start)
            late = [pk for i, pk in indexed if i % 20 == position and i % 10 == 5]
            nodes.filter(building_id__in=late).update(
                planned_finish=today - datetime.timedelta(days=30)
            )
    buildings_progress_refresh(buildings=Building.objects.filter(pk__in=[b.pk for b in buildings]))


def buildings_seed(project: Project, count: int, *, start: int = 0) -> list[Building]:
    """Buildings with footprints, flats and varied progress."""
    buildings = buildings_add(project, count, start=start)
    flats_add(buildings)
    progress_vary(buildings)
    return buildings


def leader(username: str = "bench-leader", password: str | None = None) -> User:
    """A user in the leadership group, who sees every project."""
    user = User.objects.create_user(username, password=password)
    user.groups.add(Group.objects.get(name=Role.LEADER))
    return user
