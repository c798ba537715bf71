"""The API's JSON parser: a body is one JSON object, bounded in size and nesting depth, whose
text the database and the documents can store.

Python's `json` recurses once per nesting level, so a body nested thousands of levels deep
raised RecursionError (a 500); the depth is therefore measured on the raw text, without
recursion, before parsing. NUL, other control characters and unpaired surrogates cannot be
stored by PostgreSQL (or written to a workbook), so text that carries them is refused here
rather than failing deep inside a query.
"""

import codecs
import json
import re
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

ERROR_TOO_LARGE = _("The JSON body is larger than %(limit)s KB.")
ERROR_TOO_DEEP = _("The JSON body is nested more than %(limit)s levels deep.")
ERROR_MALFORMED = _("The body is not valid JSON: %(detail)s")
ERROR_NOT_AN_OBJECT = _("The request body must be a JSON object.")
ERROR_FORBIDDEN_CHARACTERS = _(
    "Text in the JSON body contains control characters (such as NUL) or unpaired surrogates."
)

# Inside a JSON string: anything but a quote or a backslash, or an escape.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIRS = re.compile(r"\[\]|\{\}")
# Tab, line feed and carriage return are text; other C0 controls, surrogates (only unpaired
# ones survive decoding) and the non-characters U+FFFE/U+FFFF are not.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def nesting_depth_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` deep.

    Strings are removed, then the innermost bracket pairs, one level per pass (each pass is
    one regular-expression substitution, so at most `limit + 1` passes over the brackets).
    Brackets that never pair up are malformed JSON: reported as too deep too, since `json`
    would recurse through them before noticing.
    """
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    for _level in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST_PAIRS.subn("", brackets)
        if not removed:
            return True
    return bool(brackets)


def _strings(data) -> Iterator[str]:
    """Every key and string value of parsed JSON (depth already bounded)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the limits above; errors are 400 (413 for size) with a message."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        raw = stream.read(MAX_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BYTES:
            raise PayloadTooLarge(ERROR_TOO_LARGE % {"limit": MAX_BYTES // 1024})
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError(ERROR_MALFORMED % {"detail": error}) from None
        if nesting_depth_exceeds(text, MAX_DEPTH):
            raise exceptions.ParseError(ERROR_TOO_DEEP % {"limit": MAX_DEPTH})
        try:
            data = json.loads(text, parse_constant=self._refuse_constant if self.strict else None)
        except ValueError as error:
            raise exceptions.ParseError(ERROR_MALFORMED % {"detail": error}) from None
        if not isinstance(data, dict):
            raise exceptions.ParseError(ERROR_NOT_AN_OBJECT)
        if any(FORBIDDEN_CHARACTERS.search(text) for text in _strings(data)):
            raise exceptions.ParseError(ERROR_FORBIDDEN_CHARACTERS)
        return data

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"{name} is not valid JSON")
