"""Confirming a selection (one atomic service), voiding it, and the selections a mode-assign
lottery makes. See services.py for how double allocation is prevented."""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement.archive.models import DocumentKind
from resettlement.households.models import Household, HouseholdStatus
from resettlement.housing.models import Flat, FlatStatus
from resettlement.lottery.models import Lottery
from resettlement.selection.models import (
    Desk,
    FlatHold,
    LogAction,
    QueueEntry,
    QueueStatus,
    SelectedFlat,
    Selection,
    SelectionEvent,
    SelectionSource,
    SelectionStatus,
)
from resettlement.selection.rules import rules_of
from resettlement.selection.services import (
    ERROR_NO_FLATS,
    ERROR_TAKEN,
    ERROR_TOO_MANY,
    buildings_touch,
    check_offered,
    entry_at_desk,
    flats_set_status,
    log_action,
    require_open,
)
from resettlement.selection.settlement import (
    ChosenFlat,
    Settlement,
    SettlementError,
    Tier,
    settle,
)
from resettlement.selection.tasks import confirmation_render_when_committed

ERROR_NOT_HELD = _(
    "Flat %(code)s is not locked for this household at this desk (the lock may have expired)."
)
ERROR_ALREADY_ALLOCATED = _("This household has already selected its flats.")
ERROR_KEY_REUSED = _("This confirmation was already used for another household.")
ERROR_VOID_REASON = _("Give the reason for voiding.")
ERROR_NOT_ACTIVE = _("This selection is not active.")
ERROR_ASSIGNED_FLAT = _("Flat %(code)s assigned to %(agreement)s: %(problem)s")
ERROR_SWAP_REASON = _("Give the reason for the swap.")
ERROR_SWAP_SAME = _("Choose flats different from the ones selected.")


def settlement_for(
    event: SelectionEvent, household: Household, flats: Sequence[Flat]
) -> Settlement:
    rules = rules_of(event)
    return settle(
        entitled=household.entitled_area,
        flats=[ChosenFlat(flat.code, flat.gross_area, flat.floor) for flat in flats],
        tiers=rules.tiers,
        refund_price=event.shortfall_refund_price,
        floor_rates=rules.floor_rates,
        allowed_excess=event.allowed_excess,
    )


def project_settlement(project, household: Household, flats: Sequence[Flat]) -> Settlement:
    """Settlement by the project's own rules, for selections made outside an event (flats
    assigned by lottery): its tiers, with the last tier's bound as the allowed excess."""
    tiers = [Tier(t.up_to_excess, t.price_per_m2) for t in project.price_tiers.all()]
    return settle(
        entitled=household.entitled_area,
        flats=[ChosenFlat(flat.code, flat.gross_area, flat.floor) for flat in flats],
        tiers=tiers,
        refund_price=project.shortfall_refund_price,
        allowed_excess=max((tier.up_to_excess for tier in tiers), default=Decimal(0)),
    )


def selection_confirm(
    *, entry: QueueEntry, desk: Desk, flats: Sequence[Flat], idempotency_key, by=None
) -> Selection:
    """The household confirms the flats it holds at this desk: all of it happens, or nothing.

    Checks: every flat still reserved and held by this desk for this household, within the
    flats-per-household limit and the layouts on offer, total area within the entitlement plus
    the allowed excess. Then the flats are selected, the household allocated, the settlement
    stored; once committed, the confirmation document is rendered from the stored selection
    and kept (the desk prints that copy).
    """
    event = entry.event
    require_open(event)
    flat_ids = sorted({flat.pk for flat in flats})
    if not flat_ids:
        raise ValidationError(ERROR_NO_FLATS)
    try:
        with transaction.atomic():
            # Lock the flats, with their holds (in id order: two desks never wait on each other
            # in a cycle). A repeated request waits here until the first one has committed.
            locked = list(
                Flat.objects.select_for_update(of=("self",))
                .select_related("hold")
                .filter(pk__in=flat_ids)
                .order_by("pk")
            )
            try:
                household = _check_confirmable(event, entry, desk, locked)
            except ValidationError:
                # A double click or a retry after a lost response: the first request's
                # selection, if it was this one (checked only here, off the common path).
                earlier = Selection.objects.filter(idempotency_key=idempotency_key).first()
                if earlier is not None:
                    return _repeated(earlier, entry)
                raise
            try:
                settlement = settlement_for(event, household, locked)
            except SettlementError as error:
                raise ValidationError(str(error)) from None
            selection = _store(
                event=event,
                household=household,
                flats=locked,
                settlement=settlement,
                desk=desk,
                idempotency_key=idempotency_key,
                by=by,
                touch=False,
            )
            FlatHold.objects.filter(pk__in=[flat.hold.pk for flat in locked]).delete()
            entry.status = QueueStatus.DONE
            entry._history_user = by
            entry.save(update_fields=["status", "updated_at"])
            log_action(
                event,
                LogAction.CONFIRM,
                by=by,
                desk=desk,
                household=household,
                flats=locked,
                detail=f"{settlement.total_area} m², {settlement.balance}",
            )
            confirmation_render_when_committed(selection, DocumentKind.SELECTION_CONFIRMATION)
            buildings_touch(locked)  # last: other desks in these buildings wait on it
            return selection
    except IntegrityError:
        # A concurrent retry with the same key committed first, or the database refused a second
        # active selection of a flat: either way, nothing of this attempt was written.
        earlier = Selection.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _repeated(earlier, entry)
        raise ValidationError(ERROR_TAKEN % {"code": flats[0].code}) from None


