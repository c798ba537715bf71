"""Seeding for the selection-day benchmarks (lottery, confirmation, board): a project with price
rules, many signed households, buildings of flats, a published lottery and an open event.

Import after common.setup_django(): this module uses the Django models. For speed, households
and buildings are written in bulk (no history rows, no milestones: nothing measured here reads
them); flats come from the housing service (flats_generate), lotteries and events from their
services, as tests/selection_fixtures.py builds a small selection day.
"""

import datetime
from decimal import Decimal

from resettlement.demo.people import PeopleFactory
from resettlement.households.models import Household, HouseholdStatus
from resettlement.housing.codes import natural_sort_key
from resettlement.housing.models import Building
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.lottery import lifecycle as lottery_lifecycle
from resettlement.lottery import services as lottery_services
from resettlement.lottery.models import Lottery, LotteryMode
from resettlement.progress.setup import project_create
from resettlement.projects.models import District, Project, StreetOffice, Village
from resettlement.selection.lifecycle import event_open
from resettlement.selection.lotteries import lottery_publish
from resettlement.selection.models import SelectionEvent
from resettlement.selection.services import event_create

D = Decimal
# As tests/selection_fixtures.py: both layouts fit an entitlement of 100 m² (the excess allowed
# is the highest price tier, 30 m²; area below the entitlement is refunded).
ENTITLED_AREA = D("100.00")
POSITIONS = [FlatPosition(1, "A", D("80.50")), FlatPosition(2, "B", D("96.35"))]
# Synthetic publicity period and objection contact (publication needs them).
NOTICE_DETAILS = {
    "publicity_starts_on": datetime.date(2025, 5, 21),
    "publicity_ends_on": datetime.date(2025, 5, 27),
    "objection_contact": "街道办回迁安置工作专班",
    "objection_channel": "街道办二楼 206 室",
    "objection_until": datetime.date(2025, 5, 27),
}
WITNESSES = [("李公证", "公证员", "西安市雁塔公证处")]
PUBLIC_INPUT = "07 21 33 48"


def project(code: str = "BENCH", villages: int = 4) -> Project:
    """A project through the real service, with its villages and price rules."""
    district, _created = District.objects.get_or_create(code="610113", defaults={"name": "雁塔区"})
    office = StreetOffice.objects.create(district=district, code=code, name="基准街道")
    members = [
        Village.objects.create(street_office=office, code=f"{code}-V{i}", name=f"基准{i}村")
        for i in range(villages)
    ]
    return project_create(
        code=code,
        name="基准项目",
        street_office=office,
        villages=members,
        price_tiers=[(D(15), D(4200)), (D(30), D(6300))],
        shortfall_refund_price=D(4000),
    )


def households_add(project: Project, count: int, *, entitled_area: Decimal = ENTITLED_AREA) -> int:
    """`count` signed households: unique agreement numbers (HT-000001...), checksum-valid
    synthetic ID numbers, fictitious mobile numbers (130-00xx-xxxx), every 7th elderly (so a
    lottery by flags has two priority groups)."""
    villages = list(project.villages.order_by("code"))
    people = PeopleFactory(seed=5)
    today = datetime.date(2026, 1, 1)
    rows = [
        Household(
            project=project,
            village=villages[n % len(villages)],
            agreement_no=f"HT-{n + 1:06d}",
            head_name=people.name(male=True),
            head_id_number=people.id_number(
                born=people.birth_date(min_age=30, max_age=85, today=today), male=True
            ),
            phone=f"13000{n:06d}",
            recognised_persons=3,
            original_area=entitled_area,
            entitled_area=entitled_area,
            signed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n % 1000),
            elderly=n % 7 == 0,
            status=HouseholdStatus.SIGNED,
        )
        for n in range(count)
    ]
    Household.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def buildings_add(project: Project, count: int, *, floors: int, stairwells: int = 2) -> list:
    """Buildings "1#"... (bulk), each with stairwells × floors × POSITIONS flats (service)."""
    buildings = Building.objects.bulk_create(
        [
            Building(
                project=project,
                code=f"{n}#",
                sort_key=natural_sort_key(f"{n}#"),
                floors=floors,
                stairwells=stairwells,
            )
            for n in range(1, count + 1)
        ]
    )
    for building in buildings:
        flats_generate(building=building, positions=POSITIONS)
    return buildings


def published_lottery(project: Project, *, by=None) -> Lottery:
    """A lottery of mode order over every household, drawn and published (the services)."""
    lottery = lottery_services.lottery_create(
        project=project, name="第一批摇号", mode=LotteryMode.ORDER, by=by, **NOTICE_DETAILS
    )
    lottery_services.roster_build(lottery=lottery, by=by)
    lottery_lifecycle.lottery_freeze(lottery=lottery, by=by)
    lottery_lifecycle.lottery_draw(
        lottery=lottery, public_input=PUBLIC_INPUT, witnesses=WITNESSES, by=by
    )
    return lottery_publish(lottery=lottery, by=by)


def open_event(
    project: Project, buildings, *, desks: int, lottery: Lottery | None = None, by=None
) -> SelectionEvent:
    """An open event over these buildings: queued by the lottery, or by signing order."""
    event = event_create(
        project=project,
        name="回迁选房日",
        starts_on=datetime.date(2026, 6, 1),
        ends_on=datetime.date(2026, 6, 2),
        queue_source="lottery" if lottery else "signing",
        lottery=lottery,
        buildings=buildings,
        desks=desks,
        by=by,
    )
    return event_open(event=event, by=by)
