"""What a household sees of itself at /my/ and /api/v1/me/: its members (IDs masked), its
entitlement, its place in the lottery and in the selection day's queue (with an estimate of
when it will be called, from the day's pace), its flats with the settlement, its buildings'
progress, its handover appointment, its documents, and what it has to do next. Read in a
fixed number of queries, whatever the household's record holds."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.archive.models import IssuedDocument, IssuedStatus
from resettlement.handover.documents import TO_BRING
from resettlement.handover.models import STANDING, Appointment
from resettlement.households.models import Household, HouseholdStatus, Member
from resettlement.housing.models import Building
from resettlement.lottery.models import LotteryEntry, LotteryStatus
from resettlement.masking import mask_id_number
from resettlement.progress.models import BuildingMilestone
from resettlement.progress.timeline import MilestoneState, milestone_state
from resettlement.selection.models import (
    EventStatus,
    QueueEntry,
    QueueStatus,
    SelectedFlat,
    Selection,
    SelectionEvent,
    SelectionStatus,
)

# What a household does next, and brings, at each step of its lifecycle: in plain words.
NEXT_STEP = {
    HouseholdStatus.REGISTERED: _(
        "Sign your resettlement agreement with the street office's staff. Once it is signed, "
        "this page shows your place in the selection order."
    ),
    HouseholdStatus.SIGNED: _(
        "Wait for the lottery that sets the selection order. When its result is published, "
        "your number and the selection day appear here."
    ),
    HouseholdStatus.ORDERED: _(
        "Come to the selection day at your estimated time. Households are called in order; "
        "one that is not there when called goes to the end of the queue or loses its turn."
    ),
    HouseholdStatus.ALLOCATED: _(
        "Your flat is chosen. Wait for the handover notice; your building's progress is below."
    ),
    HouseholdStatus.NOTIFIED: _(
        "Come to the handover at your appointment, with the papers listed, to inspect your "
        "flat and receive its keys."
    ),
    HouseholdStatus.HANDED_OVER: _(
        "Your flat is handed over. Next, the title certificate (不动产权证) is applied for; "
        "the street office will tell you when to collect it."
    ),
    HouseholdStatus.CERTIFIED: _("Your resettlement is complete: the title certificate is issued."),
}
HEAD = _("Head of household")
SELECTION_BRING = (
    _("ID cards of the head and the members (originals)"),
    _("Household register (户口簿)"),
    _("Resettlement agreement"),
    _("Your personal seal, or a notarised power of attorney if someone comes for you"),
)
BRING = {
    HouseholdStatus.ORDERED: SELECTION_BRING,
    HouseholdStatus.NOTIFIED: TO_BRING,
}


@dataclass
class MemberRow:
    name: str
    relation: str
    id_number: str  # masked
    recognised: bool


@dataclass
class LotteryPlace:
    lottery: str
    status: str
    published: bool
    sequence: int | None
    total: int
    group: int
    group_total: int
    groups: int


@dataclass
class QueuePlace:
    event: str
    starts_on: datetime.date
    ends_on: datetime.date
    event_open: bool
    order_no: int
    status: str
    status_code: str
    desk: int | None
    ahead: int | None = None
    minutes_each: Decimal | None = None
    estimate: datetime.datetime | None = None


@dataclass
class EventDates:
    name: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass
class FlatRow:
    code: str
    building: str
    layout: str
    area: Decimal


@dataclass
class ChosenFlats:
    confirmed_at: datetime.datetime
    flats: list[FlatRow]
    entitled_area: Decimal
    total_area: Decimal
    excess_area: Decimal
    shortfall_area: Decimal
    excess_amount: Decimal
    refund_amount: Decimal
    floor_amount: Decimal
    balance: Decimal


@dataclass
class MilestoneRow:
    name: str
    state: str
    state_code: str
    percent: int
    planned_finish: datetime.date | None
    actual_finish: datetime.date | None


@dataclass
class BuildingProgress:
    code: str
    progress: Decimal
    stage: str
    planned_delivery_date: datetime.date | None
    milestones: list[MilestoneRow] = field(default_factory=list)


@dataclass
class HandoverAppointment:
    batch: str
    place: str
    day: datetime.date
    half_day: str
    desk: int
    order_no: int
    status: str
    status_code: str
    phone: str


@dataclass
class DocumentRow:
    pk: int
    kind: str
    number: str
    issued_at: datetime.datetime
    status: str
    status_code: str
    size: int | None  # None while it is being rendered


@dataclass
class HouseholdStatusView:
    household: Household
    status: str
    next_step: str
    bring: list[str]
    members: list[MemberRow]
    lottery: LotteryPlace | None
    order_no: int | None
    order_total: int | None
    queue: QueuePlace | None
    events: list[EventDates]
    chosen: ChosenFlats | None
    buildings: list[BuildingProgress]
    appointment: HandoverAppointment | None
    documents: list[DocumentRow]
    built_at: datetime.datetime


def _members(household: Household) -> list[MemberRow]:
    members = Member.objects.filter(household=household).only(
        "name", "relation", "id_number", "recognised", "household_id"
    )
    head = MemberRow(
        name=household.head_name,
        relation=str(HEAD),
        id_number=mask_id_number(household.head_id_number),
        recognised=True,
    )
    return [head] + [
        MemberRow(
            name=member.name,
            relation=member.get_relation_display(),
            id_number=mask_id_number(member.id_number) if member.id_number else "",
            recognised=member.recognised,
        )
        for member in members
    ]


def _lottery(household: Household) -> LotteryPlace | None:
    """Its place in the newest lottery it is on that was not cancelled or re-drawn: the
    sequence once the draw is revealed, with how many households the lottery and its group
    hold (two queries when there is one)."""
    entry = (
        LotteryEntry.objects.filter(household=household, lottery__replaced_by__isnull=True)
        .exclude(lottery__status=LotteryStatus.CANCELLED)
        .select_related("lottery", "result")
        .only(
            *("group", "household_id", "lottery__name", "lottery__status"),
            *("lottery__created_at", "result__sequence"),
        )
        .order_by("-lottery__created_at")
        .first()
    )
    if entry is None:
        return None
    counts = LotteryEntry.objects.filter(lottery_id=entry.lottery_id).aggregate(
        total=Count("pk"),
        group_total=Count("pk", filter=Q(group=entry.group)),
        groups=Count("group", distinct=True),
    )
    lottery = entry.lottery
    result = getattr(entry, "result", None) if lottery.secret_revealed else None
    return LotteryPlace(
        lottery=lottery.name,
        status=lottery.get_status_display(),
        published=lottery.status == LotteryStatus.PUBLISHED,
        sequence=result.sequence if result is not None else None,
        total=counts["total"],
        group=entry.group,
        group_total=counts["group_total"],
        groups=counts["groups"],
    )


def _queue(household: Household, now: datetime.datetime) -> QueuePlace | None:
    """Its place on the newest selection day that has not closed: how many households wait
    before it and, once the day is calling, when its turn may come at the day's pace (the
    time between the first and the last call today, per call)."""
    entry = (
        QueueEntry.objects.filter(household=household)
        .exclude(event__status=EventStatus.CLOSED)
        .select_related("event", "desk")
        .order_by("-event__starts_on", "-pk")
        .first()
    )
    if entry is None:
        return None
    event = entry.event
    place = QueuePlace(
        event=event.name,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        event_open=event.status == EventStatus.OPEN,
        order_no=entry.order_no,
        status=entry.get_status_display(),
        status_code=entry.status,
        desk=entry.desk.number if entry.desk else None,
    )
    if entry.status != QueueStatus.WAITING:
        return place
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    calls_today = Q(called_at__gte=today)
    figures = QueueEntry.objects.filter(event=event).aggregate(
        ahead=Count("pk", filter=Q(status=QueueStatus.WAITING, position__lt=entry.position)),
        calls=Count("pk", filter=calls_today),
        first=Min("called_at", filter=calls_today),
        last=Max("called_at", filter=calls_today),
    )
    place.ahead = figures["ahead"]
    if place.event_open and figures["calls"] >= 2:
        pace = (figures["last"] - figures["first"]) / (figures["calls"] - 1)
        place.minutes_each = Decimal(pace.total_seconds() / 60).quantize(Decimal("0.1"))
        place.estimate = max(figures["last"] + pace * (place.ahead + 1), now)
    return place


def _events(household: Household, today: datetime.date) -> list[EventDates]:
    """The project's selection days not yet over, for a household not yet in a queue."""
    events = SelectionEvent.objects.filter(
        project_id=household.project_id,
        status__in=[EventStatus.PLANNED, EventStatus.OPEN],
        ends_on__gte=today,
    ).order_by("starts_on")
    return [
        EventDates(e.name, e.starts_on, e.ends_on)
        for e in events.only("name", "starts_on", "ends_on")
    ]


