"""The selection day: the queue, locks on flats while a household decides, the confirmation
(one atomic service), voids, and the audit log of every step.

No flat is ever allocated twice: a flat can carry one lock (FlatHold.flat is unique), the
confirmation locks the flats' rows and checks they are reserved by this desk for this
household, and the database refuses a second active selection of a flat (a partial unique
index on SelectedFlat). A retried confirmation with the same idempotency key returns the
selection already made.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from resettlement.households.models import CompensationMode, Household, HouseholdStatus
from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.input_values import dates_out_of_range
from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus
from resettlement.projects.models import Project
from resettlement.selection.models import (
    AbsentRule,
    Desk,
    EventStatus,
    FlatHold,
    LogAction,
    PriceTier,
    QueueEntry,
    QueueSource,
    QueueStatus,
    SelectionEvent,
    SelectionLog,
)
from resettlement.selection.rules import rules_of
from resettlement.selection.settlement import ERROR_OVER_EXCESS, excess_cap
from resettlement.selection.tasks import summary_render_when_committed

ERROR_EVENT_CLOSED = _("The selection event is not open.")
ERROR_LOTTERY = _("The queue needs a published lottery of mode order from this project.")
ERROR_BUILDINGS = _("Choose the buildings whose flats are on offer.")
ERROR_DESK_BUSY = _("This desk is serving number %(order_no)s; finish with that household first.")
ERROR_QUEUE_EMPTY = _("Nobody is waiting.")
ERROR_NOT_AT_DESK = _("Number %(order_no)s is not at this desk.")
ERROR_NOT_CALLED = _("Number %(order_no)s has not been called.")
ERROR_TOO_MANY = _("At most %(count)s flats per household.")
ERROR_NOT_OFFERED = _("Flat %(code)s is not on offer at this event.")
ERROR_LAYOUT = _("Layout %(layout)s of flat %(code)s is not on offer at this event.")
ERROR_HELD_ELSEWHERE = _("Flat %(code)s is locked at another desk.")
ERROR_TAKEN = _("Flat %(code)s is no longer available.")
ERROR_NO_FLATS = _("Choose at least one flat.")


def log_action(
    event, action, *, by=None, desk=None, household=None, flats: Iterable = (), detail: str = ""
):
    return SelectionLog.objects.create(
        event=event,
        action=action,
        user=by,
        desk=desk,
        household=household,
        flats="、".join(str(flat) for flat in flats)[:500],
        detail=detail,
    )


def buildings_touch(flats: Iterable[Flat]) -> None:
    """Mark the flats' buildings changed (the board's and the map's ETags follow them)."""
    Building.objects.filter(pk__in={flat.building_id for flat in flats}).touch()


def flats_set_status(
    flats: Sequence[Flat],
    target: str,
    *,
    expected: Sequence[str],
    by,
    reason: str,
    touch: bool = True,
) -> None:
    """Move flats to `target` only from an `expected` status, or refuse (the rows are locked by
    the caller); history rows are written for each flat. With touch=False the caller calls
    buildings_touch itself, as late as it can: that row lock is shared by a building's flats."""
    now = timezone.now()
    ids = [flat.pk for flat in flats]
    changed = Flat.objects.filter(pk__in=ids, status__in=expected).update(
        status=target, status_changed_at=now
    )
    if changed != len(ids):
        current = dict(Flat.objects.filter(pk__in=ids).values_list("pk", "status"))
        taken = next(flat for flat in flats if current[flat.pk] not in expected)
        raise ValidationError(ERROR_TAKEN % {"code": taken.code})
    for flat in flats:
        flat.status, flat.status_changed_at = target, now
    Flat.history.bulk_history_create(
        flats, update=True, default_user=by, default_change_reason=reason
    )
    if touch:
        buildings_touch(flats)


# The event


