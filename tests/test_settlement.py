from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resettlement.rmb import rmb_upper
from resettlement.selection.settlement import ChosenFlat, FloorRate, SettlementError, Tier, settle

D = Decimal
TIERS = [Tier(D(15), D("4200.00")), Tier(D(30), D("6300.00"))]
areas = st.decimals(min_value=D("30.00"), max_value=D("160.00"), places=2)


def flats(*specs):
    return [ChosenFlat(f"3-1-{floor}01", D(area), floor) for area, floor in specs]


def test_excess_is_priced_by_tier_and_shortfall_refunded():
    result = settle(entitled=D(100), flats=flats(("96.35", 15), ("22.65", 3)), tiers=TIERS,
                    refund_price=D(4000), allowed_excess=D(30))  # fmt: skip
    assert result.total_area == D("119.00") and result.excess == D("19.00")
    assert [line.amount for line in result.tier_lines] == [D("63000.00"), D("25200.00")]
    assert result.balance == D("88200.00")
    below = settle(
        entitled=D(100),
        flats=flats(("90.50", 5)),
        tiers=TIERS,
        refund_price=D(4000),
        allowed_excess=D(30),
    )
    assert below.refund_amount == D("38000.00") and below.balance == D("-38000.00")


def test_floor_adjustments_apply_per_flat():
    rates = [FloorRate(1, 2, D(-100)), FloorRate(10, 33, D(150))]
    result = settle(entitled=D(200), flats=flats(("96.35", 15), ("80.00", 1)), tiers=TIERS,
                    refund_price=None, floor_rates=rates, allowed_excess=D(30))  # fmt: skip
    assert [line.amount for line in result.floor_lines] == [D("14452.50"), D("-8000.00")]
    assert result.floor_amount == D("6452.50")


def test_area_beyond_the_allowed_excess_is_refused():
    with pytest.raises(SettlementError, match="30"):
        settle(
            entitled=D(100),
            flats=flats(("131.00", 8)),
            tiers=TIERS,
            refund_price=None,
            allowed_excess=D(30),
        )
    with pytest.raises(SettlementError):
        settle(
            entitled=D(100),
            flats=flats(("110.00", 8)),
            tiers=TIERS,
            refund_price=None,
            allowed_excess=D(5),
        )


@given(st.lists(areas, min_size=1, max_size=3), areas, st.integers(1, 33))
def test_settlement_invariants(chosen, entitled, floor):
    chosen_flats = [ChosenFlat(f"f{i}", area, floor) for i, area in enumerate(chosen)]
    try:
        result = settle(entitled=entitled, flats=chosen_flats, tiers=TIERS, refund_price=D(3900),
                        floor_rates=[FloorRate(10, 33, D(100))], allowed_excess=D(30))  # fmt: skip
    except SettlementError:
        assert sum(chosen) - entitled > 30
        return
    assert result.total_area == sum(chosen)
    assert result.excess * result.shortfall == 0
    assert result.total_area - result.excess + result.shortfall == entitled
    assert sum(line.area for line in result.tier_lines) == result.excess
    assert all(line.area <= line.upper - line.lower for line in result.tier_lines)
    assert result.excess_amount == sum(line.amount for line in result.tier_lines)
    assert result.balance == result.excess_amount + result.floor_amount - result.refund_amount
    for amount in (result.excess_amount, result.refund_amount, result.floor_amount):
        assert amount == amount.quantize(D("0.01"))


@given(areas, areas, areas)
def test_more_area_never_costs_less(entitled, smaller, extra):
    bigger = smaller + extra / 10
    try:
        low = settle(
            entitled=entitled,
            flats=[ChosenFlat("a", smaller, 5)],
            tiers=TIERS,
            refund_price=D(3900),
            allowed_excess=D(30),
        )
        high = settle(
            entitled=entitled,
            flats=[ChosenFlat("a", bigger, 5)],
            tiers=TIERS,
            refund_price=D(3900),
            allowed_excess=D(30),
        )
    except SettlementError:
        return
    assert high.balance >= low.balance


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("10.50", "壹拾元伍角"),
        ("100.05", "壹佰元零伍分"),
        ("1005", "壹仟零伍元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("101000", "壹拾万壹仟元整"),
        ("88200", "捌万捌仟贰佰元整"),
        ("1010101.10", "壹佰零壹万零壹佰零壹元壹角"),
        ("100000001", "壹亿零壹元整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("-38000", "负叁万捌仟元整"),
    ],
)
def test_rmb_in_words(amount, words):
    assert rmb_upper(D(amount)) == words


DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def parse_rmb(text):
    """Read 大写 back into a number (for the round-trip property)."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_part, _, cents_part = text.partition("元") if "元" in text else ("", "", text)
    total, section, digit = 0, 0, 0
    for char in yuan_part:
        if char in DIGIT:
            digit = DIGIT[char]
        elif char in UNIT:
            section += digit * UNIT[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    total += section + digit
    cents = 0
    for index, char in enumerate(cents_part):
        if char in ("角", "分") and cents_part[index - 1] in DIGIT:
            cents += DIGIT[cents_part[index - 1]] * (10 if char == "角" else 1)
    return sign * (D(total) + D(cents) / 100)


@given(st.decimals(min_value=D("-99999999999.99"), max_value=D("99999999999.99"), places=2))
def test_rmb_in_words_reads_back(amount):
    words = rmb_upper(amount)
    assert parse_rmb(words) == amount
    assert "零零" not in words and not words.endswith("零")
