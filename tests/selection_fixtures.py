"""A small selection day: one project, two buildings of flats, households on a published
lottery, an event with desks (imported by the selection and lottery tests)."""

import datetime
from decimal import Decimal

from resettlement.demo.scenario import ZHANGHUZHAI
from resettlement.households.models import HouseholdStatus
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.lottery.lifecycle import lottery_draw, lottery_freeze
from resettlement.lottery.models import DrawMethod, LotteryMode
from resettlement.lottery.services import lottery_create, roster_build
from resettlement.selection.lifecycle import event_open
from resettlement.selection.lotteries import lottery_publish
from resettlement.selection.services import event_create
from tests.factories import HouseholdFactory, make_building, make_project

D = Decimal
WITNESSES = [("李公证", "公证员", "西安市雁塔公证处"), ("王代表", "村民代表", "")]
# What a notice states besides the draw: publicity period and where objections go (synthetic).
NOTICE_DETAILS = {
    "publicity_starts_on": datetime.date(2025, 5, 21),
    "publicity_ends_on": datetime.date(2025, 5, 27),
    "objection_contact": "街道办回迁安置工作专班 赵主任",
    "objection_channel": "029-00000000；街道办二楼 206 室",
    "objection_until": datetime.date(2025, 5, 27),
}


def project_with_flats(code="SEL", *, project=None, numbers=(1, 2)):
    """Two buildings of 24 flats (A 80.50 m², B 96.35 m²) in a new project, or in `project`
    (made by tests.factories.make_project, so with the same price tiers)."""
    if project is None:
        project = make_project(
            code,
            price_tiers=[(D(15), D("4200")), (D(30), D("6300"))],
            shortfall_refund_price=D("4000"),
        )
    else:
        project.shortfall_refund_price = D("4000")
        project.save()
    buildings = []
    for number in numbers:
        building = make_building(project, f"{number}#", floors=6, stairwells=2)
        flats_generate(
            building=building,
            positions=[FlatPosition(1, "A", D("80.50")), FlatPosition(2, "B", D("96.35"))],
        )
        buildings.append(building)
    return project, buildings


def households(project, count=6, **overrides):
    values = {"entitled_area": D("100.00"), "original_area": D("100.00")}
    values.update(overrides)
    return [HouseholdFactory(project=project, **values) for _ in range(count)]


def published_lottery(project, *, by=None, mode=LotteryMode.ORDER, name="第一批摇号"):
    lottery = lottery_create(
        project=project,
        name=name,
        mode=mode,
        by=by,
        draw_method=DrawMethod.SYSTEM,
        **NOTICE_DETAILS,
    )
    roster_build(lottery=lottery, by=by)
    lottery_freeze(lottery=lottery, by=by)
    lottery_draw(lottery=lottery, public_input="07 21 33 48", witnesses=WITNESSES, by=by)
    lottery_publish(lottery=lottery, by=by)
    return lottery


def open_event(project, buildings, lottery, *, desks=2, by=None, **rules):
    event = event_create(
        project=project,
        name="回迁选房日",
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2025, 6, 2),
        queue_source="lottery",
        lottery=lottery,
        buildings=buildings,
        desks=desks,
        by=by,
        **rules,
    )
    return event_open(event=event, by=by)


def planned_day(world, *, by=None):
    """Project A of the `world` fixture with buildings 5# and 6#, three households entitled to
    80 m² (the first elderly), a published lottery, and a planned event with two desks."""
    project, buildings = project_with_flats(project=world.project_a, numbers=(5, 6))
    world.household_a.status = HouseholdStatus.REGISTERED  # not in this day
    world.household_a.save()
    people = households(project, 3, entitled_area=D("80.00"))
    people[0].elderly = True
    people[0].save()
    lottery = published_lottery(project)
    event = event_create(
        project=project,
        name="回迁选房日",
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2025, 6, 1),
        queue_source="lottery",
        lottery=lottery,
        buildings=buildings,
        desks=2,
        max_flats=2,
        by=by,
    )
    return event, people


def demo_sized_day(*, by=None, codes=None):
    """A new project with the buildings of the demo's selection day (漳浒: 1#–8#, 18 floors,
    two stairwells of two flats each, 576 flats), three households on a published lottery and
    the day open. `codes` gives other building numbers (a larger event)."""
    cluster_codes = [code for cluster in ZHANGHUZHAI.clusters for code in cluster.codes]
    kind = ZHANGHUZHAI.clusters[0].building_type
    project, _none = project_with_flats("ZHZ", numbers=())
    buildings = []
    for number in codes or cluster_codes:
        building = make_building(
            project, f"{number}#", floors=kind.floors, stairwells=kind.stairwells
        )
        flats_generate(
            building=building,
            positions=[FlatPosition(pos, layout, area) for pos, layout, area in kind.positions],
        )
        buildings.append(building)
    households(project, 3, entitled_area=D("80.00"))
    lottery = published_lottery(project, by=by)
    return open_event(project, buildings, lottery, desks=2, by=by)