def event_create(
    *,
    project: Project,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    queue_source: str,
    buildings: Iterable[Building],
    lottery: Lottery | None = None,
    desks: int = 4,
    max_flats: int = 3,
    allowed_excess: Decimal | None = None,
    allowed_layouts: str = "",
    absent_rule: str = AbsentRule.MOVE_TO_END,
    countdown_seconds: int = 600,
    extension_seconds: int = 180,
    by=None,
) -> SelectionEvent:
    """An event with the project's price rules copied in (staff may then adjust them)."""
    if errors := dates_out_of_range(starts_on=starts_on, ends_on=ends_on):
        raise ValidationError(errors)
    buildings = list(buildings)
    if not buildings or any(building.project_id != project.pk for building in buildings):
        raise ValidationError(ERROR_BUILDINGS)
    if queue_source == QueueSource.LOTTERY and (
        lottery is None
        or lottery.project_id != project.pk
        or lottery.mode != LotteryMode.ORDER
        or lottery.status != LotteryStatus.PUBLISHED
        or Lottery.objects.live().filter(pk=lottery.pk).count() == 0
    ):
        raise ValidationError({"lottery": [str(ERROR_LOTTERY)]})
    tiers = list(project.price_tiers.all())
    event = SelectionEvent(
        project=project,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        queue_source=queue_source,
        lottery=lottery if queue_source == QueueSource.LOTTERY else None,
        max_flats=max_flats,
        allowed_excess=(
            allowed_excess
            if allowed_excess is not None
            else max((tier.up_to_excess for tier in tiers), default=Decimal(0))
        ),
        shortfall_refund_price=project.shortfall_refund_price,
        allowed_layouts=allowed_layouts,
        absent_rule=absent_rule,
        countdown_seconds=countdown_seconds,
        extension_seconds=extension_seconds,
        created_by=by,
    )
    event.full_clean()
    event._history_user = by
    with transaction.atomic():
        event.save()
        event.buildings.set(buildings)
        bulk_create_with_history(
            [
                PriceTier(event=event, up_to_excess=t.up_to_excess, price_per_m2=t.price_per_m2)
                for t in tiers
            ],
            PriceTier,
            default_user=by,
        )
        bulk_create_with_history(
            [Desk(event=event, number=number) for number in range(1, desks + 1)],
            Desk,
            default_user=by,
        )
    return event


def _queue_households(event: SelectionEvent) -> list[tuple[int, Household]]:
    """(order number, household) for everyone this event calls, in order."""
    waiting = [HouseholdStatus.SIGNED, HouseholdStatus.ORDERED]
    if event.queue_source == QueueSource.LOTTERY:
        results = event.lottery.results.select_related("entry__household").order_by("sequence")
        return [
            (result.sequence, result.entry.household)
            for result in results
            if result.entry.household.status in waiting
        ]
    households = (
        event.project.households.filter(status__in=waiting, entitled_area__gt=0)
        .exclude(compensation_mode=CompensationMode.CASH)
        .exclude(signed_on=None)
        .order_by("selection_order", "signed_on", "agreement_no")
    )
    return list(enumerate(households, start=1))


def event_open(*, event: SelectionEvent, by=None) -> SelectionEvent:
    """Open the day: the queue is built once, from the lottery or the signing order."""
    with transaction.atomic():
        if not event.queue.exists():
            bulk_create_with_history(
                [
                    QueueEntry(event=event, household=household, order_no=number, position=number)
                    for number, household in _queue_households(event)
                ],
                QueueEntry,
                batch_size=1000,
                default_user=by,
            )
        event.status = EventStatus.OPEN
        event._history_user = by
        event.save(update_fields=["status"])
        log_action(event, LogAction.OPEN, by=by, detail=str(event.queue.count()))
    return event


def event_close(*, event: SelectionEvent, by=None) -> SelectionEvent:
    with transaction.atomic():
        for entry in QueueEntry.objects.filter(event=event, holds__isnull=False).distinct():
            holds_release_all(entry, entry.desk, by=by, action=LogAction.RELEASE)
        event.status = EventStatus.CLOSED
        event._history_user = by
        event.save(update_fields=["status"])
        log_action(event, LogAction.CLOSE, by=by)
        summary_render_when_committed(event)  # the day's summary as at closing, kept
    return event


def require_open(event: SelectionEvent) -> None:
    if event.status != EventStatus.OPEN:
        raise ValidationError(ERROR_EVENT_CLOSED)


# The queue


def desk_current(desk: Desk) -> QueueEntry | None:
    return (
        QueueEntry.objects.filter(desk=desk, status__in=[QueueStatus.CALLED, QueueStatus.PRESENT])
        .select_related("household")
        .first()
    )


