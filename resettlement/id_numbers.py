"""Resident ID numbers (居民身份证号码, GB 11643-1999).

18 characters: a 6-digit area code, the birth date YYYYMMDD, a 3-digit sequence (odd for men)
and a check character. Input may carry full-width digits, spaces or a lowercase x; numbers are
stored normalised. An old 15-digit number (YYMMDD birth date, no check character) is upgraded to
its 18-digit form, which is what the holder's current card shows.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"

ERROR_REQUIRED = _("ID number is required.")
ERROR_LENGTH = _("ID number must have 18 characters (or 15 for an old number).")
ERROR_CHARACTERS = _("ID number may contain only digits and a final X.")
ERROR_AREA = _("ID number starts with an invalid area code.")
ERROR_BIRTH_DATE = _("ID number contains an invalid birth date.")
ERROR_CHECKSUM = _("ID number check character is wrong (GB 11643 checksum).")
ERROR_STORED_AS_NUMBER = _(
    "The ID number was stored as a number, which loses its last digits; "
    "format the column as text and enter it again."
)

ERROR_SCIENTIFIC = _(
    "The ID number was typed as %(value)s, the way Excel shows a long number in scientific "
    "notation: its last digits are lost. Format the column as text and enter the full number."
)
ERROR_APOSTROPHE = _(
    "The ID number starts with an apostrophe (%(mark)s) that is part of the text; delete it."
)
ERROR_INVISIBLE = _(
    "The ID number contains an invisible character, %(character)s (often left by copying from "
    "a web page or a chat); delete it and enter the number again."
)
_EIGHTEEN = re.compile(r"^\d{17}[\dX]$")
_FIFTEEN = re.compile(r"^\d{15}$")
_SEPARATORS = re.compile(r"[\s\-]+")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")
_APOSTROPHES = "'‘’`"
# Invisible in a cell: no-break spaces (which NFKC would silently fold into ordinary spaces).
_NO_BREAK_SPACES = "\u00a0\u2007\u202f"


def check_character(first_seventeen: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_seventeen, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def _clean_text(value: str) -> str:
    # NFKC folds full-width digits, Ｘ and the ideographic space into their ASCII forms.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def _birth_date(text: str) -> datetime.date:
    try:
        born = datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValidationError(ERROR_BIRTH_DATE, code="birth_date") from None
    if born.year < 1900 or born > datetime.date.today():  # noqa: DTZ011 (a calendar date)
        raise ValidationError(ERROR_BIRTH_DATE, code="birth_date")
    return born


def normalize_id_number(value: object) -> str:
    """The stored form of an ID number; ValidationError with a specific message if invalid."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A spreadsheet cell holding 6.10113199001011e17: the digits are already gone.
        raise ValidationError(ERROR_STORED_AS_NUMBER, code="stored_as_number")
    _visible_text_check(str(value or ""))
    text = _clean_text(str(value or ""))
    if _SCIENTIFIC.match(text):
        raise ValidationError(
            ERROR_SCIENTIFIC, code="scientific", params={"value": str(value).strip()}
        )
    if not text:
        raise ValidationError(ERROR_REQUIRED, code="required")
    if len(text) not in (15, 18):
        raise ValidationError(ERROR_LENGTH, code="length")
    if not (_EIGHTEEN.match(text) or _FIFTEEN.match(text)):
        raise ValidationError(ERROR_CHARACTERS, code="characters")
    if text[0] == "0":
        raise ValidationError(ERROR_AREA, code="area")
    if len(text) == 15:
        body = f"{text[:6]}19{text[6:]}"
        _birth_date(body[6:14])
        return body + check_character(body)
    _birth_date(text[6:14])
    if check_character(text[:17]) != text[17]:
        raise ValidationError(ERROR_CHECKSUM, code="checksum")
    return text


def _visible_text_check(text: str) -> None:
    """Name what a spreadsheet hides: an apostrophe typed into a text cell, and characters that
    show as nothing."""
    stripped = text.strip()
    if stripped and stripped[0] in _APOSTROPHES:
        raise ValidationError(ERROR_APOSTROPHE, code="apostrophe", params={"mark": stripped[0]})
    for char in text:
        if char in _NO_BREAK_SPACES or unicodedata.category(char) == "Cf":
            name = unicodedata.name(char, "")
            raise ValidationError(
                ERROR_INVISIBLE,
                code="invisible",
                params={"character": f"U+{ord(char):04X} {name}".strip()},
            )


def is_valid_id_number(value: object) -> bool:
    try:
        normalize_id_number(value)
    except ValidationError:
        return False
    return True


def birth_date_of(id_number: str) -> datetime.date:
    """Birth date of a normalised 18-digit ID number."""
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def validate_id_number(value: str) -> None:
    """Django validator form of normalize_id_number, for model and form fields."""
    normalize_id_number(value)