def _check_confirmable(
    event: SelectionEvent, entry: QueueEntry, desk: Desk, locked: Sequence[Flat]
) -> Household:
    """Everything a confirmation needs before it writes; the household, locked."""
    entry_at_desk(entry, desk, QueueStatus.CALLED, QueueStatus.PRESENT)
    household = Household.objects.select_for_update().get(pk=entry.household_id)
    if household.status not in (HouseholdStatus.SIGNED, HouseholdStatus.ORDERED):
        raise ValidationError(ERROR_ALREADY_ALLOCATED)
    if len(locked) > event.max_flats:
        raise ValidationError(ERROR_TOO_MANY % {"count": event.max_flats})
    check_offered(event, locked)
    now = timezone.now()
    for flat in locked:
        hold = getattr(flat, "hold", None)
        if (
            hold is None
            or hold.queue_entry_id != entry.pk
            or hold.desk_id != desk.pk
            or hold.expires_at <= now
            or flat.status != FlatStatus.RESERVED
        ):
            raise ValidationError(ERROR_NOT_HELD % {"code": flat.code})
    return household


def _repeated(earlier: Selection, entry: QueueEntry) -> Selection:
    if earlier.household_id != entry.household_id:
        raise ValidationError(ERROR_KEY_REUSED)
    return earlier


def _store(
    *,
    event,
    household,
    flats,
    settlement: Settlement,
    desk,
    idempotency_key,
    by,
    source=SelectionSource.DESK,
    lottery=None,
    replaces=None,
    touch=True,
) -> Selection:
    selection = Selection(
        event=event,
        household=household,
        desk=desk,
        source=source,
        lottery=lottery,
        replaces=replaces,
        idempotency_key=idempotency_key,
        confirmed_by=by,
        entitled_area=settlement.entitled,
        total_area=settlement.total_area,
        excess_area=settlement.excess,
        shortfall_area=settlement.shortfall,
        excess_amount=settlement.excess_amount,
        refund_amount=settlement.refund_amount,
        floor_amount=settlement.floor_amount,
        balance=settlement.balance,
        settlement=settlement.as_json(),
    )
    selection._history_user = by
    selection.save()
    bulk_create_with_history(
        [SelectedFlat(selection=selection, flat=flat, area=flat.gross_area) for flat in flats],
        SelectedFlat,
        default_user=by,
    )
    at_desk = source == SelectionSource.DESK and replaces is None
    expected = [FlatStatus.RESERVED] if at_desk else [FlatStatus.AVAILABLE]
    flats_set_status(
        flats,
        FlatStatus.SELECTED,
        expected=expected,
        by=by,
        reason=gettext("selected"),
        touch=touch,
    )
    household.status = HouseholdStatus.ALLOCATED
    household._history_user = by
    household.save(update_fields=["status", "updated_at"])
    return selection


