"""Confirming a selection (one atomic service), voiding it, swapping its flats, and the
selections a mode-assign lottery makes. See services.py for how double allocation is
prevented; every status moves through the lifecycles (households, housing and selection
lifecycle.py)."""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import User
from resettlement.archive.models import DocumentKind, IssuedKind
from resettlement.archive.registry import document_void
from resettlement.history import created_with_history
from resettlement.households.lifecycle import household_allocate, household_release
from resettlement.households.models import HOUSEHOLD_LIFECYCLE, Household
from resettlement.housing.lifecycle import flats_move
from resettlement.housing.models import ERROR_FLAT_TAKEN, Flat, FlatStatus
from resettlement.lottery.models import Lottery
from resettlement.selection.documents import confirmation_issued
from resettlement.selection.lifecycle import (
    desk_changed,
    entry_at_desk,
    event_serving,
    events_changed,
    log_action,
    queue_finish,
    queue_reopen,
    selection_claim_void,
)
from resettlement.selection.models import (
    SELECTION_LIFECYCLE,
    Desk,
    FlatHold,
    LogAction,
    QueueEntry,
    SelectedFlat,
    Selection,
    SelectionEvent,
    SelectionSource,
)
from resettlement.selection.rules import rules_of
from resettlement.selection.services import (
    ERROR_NO_FLATS,
    ERROR_TOO_MANY,
    check_offered,
    holds_expire,
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
ERROR_KEY_REUSED = _("This confirmation was already used for another household.")
ERROR_VOID_REASON = _("Give the reason for voiding.")
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
    *,
    entry: QueueEntry,
    desk: Desk,
    flats: Sequence[Flat],
    idempotency_key: uuid.UUID,
    by: User | None = None,
) -> Selection:
    """The household confirms the flats it holds at this desk: all of it happens, or nothing.

    Checks: every flat still reserved by a live lock of this desk for this household, within
    the flats-per-household limit and the layouts on offer, total area within the entitlement
    plus the allowed excess. Then the flats are selected, the household allocated, the
    settlement stored; once committed, the confirmation document is rendered from the stored
    selection and kept (the desk prints that copy). The same idempotency key again (a double
    click, a retry after a lost response) returns the selection it made.

    Nine statements on PostgreSQL: the locks (one SELECT), the selection and its flats, each
    with its history, the flats, the household and the queue entry moved on with their history
    (one statement each), the locks deleted, the log, the desk's board counter.
    """
    event = desk.event
    event_serving(event)
    flat_ids = sorted({flat.pk for flat in flats})
    if not flat_ids:
        raise ValidationError(ERROR_NO_FLATS)
    try:
        with transaction.atomic():
            try:
                holds = _holds_claimed(event, entry, desk, flat_ids, flats)
            except ValidationError:
                # A double click or a retry after a lost response: the first request's
                # selection, if it was this one (checked only here, off the common path).
                earlier = Selection.objects.filter(idempotency_key=idempotency_key).first()
                if earlier is not None:
                    return _repeated(earlier, entry)
                raise
            household = holds[0].queue_entry.household
            locked = [hold.flat for hold in holds]
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
            )
            FlatHold.objects.filter(pk__in=[hold.pk for hold in holds]).delete()
            queue_finish(entry, by=by)
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
            desk_changed(desk)
            return selection
    except IntegrityError:
        # A concurrent retry with the same key committed first, or the database refused a second
        # active selection of a flat or of a household: nothing of this attempt was written.
        earlier = Selection.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _repeated(earlier, entry)
        raise ValidationError(ERROR_FLAT_TAKEN % {"code": flats[0].code}) from None


def selection_confirm_repeated(*, desk: Desk, idempotency_key: uuid.UUID) -> Selection | None:
    """The selection this desk already confirmed with this key, if any: a confirmation
    repeated once its household has left the desk (a double click) shows it again."""
    return (
        Selection.objects.filter(idempotency_key=idempotency_key, desk=desk)
        .select_related("household")
        .first()
    )


def _holds_claimed(
    event: SelectionEvent, entry: QueueEntry, desk: Desk, flat_ids: list[int], flats
) -> list[FlatHold]:
    """Everything a confirmation needs before it writes, in one statement: this household's
    locks at this desk on these flats, with the flats, the queue entry and the household, all
    their rows locked (in flat order: two desks never wait on each other in a cycle; a repeated
    request waits here until the first one has committed, then finds no lock)."""
    holds = list(
        FlatHold.objects.select_for_update()
        .select_related("flat", "queue_entry__household")
        .filter(flat_id__in=flat_ids, queue_entry=entry, desk=desk)
        .order_by("flat_id")
    )
    entry_at_desk(entry, desk, "serve")
    if len(flat_ids) > event.max_flats:
        raise ValidationError(ERROR_TOO_MANY % {"count": event.max_flats})
    now = timezone.now()
    live = {
        hold.flat_id
        for hold in holds
        if hold.expires_at > now and hold.flat.status == FlatStatus.RESERVED
    }
    for flat in flats:
        if flat.pk not in live:
            raise ValidationError(ERROR_NOT_HELD % {"code": flat.code})
    household = holds[0].queue_entry.household
    HOUSEHOLD_LIFECYCLE.check("allocate", household.status)
    check_offered(event, [hold.flat for hold in holds])
    return holds


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
    idempotency_key: uuid.UUID,
    by: User | None,
    source=SelectionSource.DESK,
    lottery=None,
    replaces=None,
) -> Selection:
    """The selection and its flats, with their history; the flats selected (from their lock
    at a desk, from available otherwise) and the household allocated."""
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
    created_with_history([selection], by=by)
    created_with_history(
        [SelectedFlat(selection=selection, flat=flat, area=flat.gross_area) for flat in flats],
        by=by,
    )
    at_desk = source == SelectionSource.DESK and replaces is None
    flats_move(flats, "select_held" if at_desk else "select", by=by, reason=gettext("selected"))
    household_allocate(household=household, by=by)
    return selection


