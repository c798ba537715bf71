"""Writes to buildings and flats."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.housing.codes import flat_code, normalize_building_code, room_number
from resettlement.housing.models import Building, Flat
from resettlement.housing.validation import FlatData, flat_conflicts
from resettlement.progress.services import building_milestones_create, buildings_progress_refresh
from resettlement.projects.models import Project, Village

ERROR_BUILDING_EXISTS = _("Building %(code)s already exists in this project.")
ERROR_VILLAGE_NOT_IN_PROJECT = _("The village is not one of this project's villages.")
ERROR_FLOOR_SPAN = _("Floors must run from 1 to %(floors)s, first floor not above the last.")
ERROR_NO_POSITIONS = _("Give at least one flat position per floor.")
ERROR_POSITION_REPEATED = _("Position %(position)s is given twice.")
ERROR_SURVEYED_AREA = _("Flat %(code)s: the surveyed area must be positive.")


def building_create(
    *,
    project: Project,
    code: str,
    floors: int,
    stairwells: int,
    village: Village | None = None,
    contractor: str = "",
    planned_delivery_date: datetime.date | None = None,
    longitude: Decimal | None = None,
    latitude: Decimal | None = None,
    footprint: dict | None = None,
    by: User | None = None,
) -> Building:
    """A building with one milestone node per entry of its project's template."""
    code = normalize_building_code(code)
    if Building.objects.filter(project=project, code=code).exists():
        raise ValidationError({"code": ERROR_BUILDING_EXISTS % {"code": code}})
    if village is not None and not project.villages.filter(pk=village.pk).exists():
        raise ValidationError({"village": ERROR_VILLAGE_NOT_IN_PROJECT})
    building = Building(
        project=project,
        code=code,
        floors=floors,
        stairwells=stairwells,
        village=village,
        contractor=contractor,
        planned_delivery_date=planned_delivery_date,
        longitude=longitude,
        latitude=latitude,
        footprint=footprint,
    )
    building.full_clean(validate_unique=False)
    history_author_set(building, by=by)
    with transaction.atomic():
        building.save()
        building_milestones_create(buildings=[building], by=by)
        buildings_progress_refresh(buildings=[building])
    return building


def flats_create(
    *, records: Sequence[FlatData], by: User | None = None, reason: str = ""
) -> list[Flat]:
    """Store cleaned, conflict-free flat records in one transaction."""
    flats = [Flat(**record.model_fields()) for record in records]
    with transaction.atomic():
        created = bulk_create_with_history(
            flats, Flat, batch_size=500, default_user=by, default_change_reason=reason or None
        )
        Building.objects.filter(pk__in={record.building.pk for record in records}).touch()
    return created


def flats_record_surveyed_areas(
    *, areas: Mapping[Flat, Decimal], by: User | None = None, reason: str = ""
) -> None:
    """Record surveyed areas (实测面积) for many flats at once."""
    for flat, area in areas.items():
        if area <= 0:
            raise ValidationError(ERROR_SURVEYED_AREA, params={"code": flat.code})
        flat.surveyed_area = area
    with transaction.atomic():
        bulk_update_with_history(
            list(areas),
            Flat,
            ["surveyed_area"],
            batch_size=500,
            default_user=by,
            default_change_reason=reason or None,
        )


@dataclass(frozen=True)
class FlatPosition:
    """What every floor repeats: position 1 is a 户型 A of 89.5 m², position 2 ..."""

    position: int
    layout: str
    gross_area: Decimal


def flats_generate(
    *,
    building: Building,
    positions: Sequence[FlatPosition],
    first_floor: int = 1,
    last_floor: int | None = None,
    by: User | None = None,
) -> list[Flat]:
    """Every stairwell × floor × position of a building's spec, atomically, or nothing."""
    last_floor = building.floors if last_floor is None else last_floor
    if not 1 <= first_floor <= last_floor <= building.floors:
        raise ValidationError(ERROR_FLOOR_SPAN, params={"floors": building.floors})
    if not positions:
        raise ValidationError(ERROR_NO_POSITIONS)
    numbers = [spec.position for spec in positions]
    for number in numbers:
        if numbers.count(number) > 1:
            raise ValidationError(ERROR_POSITION_REPEATED, params={"position": number})
    records = [
        FlatData(
            building=building,
            stairwell=stairwell,
            floor=floor,
            position=spec.position,
            room=room_number(floor, spec.position),
            code=flat_code(building.code, stairwell, room_number(floor, spec.position)),
            layout=spec.layout,
            gross_area=spec.gross_area,
        )
        for stairwell in range(1, building.stairwells + 1)
        for floor in range(first_floor, last_floor + 1)
        for spec in positions
    ]
    conflicts = flat_conflicts(records)
    if conflicts:
        first = next(iter(conflicts.values()))
        raise ValidationError(first["room"])
    return flats_create(records=records, by=by, reason=gettext("generated from the building spec"))
