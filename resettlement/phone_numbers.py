"""Contact numbers: Chinese mobile numbers (11 digits, 1[3-9]...) and landlines (029-xxxxxxxx)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ERROR_PHONE = _(
    "Phone number must be an 11-digit mobile number (1[3-9]xxxxxxxxx) "
    "or a landline with area code (029-xxxxxxxx)."
)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$")
_COUNTRY_PREFIX = re.compile(r"^(\+?86|0086)(?=1[3-9]\d{9}$)")


def normalize_phone(value: str | None) -> str:
    """Stored form: a bare mobile number or `area-number[-extension]`; '' for blank input."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return ""
    text = re.sub(r"[\s()（）]", "", text).replace("—", "-").replace("－", "-")
    compact = _COUNTRY_PREFIX.sub("", text.replace("-", ""))
    if MOBILE.match(compact):
        return compact
    if LANDLINE.match(text):
        return text
    raise ValidationError(ERROR_PHONE, code="phone")


def validate_phone(value: str) -> None:
    normalize_phone(value)
