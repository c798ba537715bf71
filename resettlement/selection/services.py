"""The selection day's desk work: the event's creation, locks on flats while a household
decides (the countdown, its extension, releases, the sweep of expired locks) and the checks a
lock and a confirmation share. The statuses themselves move in selection.lifecycle.

No flat is ever allocated twice: a flat can carry one lock (FlatHold.flat is unique), the
confirmation locks the flats' rows and checks they are reserved by this desk for this
household, and the database refuses a second active selection of a flat (a partial unique
index on SelectedFlat) and of a household (on Selection). A retried confirmation with the same
idempotency key returns the selection already made.

A lock whose countdown has passed reads as expired everywhere at once (queries, the board, the
desks): nothing has to run for it. The sweep (holds_expire, run by `manage.py selection_sweep`
every minute from cron, and by a desk that locks flats) then gives its flat back with its
history and log; no page view or board poll writes.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.households.models import Household
from resettlement.housing.lifecycle import flats_move
from resettlement.housing.models import Building, Flat
from resettlement.input_values import dates_out_of_range
from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus
from resettlement.projects.models import Project
from resettlement.selection.lifecycle import (
    desk_changed,
    entry_at_desk,
    entry_holds_release,
    event_serving,
    log_action,
    queue_present_on_first_lock,
)
from resettlement.selection.models import (
    AbsentRule,
    Desk,
    FlatHold,
    LogAction,
    PriceTier,
    QueueEntry,
    QueueSource,
    SelectionEvent,
)
from resettlement.selection.rules import rules_of
from resettlement.selection.settlement import ERROR_OVER_EXCESS

ERROR_LOTTERY = _("The queue needs a published lottery of mode order from this project.")
ERROR_BUILDINGS = _("Choose the buildings whose flats are on offer.")
ERROR_TOO_MANY = _("At most %(count)s flats per household.")
ERROR_NOT_OFFERED = _("Flat %(code)s is not on offer at this event.")
ERROR_LAYOUT = _("Layout %(layout)s of flat %(code)s is not on offer at this event.")
ERROR_HELD_ELSEWHERE = _("Flat %(code)s is locked at another desk.")
ERROR_NO_FLATS = _("Choose at least one flat.")


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
    by: User | None = None,
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
    history_author_set(event, by=by)
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


# Locks


def holds_expire(*, event: SelectionEvent | None = None) -> int:
    """The sweep: give back the flats whose lock ran out (of this event, or of every event),
    each with its history and an EXPIRE line in its day's log. Until it runs, such a lock
    already reads as expired; it changes nothing the board shows."""
    expired = FlatHold.objects.filter(expires_at__lte=timezone.now())
    if event is not None:
        expired = expired.filter(event=event)
    if not expired.exists():
        return 0
    swept = []
    with transaction.atomic():
        for hold in expired.select_for_update(of=("self",)).select_related(
            "flat", "event", "queue_entry__household", "desk"
        ):
            hold.delete()
            flats_move([hold.flat], "release", reason=gettext("lock expired"))
            log_action(
                hold.event,
                LogAction.EXPIRE,
                desk=hold.desk,
                household=hold.queue_entry.household,
                flats=[hold.flat],
            )
            swept.append(hold)
    return len(swept)


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
    (a lock the household could never confirm would only keep the flats from others). The
    desk offers flats by the same cap (EventRules.excess_cap)."""
    total = sum((flat.gross_area for flat in flats), Decimal(0))
    cap = rules_of(event).excess_cap
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


def flats_hold(
    *, entry: QueueEntry, desk: Desk, flats: Sequence[Flat], by: User | None = None
) -> list[FlatHold]:
    """Lock flats for the household at this desk while it decides (the countdown starts with
    its first lock; every flat it adds keeps the same deadline). Expired locks are swept
    first, so that their flats can be taken."""
    event = entry.event
    event_serving(event)
    holds_expire(event=event)
    entry_at_desk(entry, desk, "serve")
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
            flats_move(
                flats, "reserve", by=by, reason=gettext("locked at %(desk)s") % {"desk": desk}
            )
            queue_present_on_first_lock(entry, by=by)
            log_action(
                event, LogAction.HOLD, by=by, desk=desk, household=entry.household, flats=flats
            )
            desk_changed(desk)
    except IntegrityError:
        taken = FlatHold.objects.filter(flat__in=flats).select_related("flat").first()
        code = taken.flat.code if taken else flats[0].code
        raise ValidationError(ERROR_HELD_ELSEWHERE % {"code": code}) from None
    return holds


def holds_live(entry: QueueEntry, desk: Desk):
    """The household's locks at this desk that have not expired."""
    return FlatHold.objects.filter(queue_entry=entry, desk=desk, expires_at__gt=timezone.now())


def holds_extend(
    *, entry: QueueEntry, desk: Desk, by: User | None = None
) -> datetime.datetime | None:
    """More time for the household: its live locks end `extension_seconds` later (an expired
    lock is not revived); the new deadline, or None if no lock is live."""
    event = entry.event
    event_serving(event)
    entry_at_desk(entry, desk, "serve")
    with transaction.atomic():
        holds = list(holds_live(entry, desk).select_for_update())
        if not holds:
            return None
        deadline = max(hold.expires_at for hold in holds) + datetime.timedelta(
            seconds=event.extension_seconds
        )
        FlatHold.objects.filter(pk__in=[hold.pk for hold in holds]).update(expires_at=deadline)
        log_action(
            event, LogAction.EXTEND, by=by, desk=desk, household=entry.household,
            detail=deadline.isoformat(),
        )  # fmt: skip
        desk_changed(desk)
    return deadline


def holds_release(
    *, entry: QueueEntry, desk: Desk, flats: Sequence[Flat] | None = None, by: User | None = None
) -> None:
    event_serving(entry.event)
    entry_at_desk(entry, desk, "serve")
    with transaction.atomic():
        if entry_holds_release(entry, desk, by=by, action=LogAction.RELEASE, flats=flats):
            desk_changed(desk)