def desk_call_next(*, desk: Desk, by=None) -> QueueEntry:
    event = desk.event
    require_open(event)
    with transaction.atomic():
        current = desk_current(desk)
        if current is not None:
            raise ValidationError(ERROR_DESK_BUSY % {"order_no": current.order_no})
        entry = (
            QueueEntry.objects.select_for_update(skip_locked=True)
            .filter(event=event, status=QueueStatus.WAITING)
            .order_by("position")
            .first()
        )
        if entry is None:
            raise ValidationError(ERROR_QUEUE_EMPTY)
        entry.status, entry.desk, entry.called_at = QueueStatus.CALLED, desk, timezone.now()
        entry._history_user = by
        entry.save(update_fields=["status", "desk", "called_at", "updated_at"])
        log_action(
            event,
            LogAction.CALL,
            by=by,
            desk=desk,
            household=entry.household,
            detail=str(entry.order_no),
        )
    return entry


def entry_at_desk(entry: QueueEntry, desk: Desk, *statuses) -> None:
    if entry.desk_id != desk.pk:
        raise ValidationError(ERROR_NOT_AT_DESK % {"order_no": entry.order_no})
    if entry.status not in statuses:
        raise ValidationError(ERROR_NOT_CALLED % {"order_no": entry.order_no})


def queue_present(*, entry: QueueEntry, desk: Desk, by=None) -> QueueEntry:
    require_open(entry.event)
    entry_at_desk(entry, desk, QueueStatus.CALLED, QueueStatus.PRESENT)
    entry.status = QueueStatus.PRESENT
    entry._history_user = by
    entry.save(update_fields=["status", "updated_at"])
    log_action(
        entry.event,
        LogAction.PRESENT,
        by=by,
        desk=desk,
        household=entry.household,
        detail=str(entry.order_no),
    )
    return entry


def queue_absent(*, entry: QueueEntry, desk: Desk, by=None) -> QueueEntry:
    """过号: per the event's rule, to the end of the day's queue, or the turn is lost."""
    event = entry.event
    require_open(event)
    entry_at_desk(entry, desk, QueueStatus.CALLED, QueueStatus.PRESENT)
    with transaction.atomic():
        holds_release_all(entry, desk, by=by, action=LogAction.RELEASE)
        entry.absences += 1
        entry.desk = None
        if event.absent_rule == AbsentRule.MOVE_TO_END:
            last = QueueEntry.objects.filter(event=event).aggregate(last=Max("position"))["last"]
            entry.status, entry.position = QueueStatus.WAITING, last + 1
        else:
            entry.status = QueueStatus.SKIPPED
        entry._history_user = by
        entry.save(update_fields=["status", "position", "desk", "absences", "updated_at"])
        log_action(
            event,
            LogAction.ABSENT,
            by=by,
            desk=desk,
            household=entry.household,
            detail=f"{entry.order_no} {entry.get_status_display()}",
        )
    return entry


# Locks


def holds_expire(*, event: SelectionEvent | None = None) -> int:
    """Give back flats whose lock ran out (called before every desk action and board poll)."""
    expired = FlatHold.objects.filter(expires_at__lte=timezone.now())
    if event is not None:
        expired = expired.filter(event=event)
    if not expired.exists():
        return 0
    count = 0
    with transaction.atomic():
        for hold in expired.select_for_update().select_related(
            "flat", "queue_entry__household", "desk"
        ):
            flats = [hold.flat]
            hold.delete()
            flats_set_status(
                flats,
                FlatStatus.AVAILABLE,
                expected=[FlatStatus.RESERVED],
                by=None,
                reason=gettext("lock expired"),
            )
            log_action(
                hold.event,
                LogAction.EXPIRE,
                desk=hold.desk,
                household=hold.queue_entry.household,
                flats=flats,
            )
            count += 1
    return count


def check_offered(event: SelectionEvent, flats: Sequence[Flat]) -> None:
    rules = rules_of(event)
    layouts = rules.layouts
    for flat in flats:
        if flat.building_id not in rules.building_ids:
            raise ValidationError(ERROR_NOT_OFFERED % {"code": flat.code})
        if layouts and flat.layout not in layouts:
            raise ValidationError(ERROR_LAYOUT % {"layout": flat.layout, "code": flat.code})


