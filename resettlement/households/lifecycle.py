"""A household's lifecycle (HOUSEHOLD_LIFECYCLE): registered → signed → selection order
assigned → flat selected → handover notified → handed over → title issued, and back from
"flat selected" when its selection is voided. Each step claims the household's row with a
conditional UPDATE on the statuses it leaves from and writes the history in the same round
trip (resettlement.lifecycle.claim); nothing else writes a household's status."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.expressions import BaseExpression
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from resettlement.accounts.models import User
from resettlement.households.models import (
    ERROR_TRANSITION,
    HOUSEHOLD_LIFECYCLE,
    Household,
    HouseholdStatus,
)
from resettlement.lifecycle import claim


def households_initial(households: Sequence[Household]) -> None:
    """The status new households start in: signed once their agreement has a date."""
    for household in households:
        household.status = (
            HouseholdStatus.SIGNED if household.signed_on else HouseholdStatus.REGISTERED
        )


def _step(
    household: Household, verb: str, *, by: User | None, reason: str = "", **values: Any
) -> Household:
    """Claim the household for `verb` (refused with the lifecycle's message if its stored
    status does not allow it); the instance takes the new status."""
    target = HOUSEHOLD_LIFECYCLE.target(verb)
    now = timezone.now()
    changed = claim(
        Household.objects.filter(pk=household.pk, status__in=HOUSEHOLD_LIFECYCLE.sources(verb)),
        {"status": target, "updated_at": now, **values},
        by=by,
        reason=reason,
    )
    if not changed:
        current = Household.objects.filter(pk=household.pk).values_list("status", flat=True)
        raise HOUSEHOLD_LIFECYCLE.refusal(verb, current.first() or household.status)
    household.status, household.updated_at = target, now
    for name, value in values.items():
        setattr(household, name, value)
    return household


def household_sign(*, household: Household, by: User | None = None) -> Household:
    return _step(household, "sign", by=by)


def household_allocate(*, household: Household, by: User | None = None) -> Household:
    """Its flats are selected (at a desk, by a swap or by a lottery that assigns flats)."""
    return _step(household, "allocate", by=by)


def household_notify(*, household: Household, by: User | None = None) -> Household:
    """Its handover notice (交房通知书) was issued."""
    return _step(household, "notify", by=by)


def household_hand_over(
    *, household: Household, by: User | None = None, reason: str = ""
) -> Household:
    """It received the keys of its flats."""
    return _step(household, "hand_over", by=by, reason=reason)


def household_hand_over_undo(
    *, household: Household, by: User | None = None, reason: str = ""
) -> Household:
    """Its handover was undone (a selection supervisor, with a reason): back to notified."""
    return _step(household, "undo_hand_over", by=by, reason=reason)


def household_release(
    *, household: Household, by: User | None = None, reason: str = ""
) -> Household:
    """Its selection was voided: back to its selection order (or to signed, without one)."""
    verb = "release_to_order" if household.selection_order else "release"
    return _step(household, verb, by=by, reason=reason)


def household_transition(
    *, household: Household, target: str, by: User | None = None, reason: str = ""
) -> Household:
    """Move a household to `target` by whichever step of its lifecycle leads there from its
    current status (the title step, until it has a page of its own; corrections in tests)."""
    verb = HOUSEHOLD_LIFECYCLE.verb_to(household.status, target)
    if verb is None:
        label = HOUSEHOLD_LIFECYCLE.label
        raise ValidationError(
            ERROR_TRANSITION % {"status": label(household.status), "target": label(target)},
            code="transition",
        )
    return _step(household, verb, by=by, reason=reason)


def households_order_by_expression(
    households: QuerySet[Household],
    order: BaseExpression,
    *,
    by: User | None = None,
    reason: str = "",
) -> int:
    """Give these households a selection order (an expression per row, e.g. a lottery's
    sequence) and the status "order assigned", those still waiting for it only: a household
    that selected its flats meanwhile keeps them. One UPDATE with its history; the count."""
    return claim(
        households.filter(status__in=HOUSEHOLD_LIFECYCLE.sources("order")),
        {"selection_order": order, "status": HOUSEHOLD_LIFECYCLE.target("order"),
         "updated_at": timezone.now()},
        by=by,
        reason=reason,
    )  # fmt: skip


def households_order_numbered(
    households: QuerySet[Household], *, by: User | None = None, reason: str = ""
) -> list[Household]:
    """Number these households 1..N in the queryset's order and give them the status "order
    assigned" (先签先选), the rows locked meanwhile so none changes status in between."""
    with transaction.atomic():
        waiting = list(
            households.select_for_update().filter(status__in=HOUSEHOLD_LIFECYCLE.sources("order"))
        )
        for number, household in enumerate(waiting, start=1):
            household.selection_order = number
            household.status = HOUSEHOLD_LIFECYCLE.target("order")
        bulk_update_with_history(
            waiting,
            Household,
            ["selection_order", "status"],
            batch_size=500,
            default_user=by,
            default_change_reason=reason,
        )
    return waiting
