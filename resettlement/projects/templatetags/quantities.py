"""Areas and amounts as people read them: always two decimals, never a float's noise.

A sum over a decimal column comes back from SQLite as a float (`19284.3300000001`); a
column read as such is already quantized. Every template shows areas with `|area` (m²) and
money with `|yuan`, whatever the value's type."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()

CENT = Decimal("0.01")


def _two_decimals(value) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return formats.number_format(number, decimal_pos=2)


@register.filter
def area(value) -> str:
    """An area in m², to the hundredth."""
    return _two_decimals(value)


@register.filter
def yuan(value) -> str:
    """An amount in yuan, to the fen."""
    return _two_decimals(value)
