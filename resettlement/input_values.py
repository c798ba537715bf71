"""Typed values from loosely typed input: spreadsheet cells, form strings, JSON.

Registers arrive as Excel files where a number may be a float, a string with a unit ("85.5㎡")
or full-width digits, and a date may be a datetime, "2024/5/1" or "2024年5月1日". Every import,
form and API serializer parses through these functions, so a value is accepted or refused the
same way, with the same message, wherever it comes from.
"""

import datetime
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ERROR_REQUIRED = _("This value is required.")
ERROR_TOO_LONG = _("At most %(limit)s characters.")
ERROR_NOT_A_NUMBER = _("Not a number.")
ERROR_NOT_POSITIVE = _("Must be a positive number.")
ERROR_NEGATIVE = _("Must not be negative.")
ERROR_TOO_MANY_DECIMALS = _("At most %(places)s decimal places.")
ERROR_NOT_AN_INTEGER = _("Must be a whole number.")
ERROR_OUT_OF_RANGE = _("Must be between %(minimum)s and %(maximum)s.")
ERROR_NOT_A_DATE = _("Not a date (use 2024-05-01).")
ERROR_DATE_RANGE = _("Must be a date between %(earliest)s and %(latest)s.")
ERROR_NOT_YES_NO = _('Use "是" or "否".')
ERROR_NOT_A_CHOICE = _("Not one of: %(choices)s.")
ERROR_AMBIGUOUS_COMMA = _(
    "“%(value)s” is ambiguous: its comma is not a thousands separator (groups of three digits, "
    "as in 1,234.5) and is not taken for a decimal point. Write decimals with a point: 86.5."
)

_UNITS = re.compile(r"\s*(㎡|m²|m2|平方米|平米|元|人|层|户)$", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$"),
    re.compile(rf"^(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日?{_TIME}$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# Excel counts days from 1899-12-30 (its 1900 date system, past the phantom 1900-02-29): a date
# typed into a cell formatted "General" (常规) arrives as that count, 45418 for 2024-05-06.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
# The dates a resettlement record can carry (agreements, construction, draws, selection days):
# from the founding of the PRC to the end of the century. A date outside is a typo (0001-01-01,
# 2205-06-01) that would otherwise be stored and break every duration computed from it.
DATE_EARLIEST = datetime.date(1949, 10, 1)
DATE_LATEST = datetime.date(2100, 12, 31)
_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
_NO = frozenset({"否", "n", "no", "false", "0", "×", "无", "-"})


@dataclass(frozen=True)
class ColumnRange:
    """The values a numeric column holds (see `resettlement.column_ranges`, which reads them
    from the model fields)."""

    minimum: int | Decimal
    maximum: int | Decimal
    places: int | None = None  # decimal places of a decimal column; None for whole numbers
    digits: int | None = None  # its max_digits

    def check(self, value: int | Decimal) -> None:
        """Refuse (ValidationError) a value the column cannot hold."""
        if not self.minimum <= value <= self.maximum:
            raise ValidationError(
                ERROR_OUT_OF_RANGE,
                code="range",
                params={"minimum": self.minimum, "maximum": self.maximum},
            )


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: object, *, required: bool = True, max_length: int | None = None) -> str:
    """Trimmed, NFKC-normalised text (full-width letters and digits folded, spaces collapsed)."""
    if is_blank(value):
        if required:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
    if max_length is not None and len(text) > max_length:
        raise ValidationError(ERROR_TOO_LONG, code="max_length", params={"limit": max_length})
    return text


def parse_note(value: object, *, max_length: int) -> str:
    """Free text as written: its lines and punctuation kept (full-width "：" and "，" are
    Chinese punctuation, not typos to fold), line breaks as LF, blank ends trimmed."""
    if is_blank(value):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_length:
        raise ValidationError(ERROR_TOO_LONG, code="max_length", params={"limit": max_length})
    return text


def parse_name(value: object, *, required: bool = True, max_length: int = 50) -> str:
    """A person's name as Chinese names are written: no space between two Chinese characters
    ("王　伟" and "王 伟" are 王伟), none of the invisible characters that copying from web pages
    and chat programs leaves; spaces elsewhere ("Ma Li", "买买提 · 艾力") are kept, collapsed."""
    text = parse_text(without_invisible(value), required=required)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    if len(text) > max_length:
        raise ValidationError(ERROR_TOO_LONG, code="max_length", params={"limit": max_length})
    return text


def without_invisible(value: object) -> object:
    """`value` without format characters (zero-width spaces and joiners, byte-order marks,
    direction marks): they show as nothing and make equal-looking texts differ."""
    if not isinstance(value, str):
        return value
    return "".join(char for char in value if unicodedata.category(char) != "Cf")


def _number_text(value: object) -> str:
    """The digits of a number written as text: NFKC-folded (full-width digits, "，"), a unit
    dropped, thousands separators removed only where well-formed (1,234.5). A comma anywhere else
    ("86,5") could be a decimal comma or a mistyped separator: refused, never guessed."""
    typed = str(value).strip()
    text = _UNITS.sub("", unicodedata.normalize("NFKC", typed).strip())
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            raise ValidationError(ERROR_AMBIGUOUS_COMMA, code="ambiguous", params={"value": typed})
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValidationError(ERROR_NOT_A_NUMBER, code="invalid")
    return text


def parse_decimal(
    value: object,
    *,
    bounds: ColumnRange | None = None,
    places: int = 2,
    positive: bool = True,
    required: bool = True,
    quantize: bool = True,
) -> Decimal | None:
    """A decimal number with at most `places` decimals, held to `bounds` (the range of the
    column it is stored in, whose places it takes); with `quantize`, written to its places
    (86.5 -> 86.50), otherwise as given."""
    if is_blank(value):
        if required:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return None
    if isinstance(value, bool):
        raise ValidationError(ERROR_NOT_A_NUMBER, code="invalid")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Excel stores 85.5 as a binary float; round away representation noise first.
        number = Decimal(repr(round(value, 8)))
    else:
        number = Decimal(_number_text(value))
    if not number.is_finite():
        raise ValidationError(ERROR_NOT_A_NUMBER, code="invalid")
    if positive and number <= 0:
        raise ValidationError(ERROR_NOT_POSITIVE, code="not_positive")
    if number < 0 and (bounds is None or bounds.minimum >= 0):
        raise ValidationError(ERROR_NEGATIVE, code="negative")
    if bounds is not None and bounds.places is not None:
        places = bounds.places
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum, rounding=ROUND_HALF_UP):
        raise ValidationError(ERROR_TOO_MANY_DECIMALS, code="decimals", params={"places": places})
    if bounds is not None:
        bounds.check(number)
    return number.quantize(quantum) if quantize else number


