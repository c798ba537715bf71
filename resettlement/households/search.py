"""Searching households without a full ID number in any address.

Addresses end up in browser history, proxy and server logs and Referer headers, so searches
by ID number go by their last characters only (at most MAX_ID_DIGITS). The search forms (the
staff page's and the admin's) post their terms; `search_redirect` answers with the list's
address, where a full ID number typed in either box has become its last characters.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from resettlement.households.forms import MAX_ID_DIGITS

TEXT_VAR = "q"
ID_DIGITS_VAR = "id_digits"
_NOT_CARRIED = frozenset({TEXT_VAR, ID_DIGITS_VAR, "page", "p", "csrfmiddlewaretoken"})

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


def search_redirect(request, url: str, source) -> HttpResponseRedirect:
    """To the list at `url` searched by `source` (the posted form, or the query of an address
    that held an ID number), with the other filters kept and the ID terms shortened."""
    terms = search_terms(source.get(TEXT_VAR, ""), source.get(ID_DIGITS_VAR, ""))
    params = {name: value for name, value in source.items() if name not in _NOT_CARRIED and value}
    if terms.text:
        params[TEXT_VAR] = terms.text
    if terms.id_digits:
        params[ID_DIGITS_VAR] = terms.id_digits
    if terms.shortened:
        messages.info(request, MESSAGE_SHORTENED % {"count": MAX_ID_DIGITS})
    return HttpResponseRedirect(f"{url}?{urlencode(params)}" if params else url)


def holds_id_number(query) -> bool:
    """Whether this address query holds an ID number (or too much of one)."""
    return search_terms(query.get(TEXT_VAR, ""), query.get(ID_DIGITS_VAR, "")).shortened