def _chosen(household: Household) -> tuple[ChosenFlats | None, list[Building]]:
    flats = SelectedFlat.objects.select_related("flat__building").order_by("flat__code")
    selection = (
        Selection.objects.filter(household=household, status=SelectionStatus.ACTIVE)
        .prefetch_related(Prefetch("flats", queryset=flats))
        .defer("settlement")
        .order_by("-confirmed_at")
        .first()
    )
    if selection is None:
        return None, []
    chosen = list(selection.flats.all())
    buildings = {item.flat.building_id: item.flat.building for item in chosen}
    return (
        ChosenFlats(
            confirmed_at=selection.confirmed_at,
            flats=[
                FlatRow(item.flat.code, item.flat.building.code, item.flat.layout, item.area)
                for item in chosen
            ],
            entitled_area=selection.entitled_area,
            total_area=selection.total_area,
            excess_area=selection.excess_area,
            shortfall_area=selection.shortfall_area,
            excess_amount=selection.excess_amount,
            refund_amount=selection.refund_amount,
            floor_amount=selection.floor_amount,
            balance=selection.balance,
        ),
        sorted(buildings.values(), key=lambda building: building.sort_key),
    )


def _buildings(buildings: list[Building]) -> list[BuildingProgress]:
    if not buildings:
        return []
    milestones = (
        BuildingMilestone.objects.filter(building__in=buildings)
        .select_related("milestone_type")
        .only(
            *("building_id", "percent", "planned_finish", "actual_finish"),
            *("milestone_type__name", "milestone_type__default_sequence"),
        )
    )
    by_building: dict[int, list[MilestoneRow]] = {building.pk: [] for building in buildings}
    stages: dict[int, str] = {}
    for milestone in milestones:
        state = milestone_state(milestone)
        by_building[milestone.building_id].append(
            MilestoneRow(
                name=milestone.milestone_type.name,
                state=str(MilestoneState(state).label),
                state_code=str(state),
                percent=milestone.percent,
                planned_finish=milestone.planned_finish,
                actual_finish=milestone.actual_finish,
            )
        )
        if state != MilestoneState.NOT_STARTED:
            stages[milestone.building_id] = milestone.milestone_type.name
    return [
        BuildingProgress(
            code=building.code,
            progress=building.progress,
            stage=stages.get(building.pk, ""),
            planned_delivery_date=building.planned_delivery_date,
            milestones=by_building[building.pk],
        )
        for building in buildings
    ]


