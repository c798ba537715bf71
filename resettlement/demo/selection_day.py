"""The demo's lottery and selection day, made through the services staff use, so the lottery
pages, the public notice, the desk consoles and the board have something to show.

青龙寺: a published lottery of mode order (witnessed) and a planned selection event for when
the north cluster is delivered. 漳浒: a selection day in progress today, in signing order,
with the first households served (two absent, one selection voided) and four desks open.
"""

import datetime
import itertools
import random
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from resettlement.housing.models import Flat
from resettlement.lottery.lifecycle import lottery_draw, lottery_freeze
from resettlement.lottery.models import Lottery, LotteryMode
from resettlement.lottery.notice import notice_pdf_store
from resettlement.lottery.services import lottery_create, roster_build
from resettlement.projects.models import Project
from resettlement.selection.confirmation import selection_confirm, selection_void
from resettlement.selection.lifecycle import desk_call_next, event_open, queue_absent, queue_present
from resettlement.selection.lotteries import lottery_publish
from resettlement.selection.models import QueueSource, SelectionEvent
from resettlement.selection.rules import event_rules_set, rules_of
from resettlement.selection.services import event_create, flats_hold

WITNESSES = (
    ("陈公证", "公证员", "西安市雁塔公证处（示例）"),
    ("刘代表", "村民代表", "观音庙村村民代表"),
    ("赵监督", "纪检监督", "大雁塔街道纪工委（示例）"),
)
SERVED = 48
ABSENT_AT = (7, 23)  # the 8th and 24th called do not come
VOIDED_AT = 5  # the 6th selection is voided by the supervisor
FLOOR_RATES = ((1, 1, Decimal("-300.00")), (2, 2, Decimal("-150.00")))


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def demo_lottery(project: Project, *, today: datetime.date) -> Lottery:
    supervisor = _user("supervisor")
    lottery = lottery_create(
        project=project,
        name="第一批回迁选房顺序摇号",
        mode=LotteryMode.ORDER,
        scheduled_on=today - datetime.timedelta(days=45),
        venue="大雁塔街道办事处三楼会议室",
        by=supervisor,
        # Synthetic: a week of publicity from the day after the draw; no real phone number.
        publicity_starts_on=today - datetime.timedelta(days=44),
        publicity_ends_on=today - datetime.timedelta(days=38),
        objection_contact="大雁塔街道回迁安置工作专班（接待人：周干事）",
        objection_channel="029-0000 0000；大雁塔街道办事处二楼 206 室",
        objection_until=today - datetime.timedelta(days=38),
    )
    roster_build(lottery=lottery, by=supervisor)
    lottery_freeze(lottery=lottery, by=supervisor)
    lottery_draw(lottery=lottery, public_input="08 15 23 31 42", witnesses=WITNESSES, by=supervisor)
    lottery_publish(lottery=lottery, by=supervisor)
    # The notice PDF now, not only from the task that publication enqueues: the demo's notice
    # is complete as soon as it is loaded, with or without a task worker (the task then finds
    # it stored and does nothing).
    notice_pdf_store(lottery, by=supervisor)
    return lottery


def demo_planned_event(project: Project, lottery: Lottery, delivery: datetime.date):
    buildings = [b for b in project.buildings.all() if b.planned_delivery_date == delivery]
    return event_create(
        project=project,
        name="北三村回迁选房",
        starts_on=delivery + datetime.timedelta(days=30),
        ends_on=delivery + datetime.timedelta(days=34),
        queue_source=QueueSource.LOTTERY,
        lottery=lottery,
        buildings=buildings,
        desks=6,
        max_flats=2,
        by=_user("supervisor"),
    )


def demo_selection_day(project: Project, *, today: datetime.date, seed: int) -> SelectionEvent:
    rng = random.Random(seed)
    supervisor, clerk = _user("supervisor"), _user("clerk")
    event = event_create(
        project=project,
        name="漳浒片区回迁选房",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=2),
        queue_source=QueueSource.SIGNING,
        buildings=project.buildings.all(),
        desks=4,
        max_flats=2,
        by=supervisor,
    )
    tiers = [(t.up_to_excess, t.price_per_m2) for t in event.price_tiers.all()]
    event_rules_set(event=event, values={}, tiers=tiers, floors=FLOOR_RATES, by=supervisor)
    event_open(event=event, by=supervisor)
    cap = rules_of(event).excess_cap
    desks = list(event.desks.order_by("number"))
    selections = []
    for turn in range(SERVED):
        desk = desks[turn % len(desks)]
        entry = desk_call_next(desk=desk, by=clerk)
        flats = _choice(event, entry.household.entitled_area, cap, rng)
        if turn in ABSENT_AT or not flats:
            queue_absent(entry=entry, desk=desk, by=clerk)
            continue
        queue_present(entry=entry, desk=desk, by=clerk)
        try:
            flats_hold(entry=entry, desk=desk, flats=flats, by=clerk)
        except ValidationError:
            queue_absent(entry=entry, desk=desk, by=clerk)
            continue
        selections.append(
            selection_confirm(
                entry=entry, desk=desk, flats=flats, idempotency_key=uuid.uuid4(), by=clerk
            )
        )
    selection_void(
        selection=selections[VOIDED_AT],
        reason="户主家庭成员对楼层意见不一，申请重新选房",
        by=supervisor,
    )
    return event


def _choice(event: SelectionEvent, entitled: Decimal, cap: Decimal, rng) -> list[Flat]:
    """Flats a household might take: the layout mix closest to its entitlement, within the
    cap, on a random floor of a random building."""
    available = list(Flat.objects.available().filter(building__in=event.buildings.all()))
    by_layout: dict[str, list[Flat]] = {}
    for flat in available:
        by_layout.setdefault(flat.layout, []).append(flat)
    areas = {layout: flats[0].gross_area for layout, flats in by_layout.items()}
    mixes = [
        mix
        for size in range(1, event.max_flats + 1)
        for mix in itertools.combinations_with_replacement(sorted(areas), size)
        if all(mix.count(layout) <= len(by_layout[layout]) for layout in mix)
    ]
    fitting = [mix for mix in mixes if sum(areas[layout] for layout in mix) - entitled <= cap]
    if not fitting:
        return []
    best = min(fitting, key=lambda mix: abs(sum(areas[layout] for layout in mix) - entitled))
    chosen: list[Flat] = []
    for layout in best:
        candidates = [flat for flat in by_layout[layout] if flat not in chosen]
        chosen.append(rng.choice(candidates))
    return chosen
