"""Area settlement (面积差价结算) of a selection: what a household pays for area chosen above its
entitlement (by price tier, up to the allowed excess), what it gets back for area below it,
and floor price adjustments (楼层差价). Amounts are in yuan, each line rounded to the fen."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from resettlement.rmb import rmb_upper

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

ERROR_OVER_EXCESS = _(
    "%(total)s m² chosen against %(entitled)s m² entitled: %(excess)s m² over, more than the "
    "%(allowed)s m² allowed."
)


class SettlementError(ValueError):
    pass


@dataclass(frozen=True)
class Tier:
    up_to_excess: Decimal  # m² above the entitlement this price applies up to
    price: Decimal  # yuan per m²


@dataclass(frozen=True)
class FloorRate:
    floor_from: int
    floor_to: int
    per_m2: Decimal  # yuan per m², may be negative (low floors cheaper)


@dataclass(frozen=True)
class ChosenFlat:
    code: str
    area: Decimal
    floor: int


@dataclass(frozen=True)
class TierLine:
    lower: Decimal
    upper: Decimal
    area: Decimal
    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FloorLine:
    code: str
    floor: int
    area: Decimal
    per_m2: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Settlement:
    entitled: Decimal
    total_area: Decimal
    excess: Decimal
    shortfall: Decimal
    tier_lines: tuple[TierLine, ...] = field(default=())
    excess_amount: Decimal = ZERO
    refund_price: Decimal = ZERO
    refund_amount: Decimal = ZERO
    floor_lines: tuple[FloorLine, ...] = field(default=())
    floor_amount: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """Positive: the household pays; negative: it is paid back."""
        return self.excess_amount + self.floor_amount - self.refund_amount

    @property
    def balance_in_words(self) -> str:
        return rmb_upper(abs(self.balance))

    def as_json(self) -> dict:
        tier_keys = ("lower", "upper", "area", "price", "amount")
        floor_keys = ("area", "per_m2", "amount")
        return {
            "tiers": [
                {key: str(getattr(line, key)) for key in tier_keys} for line in self.tier_lines
            ],
            "floors": [
                {"code": line.code, "floor": line.floor}
                | {key: str(getattr(line, key)) for key in floor_keys}
                for line in self.floor_lines
            ],
        }


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def excess_cap(tiers: Sequence[Tier], allowed_excess: Decimal) -> Decimal:
    """The most a household may choose above its entitlement: the event's allowance, and never
    beyond the highest priced tier."""
    highest = max((tier.up_to_excess for tier in tiers), default=ZERO)
    return min(allowed_excess, highest)


def settle(
    *,
    entitled: Decimal,
    flats: Sequence[ChosenFlat],
    tiers: Sequence[Tier],
    refund_price: Decimal | None,
    floor_rates: Sequence[FloorRate] = (),
    allowed_excess: Decimal,
) -> Settlement:
    total = sum((flat.area for flat in flats), ZERO)
    excess = max(total - entitled, ZERO)
    shortfall = max(entitled - total, ZERO)
    cap = excess_cap(tiers, allowed_excess)
    if excess > cap:
        raise SettlementError(
            ERROR_OVER_EXCESS
            % {"total": total, "entitled": entitled, "excess": excess, "allowed": cap}
        )
    lines = []
    lower = ZERO
    for tier in sorted(tiers, key=lambda tier: tier.up_to_excess):
        portion = min(max(excess - lower, ZERO), tier.up_to_excess - lower)
        if portion > 0:
            lines.append(
                TierLine(
                    lower, tier.up_to_excess, portion, tier.price, _money(portion * tier.price)
                )
            )
        lower = tier.up_to_excess
    floor_lines = []
    for flat in flats:
        rate = next((r for r in floor_rates if r.floor_from <= flat.floor <= r.floor_to), None)
        if rate is not None and rate.per_m2:
            floor_lines.append(
                FloorLine(
                    flat.code, flat.floor, flat.area, rate.per_m2, _money(flat.area * rate.per_m2)
                )
            )
    refund_price = refund_price or ZERO
    return Settlement(
        entitled=entitled,
        total_area=total,
        excess=excess,
        shortfall=shortfall,
        tier_lines=tuple(lines),
        excess_amount=sum((line.amount for line in lines), ZERO),
        refund_price=refund_price,
        refund_amount=_money(shortfall * refund_price),
        floor_lines=tuple(floor_lines),
        floor_amount=sum((line.amount for line in floor_lines), ZERO),
    )