def _appointment(household: Household) -> HandoverAppointment | None:
    appointment = (
        Appointment.objects.filter(household=household, status__in=STANDING)
        .select_related("batch", "slot")
        .order_by("-slot__day", "-pk")
        .first()
    )
    if appointment is None:
        return None
    return HandoverAppointment(
        batch=appointment.batch.name,
        place=appointment.batch.place,
        day=appointment.slot.day,
        half_day=appointment.slot.get_half_day_display(),
        desk=appointment.slot.desk,
        order_no=appointment.order_no,
        status=appointment.get_status_display(),
        status_code=appointment.status,
        phone=household.project.handover_phone,
    )


def _documents(household: Household) -> list[DocumentRow]:
    documents = (
        IssuedDocument.objects.filter(household=household)
        .exclude(status=IssuedStatus.VOIDED)
        .select_related("stored")
        .only(
            *("kind", "number", "issued_at", "status", "household_id"),
            *("stored__size",),
        )
    )
    return [
        DocumentRow(
            pk=document.pk,
            kind=document.get_kind_display(),
            number=document.number,
            issued_at=document.issued_at,
            status=document.get_status_display(),
            status_code=document.status,
            size=document.stored.size if document.stored else None,
        )
        for document in documents
    ]


def _order(household: Household, lottery: LotteryPlace | None) -> tuple[int | None, int | None]:
    """Its selection order without a lottery place to show (signing order): the number, and
    how many households of the project have one."""
    if household.selection_order is None or (lottery and lottery.sequence is not None):
        return None, None
    total = Household.objects.filter(
        project_id=household.project_id, selection_order__isnull=False
    ).count()
    return household.selection_order, total


def household_status(household: Household, *, now: datetime.datetime | None = None):
    now = now or timezone.now()
    status = HouseholdStatus(household.status)
    lottery = _lottery(household)
    order_no, order_total = _order(household, lottery)
    queue = _queue(household, now)
    chosen, buildings = _chosen(household)
    return HouseholdStatusView(
        household=household,
        status=str(status.label),
        next_step=str(NEXT_STEP[status]),
        bring=[str(item) for item in BRING.get(status, ())],
        members=_members(household),
        lottery=lottery,
        order_no=order_no,
        order_total=order_total,
        queue=queue,
        events=[] if queue else _events(household, timezone.localdate(now)),
        chosen=chosen,
        buildings=_buildings(buildings),
        appointment=_appointment(household),
        documents=_documents(household),
        built_at=now,
    )
