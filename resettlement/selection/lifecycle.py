"""The selection day's lifecycles: the event (EVENT_LIFECYCLE: planned → open → closed), each
household's place in the queue (QUEUE_LIFECYCLE) and each selection (SELECTION_LIFECYCLE).

Every step here checks its table and claims its row: the event's row under a lock, a queue
entry or a selection with a conditional UPDATE on the statuses the step leaves from (acted on
by its count, the history written in the same round trip). Every step writes the day's log,
and counts the change for the board: a desk's own steps on the desk's row (Desk.version, no
desk waits on another), the others on the event's (SelectionEvent.version).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.households.models import CompensationMode, Household, HouseholdStatus
from resettlement.housing.lifecycle import flats_move
from resettlement.housing.models import Flat
from resettlement.lifecycle import claim
from resettlement.selection.models import (
    EVENT_LIFECYCLE,
    QUEUE_LIFECYCLE,
    SELECTION_LIFECYCLE,
    AbsentRule,
    Desk,
    FlatHold,
    LogAction,
    QueueEntry,
    QueueSource,
    QueueStatus,
    SelectedFlat,
    Selection,
    SelectionEvent,
    SelectionLog,
)
from resettlement.selection.tasks import summary_render_when_committed

ERROR_DESK_BUSY = _("This desk is serving number %(order_no)s; finish with that household first.")
ERROR_QUEUE_EMPTY = _("Nobody is waiting.")
ERROR_NOT_AT_DESK = _("Number %(order_no)s is not at this desk.")


def log_action(
    event: SelectionEvent,
    action: str,
    *,
    by: User | None = None,
    desk: Desk | None = None,
    household: Household | None = None,
    flats: Iterable[Flat] = (),
    detail: str = "",
) -> SelectionLog:
    return SelectionLog.objects.create(
        event=event,
        action=action,
        user=by,
        desk=desk,
        household=household,
        flats="、".join(str(flat) for flat in flats)[:500],
        detail=detail,
    )


# What the board shows changed (its ETag is made of these counters: selection.board).


def desk_changed(desk: Desk) -> None:
    """A step at this desk changed the queue or the flats. Last in its transaction: the desk's
    row stays locked until the commit, and only this desk's own requests use it."""
    Desk.objects.filter(pk=desk.pk).update(version=F("version") + 1)


def events_changed(*, event: SelectionEvent | None = None, flats: Iterable[Flat] = ()) -> None:
    """A change away from the desks: to this event, or to flats of buildings events offer."""
    ids = set(
        SelectionEvent.objects.filter(
            buildings__in={flat.building_id for flat in flats}
        ).values_list("pk", flat=True)
    )
    if event is not None:
        ids.add(event.pk)
    if ids:
        SelectionEvent.objects.filter(pk__in=ids).update(version=F("version") + 1)


# The event


def event_serving(event: SelectionEvent) -> None:
    """Refuse desk work unless the event is open."""
    EVENT_LIFECYCLE.check("serve", event.status)


def _event_step(event: SelectionEvent, verb: str, by: User | None) -> None:
    """The event's row locked and reloaded into `event`, checked for `verb`, moved on, with its
    history (a save: the event's history keeps its buildings too)."""
    event.refresh_from_db(from_queryset=SelectionEvent.objects.select_for_update())
    EVENT_LIFECYCLE.check(verb, event.status)
    event.status = EVENT_LIFECYCLE.target(verb)
    event.version += 1
    history_author_set(event, by=by)
    event.save(update_fields=["status", "version"])


def _queue_households(event: SelectionEvent) -> list[tuple[int, Household]]:
    """(order number, household) for everyone this event calls, in order."""
    waiting = [HouseholdStatus.SIGNED, HouseholdStatus.ORDERED]
    if event.queue_source == QueueSource.LOTTERY:
        assert event.lottery is not None, "an event queued by lottery names its lottery"
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


def event_open(*, event: SelectionEvent, by: User | None = None) -> SelectionEvent:
    """Open the day, once: its queue is built then, from the lottery or the signing order."""
    with transaction.atomic():
        _event_step(event, "open", by)
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
        log_action(event, LogAction.OPEN, by=by, detail=str(event.queue.count()))
    return event


def event_close(*, event: SelectionEvent, by: User | None = None) -> SelectionEvent:
    """Close the day for good: every lock still held is released."""
    with transaction.atomic():
        _event_step(event, "close", by)
        for entry in QueueEntry.objects.filter(event=event, holds__isnull=False).distinct():
            entry_holds_release(entry, entry.desk, by=by, action=LogAction.RELEASE)
        log_action(event, LogAction.CLOSE, by=by)
        summary_render_when_committed(event)  # the day's summary as at closing, kept
    return event


# The queue


def desk_current(desk: Desk) -> QueueEntry | None:
    return (
        QueueEntry.objects.filter(desk=desk, status__in=[QueueStatus.CALLED, QueueStatus.PRESENT])
        .select_related("household")
        .first()
    )


def entry_at_desk(entry: QueueEntry, desk: Desk, verb: str) -> None:
    """Refuse `verb` unless the household stands at this desk in a status that allows it."""
    if entry.desk_id != desk.pk:
        raise ValidationError(ERROR_NOT_AT_DESK % {"order_no": entry.order_no})
    QUEUE_LIFECYCLE.check(verb, entry.status, order_no=entry.order_no)