def check_area(event: SelectionEvent, household: Household, flats: Sequence[Flat]) -> None:
    """Refuse flats that together exceed the entitlement plus what the event allows above it
    (a lock the household could never confirm would only keep the flats from others)."""
    total = sum((flat.gross_area for flat in flats), Decimal(0))
    cap = excess_cap(rules_of(event).tiers, event.allowed_excess)
    if total - household.entitled_area > cap:
        raise ValidationError(
            ERROR_OVER_EXCESS
            % {
                "total": total,
                "entitled": household.entitled_area,
                "excess": total - household.entitled_area,
                "allowed": cap,
            }
        )


def flats_hold(*, entry: QueueEntry, desk: Desk, flats: Sequence[Flat], by=None) -> list[FlatHold]:
    """Lock flats for the household at this desk while it decides (the countdown starts with
    its first lock; every flat it adds keeps the same deadline)."""
    event = entry.event
    require_open(event)
    holds_expire(event=event)
    entry_at_desk(entry, desk, QueueStatus.CALLED, QueueStatus.PRESENT)
    flats = list(flats)
    if not flats:
        raise ValidationError(ERROR_NO_FLATS)
    check_offered(event, flats)
    held = list(FlatHold.objects.filter(queue_entry=entry).select_related("flat"))
    if len(held) + len(flats) > event.max_flats:
        raise ValidationError(ERROR_TOO_MANY % {"count": event.max_flats})
    check_area(event, entry.household, [hold.flat for hold in held] + flats)
    expires = (
        held[0].expires_at
        if held
        else timezone.now() + datetime.timedelta(seconds=event.countdown_seconds)
    )
    holds = [
        FlatHold(
            flat=flat, event=event, desk=desk, queue_entry=entry, held_by=by, expires_at=expires
        )
        for flat in flats
    ]
    try:
        with transaction.atomic():
            FlatHold.objects.bulk_create(holds)
            flats_set_status(
                flats,
                FlatStatus.RESERVED,
                expected=[FlatStatus.AVAILABLE],
                by=by,
                reason=gettext("locked at %(desk)s") % {"desk": desk},
            )
            if entry.status == QueueStatus.CALLED:
                entry.status = QueueStatus.PRESENT
                entry._history_user = by
                entry.save(update_fields=["status", "updated_at"])
            log_action(
                event, LogAction.HOLD, by=by, desk=desk, household=entry.household, flats=flats
            )
    except IntegrityError:
        taken = FlatHold.objects.filter(flat__in=flats).select_related("flat").first()
        code = taken.flat.code if taken else flats[0].code
        raise ValidationError(ERROR_HELD_ELSEWHERE % {"code": code}) from None
    return holds


def holds_extend(*, entry: QueueEntry, desk: Desk, by=None) -> datetime.datetime:
    event = entry.event
    require_open(event)
    entry_at_desk(entry, desk, QueueStatus.PRESENT)
    holds = FlatHold.objects.filter(queue_entry=entry, desk=desk)
    deadline = max(hold.expires_at for hold in holds) if holds else timezone.now()
    deadline = max(deadline, timezone.now()) + datetime.timedelta(seconds=event.extension_seconds)
    holds.update(expires_at=deadline)
    log_action(
        event,
        LogAction.EXTEND,
        by=by,
        desk=desk,
        household=entry.household,
        detail=deadline.isoformat(),
    )
    return deadline


def holds_release_all(
    entry: QueueEntry, desk: Desk | None, *, by, action, flats: Sequence[Flat] | None = None
) -> None:
    holds = FlatHold.objects.select_for_update().filter(queue_entry=entry).select_related("flat")
    if flats is not None:
        holds = holds.filter(flat__in=flats)
    holds = list(holds)
    if not holds:
        return
    released = [hold.flat for hold in holds]
    FlatHold.objects.filter(pk__in=[hold.pk for hold in holds]).delete()
    flats_set_status(
        released,
        FlatStatus.AVAILABLE,
        expected=[FlatStatus.RESERVED],
        by=by,
        reason=gettext("released"),
    )
    log_action(entry.event, action, by=by, desk=desk, household=entry.household, flats=released)


def holds_release(
    *, entry: QueueEntry, desk: Desk, flats: Sequence[Flat] | None = None, by=None
) -> None:
    require_open(entry.event)
    entry_at_desk(entry, desk, QueueStatus.CALLED, QueueStatus.PRESENT)
    with transaction.atomic():
        holds_release_all(entry, desk, by=by, action=LogAction.RELEASE, flats=flats)
