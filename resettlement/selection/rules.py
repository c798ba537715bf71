"""An event's rules before it opens: limits, the countdown, the absent rule, the excess price
tiers (copied from the project at creation) and floor price adjustments (楼层差价).

Once the event opens the rules are fixed: every household of the day is settled by the same
ones."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.selection.models import (
    EVENT_LIFECYCLE,
    FloorAdjustment,
    PriceTier,
    SelectionEvent,
)
from resettlement.selection.settlement import FloorRate, Tier, excess_cap

RULE_FIELDS = (
    "max_flats",
    "allowed_excess",
    "shortfall_refund_price",
    "allowed_layouts",
    "absent_rule",
    "countdown_seconds",
    "extension_seconds",
)

ERROR_TIER_TWICE = _("Two price tiers end at %(bound)s m².")
ERROR_FLOOR_ORDER = _("Floors %(start)s–%(end)s: the first floor is above the last.")
ERROR_FLOOR_OVERLAP = _("Floors %(first)s and %(second)s overlap.")
ERROR_EXCESS_ABOVE_TIERS = _(
    "%(allowed)s m² allowed above the entitlement, but the price tiers end at %(highest)s m²: "
    "add a tier or lower the allowance."
)


def event_rules_set(
    *,
    event: SelectionEvent,
    values: dict,
    tiers: Sequence[tuple[Decimal, Decimal]],
    floors: Sequence[tuple[int, int, Decimal]],
    by: User | None = None,
) -> SelectionEvent:
    """Replace the event's rules; `tiers` are (up to m² over, yuan per m²), `floors` are
    (from floor, to floor, yuan per m²). Everything is checked before anything is written."""
    EVENT_LIFECYCLE.check("edit_rules", event.status)
    errors = []
    bounds = [bound for bound, _price in tiers]
    for bound in sorted({b for b in bounds if bounds.count(b) > 1}):
        errors.append(ERROR_TIER_TWICE % {"bound": bound})
    ranges = sorted(floors)
    for start, end, _rate in ranges:
        if start > end:
            errors.append(ERROR_FLOOR_ORDER % {"start": start, "end": end})
    for (start, end, _r1), (next_start, next_end, _r2) in itertools.pairwise(ranges):
        if next_start <= end:
            errors.append(
                ERROR_FLOOR_OVERLAP
                % {"first": f"{start}–{end}", "second": f"{next_start}–{next_end}"}
            )
    allowed = values.get("allowed_excess", event.allowed_excess)
    highest = max(bounds, default=Decimal(0))
    if allowed is not None and allowed > highest:
        errors.append(ERROR_EXCESS_ABOVE_TIERS % {"allowed": allowed, "highest": highest})
    if errors:
        raise ValidationError([str(error) for error in errors])
    # Compared with the database: a ModelForm has already set the values on the instance.
    stored = SelectionEvent.objects.filter(pk=event.pk).values(*RULE_FIELDS).get()
    fields = [name for name in RULE_FIELDS if name in values and stored[name] != values[name]]
    for name in fields:
        setattr(event, name, values[name])
    event.full_clean(exclude=["buildings"])
    stored_tiers = event.price_tiers.values_list("up_to_excess", "price_per_m2")
    stored_floors = event.floor_adjustments.values_list("floor_from", "floor_to", "per_m2")
    with transaction.atomic():  # only what changed is written (and audited)
        if fields:
            history_author_set(event, by=by)
            event.save(update_fields=fields)
        if sorted(stored_tiers) != sorted(tiers):
            _rows_delete(event.price_tiers.all(), by=by)
            bulk_create_with_history(
                [PriceTier(event=event, up_to_excess=b, price_per_m2=p) for b, p in tiers],
                PriceTier,
                default_user=by,
            )
        if sorted(stored_floors) != ranges:
            _rows_delete(event.floor_adjustments.all(), by=by)
            bulk_create_with_history(
                [
                    FloorAdjustment(event=event, floor_from=start, floor_to=end, per_m2=rate)
                    for start, end, rate in ranges
                ],
                FloorAdjustment,
                default_user=by,
            )
    return event


def _rows_delete(stale, *, by: User | None) -> None:
    for row in stale:
        history_author_set(row, by=by)
        row.delete()


@dataclass(frozen=True)
class EventRules:
    """What every desk action checks against: the buildings and layouts on offer, the price
    tiers above the entitlement, the floor rates, and the most a household may choose above
    its entitlement (the event's allowance, never beyond the highest priced tier): the desk
    offers flats, locks them and settles them by this one cap."""

    building_ids: frozenset[int]
    layouts: tuple[str, ...]
    tiers: tuple[Tier, ...]
    floor_rates: tuple[FloorRate, ...]
    excess_cap: Decimal


# Rules of events that have opened, by (id, created): they can no longer change, so each process
# reads them once instead of three queries per lock and per confirmation.
_fixed_rules: dict[tuple, EventRules] = {}
FIXED_RULES_KEPT = 256


def rules_of(event: SelectionEvent) -> EventRules:
    key = (event.pk, event.created_at)
    fixed = not event.can_edit_rules
    if fixed and key in _fixed_rules:
        return _fixed_rules[key]
    tiers = tuple(
        Tier(bound, price)
        for bound, price in event.price_tiers.values_list("up_to_excess", "price_per_m2")
    )
    rules = EventRules(
        building_ids=frozenset(event.buildings.values_list("pk", flat=True)),
        layouts=tuple(event.layouts),
        tiers=tiers,
        excess_cap=excess_cap(tiers, event.allowed_excess),
        floor_rates=tuple(
            FloorRate(start, end, rate)
            for start, end, rate in event.floor_adjustments.values_list(
                "floor_from", "floor_to", "per_m2"
            )
        ),
    )
    if fixed:
        if len(_fixed_rules) >= FIXED_RULES_KEPT:
            _fixed_rules.clear()
        _fixed_rules[key] = rules
    return rules


def forget_fixed_rules() -> None:
    """For tests, whose rolled-back events may come back under the same id."""
    _fixed_rules.clear()
