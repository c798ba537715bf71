"""A flat's lifecycle (FLAT_LIFECYCLE): available → locked at a desk → selected → handed over,
and back to available when a lock ends or a selection is voided. Flats move together (the
flats of one lock or one selection): one conditional UPDATE on the statuses the step leaves
from, with their history in the same round trip, all of them or none."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from resettlement.accounts.models import User
from resettlement.housing.models import ERROR_FLAT_TRANSITION, FLAT_LIFECYCLE, Building, Flat
from resettlement.lifecycle import claim


def flats_move(
    flats: Sequence[Flat], verb: str, *, by: User | None = None, reason: str = ""
) -> None:
    """Move every one of `flats` by `verb`, or none: refused, naming the first flat whose
    stored status does not allow it. Callers that checked the flats hold their rows locked;
    the others rely on this refusal. The instances take the new status."""
    target = FLAT_LIFECYCLE.target(verb)
    sources = FLAT_LIFECYCLE.sources(verb)
    ids = {flat.pk for flat in flats}
    now = timezone.now()
    with transaction.atomic(savepoint=False):  # a refusal undoes the flats already moved
        changed = claim(
            Flat.objects.filter(pk__in=ids, status__in=sources),
            {"status": target, "status_changed_at": now},
            by=by,
            reason=reason,
        )
        if changed != len(ids):
            current = dict(Flat.objects.filter(pk__in=ids).values_list("pk", "status"))
            refused = next(flat for flat in flats if current.get(flat.pk) not in sources)
            raise FLAT_LIFECYCLE.refusal(verb, current.get(refused.pk, ""), code=refused.code)
    for flat in flats:
        flat.status, flat.status_changed_at = target, now


def flat_transition(*, flat: Flat, target: str, by: User | None = None, reason: str = "") -> Flat:
    """Move one flat to `target` by whichever step leads there from its stored status (a
    correction; the handover moves flats through handover.services)."""
    with transaction.atomic():
        locked = Flat.objects.select_for_update().get(pk=flat.pk)
        verb = FLAT_LIFECYCLE.verb_to(locked.status, target)
        if verb is None:
            label = FLAT_LIFECYCLE.label
            raise ValidationError(
                ERROR_FLAT_TRANSITION
                % {"code": locked.code, "status": label(locked.status), "target": label(target)},
                code="transition",
            )
        flats_move([flat], verb, by=by, reason=reason)
        # The boards of selection days over this building follow it (their desks count their
        # own changes instead: Desk.version).
        Building.objects.filter(pk=locked.building_id).touch()
    return flat