def parse_int(
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    bounds: ColumnRange | None = None,
    required: bool = True,
) -> int | None:
    """A whole number between `minimum` and `maximum`, and within `bounds` (its column's)."""
    if is_blank(value):
        if required:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return None
    if isinstance(value, bool):
        raise ValidationError(ERROR_NOT_AN_INTEGER, code="invalid")
    if isinstance(value, float | Decimal):
        if not math.isfinite(value) or value != int(value):
            raise ValidationError(ERROR_NOT_AN_INTEGER, code="invalid")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = _number_text(value)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValidationError(ERROR_NOT_AN_INTEGER, code="invalid")
        number = int(text)
    low: int | Decimal | None = minimum
    high: int | Decimal | None = maximum
    if bounds is not None:
        low = bounds.minimum if low is None else max(low, bounds.minimum)
        high = bounds.maximum if high is None else min(high, bounds.maximum)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValidationError(
            ERROR_OUT_OF_RANGE, code="range", params={"minimum": low, "maximum": high}
        )
    return number


def parse_date(value: object, *, required: bool = False) -> datetime.date | None:
    """A date between DATE_EARLIEST and DATE_LATEST."""
    if is_blank(value):
        if required:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return None
    date = _as_date(value)
    date_in_range(date)
    return date


def _as_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValidationError(ERROR_NOT_A_DATE, code="invalid")


def _serial_date(number: float) -> datetime.date:
    """A number in a date column: 20240506 as typed, or Excel's day count (its time of day, if
    any, dropped as a datetime cell's is)."""
    if number == int(number) and 19000101 <= number <= 99991231:
        return _as_date(str(int(number)))
    if not 1 <= number <= EXCEL_LAST_SERIAL:
        raise ValidationError(ERROR_NOT_A_DATE, code="invalid")
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def date_in_range(value: datetime.date | None) -> None:
    """Validator of every date people enter (forms, the API, imports, model fields)."""
    if value is not None and not DATE_EARLIEST <= value <= DATE_LATEST:
        raise ValidationError(
            ERROR_DATE_RANGE,
            code="date_range",
            params={"earliest": DATE_EARLIEST.isoformat(), "latest": DATE_LATEST.isoformat()},
        )


def dates_out_of_range(**dates: datetime.date | None) -> dict[str, list[str]]:
    """Field -> message for each of these named dates outside the accepted range."""
    errors: dict[str, list[str]] = {}
    for name, value in dates.items():
        try:
            date_in_range(value)
        except ValidationError as error:
            errors[name] = error.messages
    return errors


def parse_bool(value: object) -> bool:
    """是/否 and their common spellings; a blank cell means no."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValidationError(ERROR_NOT_YES_NO, code="invalid")
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(ERROR_NOT_YES_NO, code="invalid")


@functools.cache
def choice_labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling of each choice (value, Chinese and English label) -> value."""
    accepted: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                accepted[str(label).lower()] = value
    for value in choices.values:
        accepted[value.lower()] = value
    return accepted


def parse_choice(
    value: object,
    choices: type[models.TextChoices],
    *,
    default: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """A choice by its value or its label in either language; `aliases` adds other spellings."""
    if is_blank(value):
        if default is None:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return default
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    accepted = choice_labels(choices)
    if text in accepted:
        return accepted[text]
    if aliases and text in aliases:
        return aliases[text]
    raise ValidationError(
        ERROR_NOT_A_CHOICE,
        code="invalid_choice",
        params={"choices": "、".join(str(label) for label in choices.labels)},
    )