def _queue_step(
    entry: QueueEntry, verb: str, *, by: User | None, reason: str = "", **values: Any
) -> None:
    """Claim the entry for `verb` (refused if its stored status does not allow it); the
    instance takes the values written (expressions such as F() excepted)."""
    target = QUEUE_LIFECYCLE.target(verb)
    now = timezone.now()
    changed = claim(
        QueueEntry.objects.filter(pk=entry.pk, status__in=QUEUE_LIFECYCLE.sources(verb)),
        {"status": target, "updated_at": now, **values},
        by=by,
        reason=reason,
    )
    if not changed:
        current = QueueEntry.objects.filter(pk=entry.pk).values_list("status", flat=True).first()
        raise QUEUE_LIFECYCLE.refusal(verb, current or entry.status, order_no=entry.order_no)
    entry.status, entry.updated_at = target, now
    for name, value in values.items():
        if not hasattr(value, "resolve_expression"):
            setattr(entry, name, value)


def desk_call_next(*, desk: Desk, by: User | None = None) -> QueueEntry:
    """叫号: the first household waiting comes to this desk (two desks calling at once each
    get a different one)."""
    event = desk.event
    event_serving(event)
    with transaction.atomic():
        current = desk_current(desk)
        if current is not None:
            raise ValidationError(ERROR_DESK_BUSY % {"order_no": current.order_no})
        entry = (
            QueueEntry.objects.select_for_update(skip_locked=True)
            .filter(event=event, status__in=QUEUE_LIFECYCLE.sources("call"))
            .select_related("household")
            .order_by("position")
            .first()
        )
        if entry is None:
            raise ValidationError(ERROR_QUEUE_EMPTY)
        _queue_step(entry, "call", by=by, desk=desk, called_at=timezone.now())
        log_action(
            event, LogAction.CALL, by=by, desk=desk, household=entry.household,
            detail=str(entry.order_no),
        )  # fmt: skip
        desk_changed(desk)
    return entry


def queue_present(*, entry: QueueEntry, desk: Desk, by: User | None = None) -> QueueEntry:
    event_serving(entry.event)
    entry_at_desk(entry, desk, "present")
    with transaction.atomic():
        _queue_step(entry, "present", by=by)
        log_action(
            entry.event, LogAction.PRESENT, by=by, desk=desk, household=entry.household,
            detail=str(entry.order_no),
        )  # fmt: skip
        desk_changed(desk)
    return entry


def queue_present_on_first_lock(entry: QueueEntry, *, by: User | None) -> None:
    """A household that locks flats is there: called becomes present (inside the lock's own
    transaction, which logs it)."""
    if entry.status == QueueStatus.CALLED:
        _queue_step(entry, "present", by=by)


def queue_absent(*, entry: QueueEntry, desk: Desk, by: User | None = None) -> QueueEntry:
    """过号: per the event's rule, to the end of the day's queue, or the turn is lost."""
    event = entry.event
    event_serving(event)
    entry_at_desk(entry, desk, "requeue")
    with transaction.atomic():
        entry_holds_release(entry, desk, by=by, action=LogAction.RELEASE)
        if event.absent_rule == AbsentRule.MOVE_TO_END:
            last = QueueEntry.objects.filter(event=event).aggregate(last=Max("position"))["last"]
            _queue_step(
                entry, "requeue", by=by, desk=None, position=last + 1,
                absences=F("absences") + 1,
            )  # fmt: skip
        else:
            _queue_step(entry, "skip", by=by, desk=None, absences=F("absences") + 1)
        entry.absences += 1
        log_action(
            event, LogAction.ABSENT, by=by, desk=desk, household=entry.household,
            detail=f"{entry.order_no} {entry.get_status_display()}",
        )  # fmt: skip
        desk_changed(desk)
    return entry


def queue_finish(entry: QueueEntry, *, by: User | None) -> None:
    """Its flats are selected (inside the confirmation's transaction)."""
    _queue_step(entry, "finish", by=by)


def queue_reopen(entry: QueueEntry, *, by: User | None, reason: str = "") -> None:
    """Its selection was voided at an open event: back to the front of the queue."""
    first = QueueEntry.objects.filter(event=entry.event_id).aggregate(first=Min("position"))
    _queue_step(entry, "reopen", by=by, reason=reason, desk=None, position=first["first"] - 1)


# Locks: releasing them is part of the queue's steps (absent, close) as of the desks'


def entry_holds_release(
    entry: QueueEntry,
    desk: Desk | None,
    *,
    by: User | None,
    action: str,
    flats: Sequence[Flat] | None = None,
) -> list[Flat]:
    """Give back the flats locked for this household (these of them, if given), expired
    locks included; the flats released."""
    locked = FlatHold.objects.select_for_update().filter(queue_entry=entry).select_related("flat")
    if flats is not None:
        locked = locked.filter(flat__in=flats)
    holds = list(locked)
    if not holds:
        return []
    released = [hold.flat for hold in holds]
    FlatHold.objects.filter(pk__in=[hold.pk for hold in holds]).delete()
    flats_move(released, "release", by=by, reason=gettext("released"))
    log_action(entry.event, action, by=by, desk=desk, household=entry.household, flats=released)
    return released


# Selections


def selection_claim_void(
    selection: Selection, *, verb: str = "void", reason: str, by: User | None
) -> Selection:
    """The selection is voided (or swapped, which voids it): refused unless it is active, the
    row claimed so that two supervisors cannot both void it. Its flats' rows follow it."""
    now = timezone.now()
    changed = claim(
        Selection.objects.filter(pk=selection.pk, status__in=SELECTION_LIFECYCLE.sources(verb)),
        {
            "status": SELECTION_LIFECYCLE.target(verb),
            "void_reason": reason,
            "voided_by": by,
            "voided_at": now,
        },
        by=by,
        reason=reason,
    )
    if not changed:
        current = Selection.objects.filter(pk=selection.pk).values_list("status", flat=True)
        raise SELECTION_LIFECYCLE.refusal(verb, current.first() or selection.status)
    claim(SelectedFlat.objects.filter(selection=selection), {"active": False}, by=by, reason=reason)
    selection.refresh_from_db()
    return selection