def selection_void(*, selection: Selection, reason: str, by, requeue: bool = True) -> Selection:
    """Void a confirmed selection (a 选房主管 decision, with its reason): the flats return to the
    pool, the household returns to its order (and, at an open event, to the front of the queue
    to choose again), and both records stay, as do both documents (the confirmation and, once
    committed, its voided copy)."""
    if not reason.strip():
        raise ValidationError({"reason": [str(ERROR_VOID_REASON)]})
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=selection.pk)
        if selection.status != SelectionStatus.ACTIVE:
            raise ValidationError(ERROR_NOT_ACTIVE)
        chosen = list(selection.flats.select_related("flat"))
        for item in chosen:
            item.active = False
        bulk_update_with_history(chosen, SelectedFlat, ["active"], default_user=by)
        flats = list(
            Flat.objects.select_for_update().filter(pk__in=[item.flat_id for item in chosen])
        )
        flats_set_status(
            flats,
            FlatStatus.AVAILABLE,
            expected=[FlatStatus.SELECTED],
            by=by,
            reason=reason.strip(),
        )
        selection.status = SelectionStatus.VOIDED
        selection.void_reason, selection.voided_by, selection.voided_at = (
            reason.strip(),
            by,
            timezone.now(),
        )
        selection._history_user = by
        selection.save(update_fields=["status", "void_reason", "voided_by", "voided_at"])
        confirmation_render_when_committed(selection, DocumentKind.SELECTION_VOIDED)
        household = selection.household
        household.status = (
            HouseholdStatus.ORDERED if household.selection_order else HouseholdStatus.SIGNED
        )
        household._history_user = by
        household._change_reason = reason.strip()
        household.save(update_fields=["status", "updated_at"])
        event = selection.event
        if event is not None:
            entry = QueueEntry.objects.filter(event=event, household=household).first()
            if entry is not None and requeue:
                first = QueueEntry.objects.filter(event=event).aggregate(first=Min("position"))[
                    "first"
                ]
                entry.status, entry.desk, entry.position = QueueStatus.WAITING, None, first - 1
                entry._history_user = by
                entry.save(update_fields=["status", "desk", "position", "updated_at"])
            log_action(
                event,
                LogAction.VOID,
                by=by,
                household=household,
                flats=flats,
                detail=reason.strip(),
            )
    return selection


def selections_from_lottery(*, lottery: Lottery, by=None) -> list[Selection]:
    """Mode assign: each household's drawn flat becomes its selection, settled by the
    project's rules (the pools were made so that the flats fit)."""
    results = lottery.results.select_related("entry__household", "flat").order_by("sequence")
    selections = []
    for result in results:
        household, flat = result.entry.household, result.flat
        try:
            settlement = project_settlement(lottery.project, household, [flat])
            selections.append(
                _store(
                    event=None,
                    household=household,
                    flats=[Flat.objects.select_for_update().get(pk=flat.pk)],
                    settlement=settlement,
                    desk=None,
                    idempotency_key=uuid.uuid4(),
                    by=by,
                    source=SelectionSource.LOTTERY,
                    lottery=lottery,
                )
            )
        except (SettlementError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            raise ValidationError(
                ERROR_ASSIGNED_FLAT
                % {"code": flat.code, "agreement": household.agreement_no, "problem": message}
            ) from None
    return selections


def selection_swap(*, selection: Selection, flats: Sequence[Flat], reason: str, by) -> Selection:
    """换房: a 选房主管 exchanges a confirmed selection's flats for others, with the reason.
    The old selection is voided (its flats back in the pool) and a new one naming it is settled
    by the same rules; all of it happens, or nothing. Both records stay."""
    if not reason.strip():
        raise ValidationError({"reason": [str(ERROR_SWAP_REASON)]})
    flat_ids = sorted({flat.pk for flat in flats})
    if not flat_ids:
        raise ValidationError(ERROR_NO_FLATS)
    try:
        with transaction.atomic():
            old = Selection.objects.select_for_update().get(pk=selection.pk)
            if old.status != SelectionStatus.ACTIVE:
                raise ValidationError(ERROR_NOT_ACTIVE)
            kept = set(old.flats.values_list("flat_id", flat=True))
            if set(flat_ids) == kept:
                raise ValidationError(ERROR_SWAP_SAME)
            locked = list(Flat.objects.select_for_update().filter(pk__in=flat_ids).order_by("pk"))
            for flat in locked:
                if flat.pk not in kept and flat.status != FlatStatus.AVAILABLE:
                    raise ValidationError(ERROR_TAKEN % {"code": flat.code})
            household, event = old.household, old.event
            try:
                if event is not None:
                    if len(locked) > event.max_flats:
                        raise ValidationError(ERROR_TOO_MANY % {"count": event.max_flats})
                    check_offered(event, locked)
                    settlement = settlement_for(event, household, locked)
                else:
                    settlement = project_settlement(household.project, household, locked)
            except SettlementError as error:
                raise ValidationError(str(error)) from None
            selection_void(selection=old, reason=reason, by=by, requeue=False)
            household.refresh_from_db()
            new = _store(
                event=event,
                household=household,
                flats=locked,
                settlement=settlement,
                desk=None,
                idempotency_key=uuid.uuid4(),
                by=by,
                source=old.source,
                lottery=old.lottery,
                replaces=old,
            )
            confirmation_render_when_committed(new, DocumentKind.SELECTION_CONFIRMATION)
            if event is not None:
                log_action(
                    event,
                    LogAction.SWAP,
                    by=by,
                    household=household,
                    flats=locked,
                    detail=reason.strip(),
                )
            return new
    except IntegrityError:
        raise ValidationError(ERROR_TAKEN % {"code": locked[0].code}) from None
