"""Typed values from loosely typed input: spreadsheet cells, form strings, JSON.

Registers arrive as Excel files where a number may be a float, a string with a unit ("85.5㎡")
or full-width digits, and a date may be a datetime, "2024/5/1" or "2024年5月1日". Every import,
form and API serializer parses through these functions, so a value is accepted or refused the
same way, with the same message, wherever it comes from.
"""

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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

_UNITS = re.compile(r"(㎡|m²|m2|平方米|平米|元|人|层|户)$", re.IGNORECASE)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# The dates a resettlement record can carry (agreements, construction, draws, selection days):
# from the founding of the PRC to the end of the century. A date outside is a typo (0001-01-01,
# 2205-06-01) that would otherwise be stored and break every duration computed from it.
DATE_EARLIEST = datetime.date(1949, 10, 1)
DATE_LATEST = datetime.date(2100, 12, 31)
_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
_NO = frozenset({"否", "n", "no", "false", "0", "×", "无", "-"})


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


def parse_decimal(
    value: object, *, places: int = 2, positive: bool = True, required: bool = True
) -> Decimal | None:
    if is_blank(value):
        if required:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return None
    if isinstance(value, bool):
        raise ValidationError(ERROR_NOT_A_NUMBER, code="invalid")
    if isinstance(value, float):
        # Excel stores 85.5 as a binary float; round away representation noise first.
        text = repr(round(value, 8))
    else:
        text = _UNITS.sub("", unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(ERROR_NOT_A_NUMBER, code="invalid") from None
    if not number.is_finite():
        raise ValidationError(ERROR_NOT_A_NUMBER, code="invalid")
    if positive and number <= 0:
        raise ValidationError(ERROR_NOT_POSITIVE, code="not_positive")
    if number < 0:
        raise ValidationError(ERROR_NEGATIVE, code="negative")
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum, rounding=ROUND_HALF_UP):
        raise ValidationError(ERROR_TOO_MANY_DECIMALS, code="decimals", params={"places": places})
    return number.quantize(quantum)


def parse_int(value: object, *, minimum: int, maximum: int, required: bool = True) -> int | None:
    if is_blank(value):
        if required:
            raise ValidationError(ERROR_REQUIRED, code="required")
        return None
    if isinstance(value, bool):
        raise ValidationError(ERROR_NOT_AN_INTEGER, code="invalid")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(ERROR_NOT_AN_INTEGER, code="invalid")
        number = int(value)
    else:
        text = _UNITS.sub("", unicodedata.normalize("NFKC", str(value)).strip())
        if not re.fullmatch(r"-?\d+", text):
            raise ValidationError(ERROR_NOT_AN_INTEGER, code="invalid")
        number = int(text)
    if not minimum <= number <= maximum:
        raise ValidationError(
            ERROR_OUT_OF_RANGE, code="range", params={"minimum": minimum, "maximum": maximum}
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
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValidationError(ERROR_NOT_A_DATE, code="invalid")


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
    aliases: dict[str, str] | None = None,
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
