"""Searching households without a full ID number in any address.

Addresses end up in browser history, proxy and server logs and Referer headers, so searches
by ID number go by its last characters only (at most MAX_ID_DIGITS), as on the staff pages. The
admin's search form posts its terms; they come back as an address through `search_terms`,
which turns a full ID number typed in either box into its last characters.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from resettlement.households.forms import MAX_ID_DIGITS

# A run of 15 or more ID characters: a whole ID number (15 or 18 characters), or more of one
# than any address may hold. Agreement numbers have shorter runs of digits.
_ID_RUN = re.compile(r"[0-9]{14,}[0-9X]")
_SEPARATORS = re.compile(r"[\s\-]+")

MESSAGE_SHORTENED = _(
    "ID numbers never go into addresses: searched by the last %(count)d characters instead."
)


@dataclass(frozen=True)
class SearchTerms:
    text: str  # agreement number or name
    id_digits: str  # the last characters of an ID number
    shortened: bool  # an ID number (or too much of one) was cut to its last characters


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def search_terms(text: str, id_digits: str) -> SearchTerms:
    """The terms to put in an address: no text holding an ID number, and at most
    MAX_ID_DIGITS characters of one."""
    digits = _compact(id_digits)
    shortened = len(digits) > MAX_ID_DIGITS
    text = text.strip()
    run = _ID_RUN.search(_compact(text))
    if run is not None:
        digits = digits or run.group()
        text, shortened = "", True
    return SearchTerms(text=text, id_digits=digits[-MAX_ID_DIGITS:], shortened=shortened)