def selection_void(
    *, selection: Selection, reason: str, by: User | None, requeue: bool = True
) -> Selection:
    """Void a confirmed selection (a 选房主管 decision, with its reason): the flats return to the
    pool, the household returns to its order (and, at an open event, to the front of the queue
    to choose again), and both records stay, as do both documents (the confirmation and, once
    committed, its voided copy)."""
    if not reason.strip():
        raise ValidationError({"reason": [str(ERROR_VOID_REASON)]})
    return _void(selection, reason.strip(), by=by, verb="void", requeue=requeue)


def _void(
    selection: Selection, reason: str, *, by: User | None, verb: str, requeue: bool
) -> Selection:
    with transaction.atomic():
        selection_claim_void(selection, verb=verb, reason=reason, by=by)
        flats = list(
            Flat.objects.select_for_update().filter(selections__selection=selection).order_by("pk")
        )
        flats_move(flats, "unselect", by=by, reason=reason)
        if verb == "void":  # a swap's new confirmation supersedes this one instead
            document_void(subject=selection, kind=IssuedKind.SELECTION_CONFIRMATION, reason=reason)
        confirmation_render_when_committed(selection, DocumentKind.SELECTION_VOIDED)
        household = selection.household
        household_release(household=household, by=by, reason=reason)
        event = selection.event
        if event is not None:
            entry = QueueEntry.objects.filter(event=event, household=household).first()
            if entry is not None and requeue and event.can_serve:
                queue_reopen(entry, by=by, reason=reason)
            log_action(
                event, LogAction.VOID, by=by, household=household, flats=flats, detail=reason
            )
        events_changed(event=event, flats=flats)
    return selection


def selections_from_lottery(*, lottery: Lottery, by: User | None = None) -> list[Selection]:
    """Mode assign: each household's drawn flat becomes its selection, settled by the
    project's rules (the pools were made so that the flats fit)."""
    results = lottery.results.select_related("entry__household", "flat").order_by("sequence")
    selections = []
    drawn: list[Flat] = []
    for result in results:
        household, flat = result.entry.household, result.flat
        assert flat is not None, "every result of a mode-assign draw has its flat"
        drawn.append(flat)
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
    events_changed(flats=drawn)
    return selections


def selection_swap(
    *, selection: Selection, flats: Sequence[Flat], reason: str, by: User | None
) -> Selection:
    """换房: a 选房主管 exchanges a confirmed selection's flats for others, with the reason.
    The old selection is voided (its flats back in the pool) and a new one naming it is settled
    by the same rules; all of it happens, or nothing. Both records stay."""
    if not reason.strip():
        raise ValidationError({"reason": [str(ERROR_SWAP_REASON)]})
    reason = reason.strip()
    flat_ids = sorted({flat.pk for flat in flats})
    if not flat_ids:
        raise ValidationError(ERROR_NO_FLATS)
    holds_expire()  # a flat whose lock has expired may be swapped into
    try:
        with transaction.atomic():
            old = Selection.objects.select_for_update().get(pk=selection.pk)
            SELECTION_LIFECYCLE.check("swap", old.status)
            kept = set(old.flats.values_list("flat_id", flat=True))
            if set(flat_ids) == kept:
                raise ValidationError(ERROR_SWAP_SAME)
            locked = list(Flat.objects.select_for_update().filter(pk__in=flat_ids).order_by("pk"))
            for flat in locked:
                if flat.pk not in kept and not flat.can_select:
                    raise ValidationError(ERROR_FLAT_TAKEN % {"code": flat.code})
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
            _void(old, reason, by=by, verb="swap", requeue=False)
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
            # Numbered now: the old confirmation reads "superseded by <this number>" at once.
            confirmation_issued(new, by=by)
            confirmation_render_when_committed(new, DocumentKind.SELECTION_CONFIRMATION)
            if event is not None:
                log_action(
                    event, LogAction.SWAP, by=by, household=household, flats=locked, detail=reason
                )
            return new
    except IntegrityError:
        raise ValidationError(ERROR_FLAT_TAKEN % {"code": locked[0].code}) from None
