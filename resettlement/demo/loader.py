"""Building the demo dataset through the same services staff use.

`demo_load` is idempotent: organisations, villages and users are matched by code or username,
and a project that already exists is left as it is.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from resettlement.demo import handover, scenario, selection_day
from resettlement.demo.history import history_as_lived
from resettlement.demo.people import PeopleFactory
from resettlement.households.models import CompensationMode, Relation
from resettlement.households.services import households_create, selection_order_from_signing
from resettlement.households.validation import HouseholdData, MemberData
from resettlement.housing.models import Building, Flat
from resettlement.housing.services import (
    FlatPosition,
    flats_generate,
    flats_record_surveyed_areas,
)
from resettlement.progress.models import BuildingMilestone
from resettlement.progress.services import building_milestones_record
from resettlement.progress.setup import building_create, project_create
from resettlement.projects.entitlement import entitled_area_for
from resettlement.projects.models import District, Project, StreetOffice, Village

LON_STEP, LAT_STEP = 0.0007, 0.0005  # ≈65 m and ≈55 m at Xi'an's latitude
FOOTPRINTS = {  # half-width and half-depth in degrees
    scenario.TOWER: (0.00017, 0.00009),
    scenario.SLAB: (0.00033, 0.00006),
    scenario.MIDRISE: (0.00030, 0.00006),
}
CENT = Decimal("0.01")


def demo_load(*, today: datetime.date | None = None) -> list[str]:
    """Create whatever of the demo is missing; return a line per thing done."""
    today = today or timezone.localdate()
    done = []
    with transaction.atomic():
        offices, villages = _places()
        created = []
        for number, spec in enumerate(scenario.PROJECTS):
            if Project.objects.filter(code=spec.code).exists():
                done.append(f"{spec.code}: already present, left unchanged")
                continue
            project = _project(spec, offices, villages, today, seed=2024 + number)
            history_as_lived(project)
            created.append((project, spec, 2024 + number))
            done.append(
                f"{spec.code} {spec.name}: {project.buildings.count()} buildings, "
                f"{Flat.objects.for_project(project).count()} flats, "
                f"{project.households.count()} households"
            )
        _users()
        for project, spec, seed in created:
            _selection(project, spec, today, seed=seed)
    if created:
        # Thousands of rows just written: the planner's statistics, before the first request
        # (autovacuum gets there too, later; until then lists sorted by hand, not by index).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return done


def _places() -> tuple[dict[str, StreetOffice], dict[str, Village]]:
    district, _ = District.objects.get_or_create(
        code=scenario.DISTRICT[0], defaults={"name": scenario.DISTRICT[1]}
    )
    offices = {
        code: StreetOffice.objects.get_or_create(
            code=code, defaults={"name": name, "district": district}
        )[0]
        for code, name in scenario.STREET_OFFICES
    }
    villages = {
        code: Village.objects.get_or_create(
            code=code, defaults={"name": name, "street_office": offices[office], "kind": kind}
        )[0]
        for code, name, office, kind in scenario.VILLAGES
    }
    return offices, villages


def _project(spec, offices, villages, today, *, seed: int) -> Project:
    rng = random.Random(seed)
    project = project_create(
        code=spec.code,
        name=spec.name,
        street_office=offices[spec.street_office],
        villages=[villages[code] for code in spec.villages],
        description=spec.description,
        entitlement_basis=spec.entitlement_basis,
        per_capita_area=spec.per_capita_area,
        area_ratio=spec.area_ratio,
        shortfall_refund_price=spec.shortfall_refund_price,
        price_tiers=spec.price_tiers,
    )
    buildings = _buildings(project, spec, villages)
    _milestones(project, spec, buildings, today, rng)
    if spec.clusters[0].stage == "done":
        _surveyed_areas(project, rng)
    _households(project, spec, villages, today, seed)
    if spec.order_by_signing:
        selection_order_from_signing(project=project)
    _village_boundaries(spec, villages)
    return project


def _selection(project: Project, spec, today, *, seed: int) -> None:
    """After the users exist (each lottery and selection step is recorded with its user)."""
    if spec.order_by_signing:
        selection_day.demo_selection_day(project, today=today, seed=seed)
        handover.demo_handover(project, today=today, seed=seed)
    else:
        lottery = selection_day.demo_lottery(project, today=today)
        selection_day.demo_planned_event(project, lottery, min(spec.planned_delivery.values()))


def _buildings(project, spec, villages) -> dict[Building, scenario.Cluster]:
    buildings = {}
    for cluster in spec.clusters:
        half_width, half_depth = FOOTPRINTS[cluster.building_type]
        for index, number in enumerate(cluster.codes):
            lon = cluster.origin[0] + (index % cluster.columns) * LON_STEP
            lat = cluster.origin[1] + (index // cluster.columns) * LAT_STEP
            building = building_create(
                project=project,
                code=f"{number}#",
                floors=cluster.building_type.floors,
                stairwells=cluster.building_type.stairwells,
                village=villages[cluster.village],
                contractor=cluster.contractor,
                planned_delivery_date=spec.planned_delivery[cluster.stage],
                longitude=Decimal(f"{lon:.6f}"),
                latitude=Decimal(f"{lat:.6f}"),
                footprint=_rectangle(lon, lat, half_width, half_depth),
            )
            positions = [
                FlatPosition(position=p, layout=layout, gross_area=area)
                for p, layout, area in cluster.building_type.positions
            ]
            flats_generate(building=building, positions=positions)
            buildings[building] = cluster
    return buildings


def _rectangle(lon: float, lat: float, half_width: float, half_depth: float) -> dict:
    ring = [
        [round(lon - half_width, 6), round(lat - half_depth, 6)],
        [round(lon + half_width, 6), round(lat - half_depth, 6)],
        [round(lon + half_width, 6), round(lat + half_depth, 6)],
        [round(lon - half_width, 6), round(lat + half_depth, 6)],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _milestones(project, spec, buildings, today, rng) -> None:
    """Planned dates spread by node weight, piecewise: from the start of works to the first open
    node's planned finish (near today, per the stage), then on to the planned delivery. Actual
    dates of finished nodes fall near the plan (before it for a project ahead of schedule)."""
    template = sorted(
        project.milestone_template.select_related("milestone_type"), key=lambda n: n.sequence
    )
    by_key = {
        (milestone.building_id, milestone.milestone_type_id): milestone
        for milestone in BuildingMilestone.objects.filter(building__in=list(buildings))
    }
    changes = []
    for building, cluster in buildings.items():
        stage = scenario.STAGES[cluster.stage]
        percents = [
            rng.randint(*stage.percents.get(node.milestone_type.code, (0, 0))) for node in template
        ]
        start = spec.construction_start + datetime.timedelta(days=rng.randint(0, 60))
        pivot_date = today + datetime.timedelta(
            days=stage.current_finish_in_days + rng.randint(-10, 10)
        )
        schedule = _schedule(
            template, percents, start, pivot_date, spec.planned_delivery[cluster.stage]
        )
        previous_finish = start
        for node, percent, (planned_start, planned_finish) in zip(
            template, percents, schedule, strict=True
        ):
            values = {
                "planned_start": planned_start,
                "planned_finish": planned_finish,
                "percent": percent,
            }
            if percent:
                shift = _jitter(rng, ahead=stage.ahead_of_plan)
                actual_start = min(max(previous_finish, planned_start + shift), today)
                values["actual_start"] = actual_start
                if percent == 100:
                    finish = max(
                        actual_start, planned_finish + _jitter(rng, ahead=stage.ahead_of_plan)
                    )
                    values["actual_finish"] = previous_finish = min(finish, today)
            changes.append((by_key[(building.pk, node.milestone_type_id)], values))
    building_milestones_record(changes=changes, reason=gettext("demo data"))


def _schedule(template, percents, start, pivot_date, delivery):
    """(planned start, planned finish) per node; the first open node finishes at pivot_date."""
    weights = [node.weight for node in template]
    current = next((i for i, percent in enumerate(percents) if percent < 100), len(template) - 1)
    pivot_weight = sum(weights[: current + 1])
    total = sum(weights)

    def date_at(cumulative) -> datetime.date:
        if cumulative <= pivot_weight:
            span, base, offset = (pivot_date - start).days, start, cumulative / pivot_weight
        else:
            span, base = (delivery - pivot_date).days, pivot_date
            offset = (cumulative - pivot_weight) / (total - pivot_weight)
        return base + datetime.timedelta(days=int(span * offset))

    schedule, cumulative = [], Decimal(0)
    for weight in weights:
        planned_start = date_at(cumulative)
        cumulative += weight
        schedule.append((planned_start, date_at(cumulative)))
    return schedule


def _jitter(rng, *, ahead: bool = False) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(-45, -5) if ahead else rng.randint(-15, 30))


def _surveyed_areas(project, rng) -> None:
    flats = Flat.objects.for_project(project)
    areas = {
        flat: (flat.gross_area + Decimal(rng.randint(-120, 80)) / 100).quantize(CENT)
        for flat in flats
    }
    flats_record_surveyed_areas(areas=areas, reason=gettext("demo data"))


def _households(project, spec, villages, today, seed) -> None:
    people = PeopleFactory(seed=seed)
    rng = people.random
    shares = [(villages[c.village], len(c.codes)) for c in spec.clusters]
    village_pool = [village for village, weight in shares for _ in range(weight)]
    span = (spec.signed_until - spec.signed_from).days
    records = []
    for number in range(1, spec.households + 1):
        village = rng.choice(village_pool)
        male = rng.random() < 0.7
        born = people.birth_date(min_age=30, max_age=88, today=today)
        members = _members(people, rng, today, head_born=born)
        persons = 1 + sum(1 for member in members if member.recognised)
        original = Decimal(rng.randint(6000, 42000 if spec.code == "QLS" else 19000)) / 100
        cash = rng.random() < 0.04
        signed = rng.random() >= spec.unsigned_share
        entitled = (
            Decimal("0.00")
            if cash
            else entitled_area_for(project, recognised_persons=persons, original_area=original)
        )
        records.append(
            HouseholdData(
                agreement_no=f"{spec.code}-{village.code}-{number:04d}",
                village=village,
                head_name=people.name(male=male),
                head_id_number=people.id_number(born=born, male=male),
                phone=people.phone(),
                recognised_persons=persons,
                original_area=original,
                entitled_area=entitled,
                compensation_mode=CompensationMode.CASH if cash else CompensationMode.PROPERTY_SWAP,
                signed_on=(
                    spec.signed_from + datetime.timedelta(days=rng.randint(0, span))
                    if signed
                    else None
                ),
                elderly=(today.year - born.year) >= 70,
                disabled=rng.random() < 0.03,
                hardship=rng.random() < 0.04,
                note="",
                members=tuple(members),
            )
        )
    households_create(project=project, records=records, reason=gettext("demo data"))


def _members(people, rng, today, *, head_born) -> list[MemberData]:
    members = []
    head_age = today.year - head_born.year
    if rng.random() < 0.85:
        born = people.birth_date(min_age=max(head_age - 8, 25), max_age=head_age + 3, today=today)
        members.append(_member(people, Relation.SPOUSE, born, male=False))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        age = max(head_age - 28, 1)
        born = people.birth_date(min_age=max(age - 6, 1), max_age=age + 6, today=today)
        members.append(_member(people, Relation.CHILD, born, male=rng.random() < 0.5))
    if head_age >= 55 and rng.random() < 0.3:
        born = people.birth_date(min_age=1, max_age=12, today=today)
        members.append(_member(people, Relation.GRANDCHILD, born, male=rng.random() < 0.5))
    if members and rng.random() < 0.08:
        # A member living elsewhere, listed but not recognised for resettlement.
        last = members[-1]
        members[-1] = MemberData(last.name, last.relation, last.id_number, recognised=False)
    return members


def _member(people, relation, born, *, male) -> MemberData:
    return MemberData(
        name=people.name(male=male),
        relation=relation,
        id_number=people.id_number(born=born, male=male),
        recognised=True,
    )


def _village_boundaries(spec, villages) -> None:
    """An outline around each village's buildings, for the map."""
    margin_lon, margin_lat = 0.0006, 0.0005
    for cluster in spec.clusters:
        village = villages[cluster.village]
        if village.boundary:
            continue
        rows = (len(cluster.codes) + cluster.columns - 1) // cluster.columns
        west, south = cluster.origin[0] - margin_lon, cluster.origin[1] - margin_lat
        east = cluster.origin[0] + (cluster.columns - 1) * LON_STEP + margin_lon
        north = cluster.origin[1] + (rows - 1) * LAT_STEP + margin_lat
        ring = [
            [round(x, 6), round(y, 6)]
            for x, y in ((west, south), (east, south), (east, north), (west, north))
        ]
        village.boundary = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
        village.full_clean()
        village.save(update_fields=["boundary"])


def _users() -> None:
    User = get_user_model()
    for username, full_name, role, project_codes in scenario.USERS:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"display_name": full_name}
        )
        user.display_name = full_name
        user.is_staff = role == "管理员"
        user.set_password(scenario.DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        user.projects.set(Project.objects.filter(code__in=project_codes))
