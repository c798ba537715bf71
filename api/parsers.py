"""The API's JSON parser: a body is one JSON object, bounded in size and nesting depth, whose
text the database and the documents can store.

Python's `json` recurses once per nesting level: a body nested thousands of levels deep raised
RecursionError, which DRF does not expect (a 500). That error now means "too deep", and the
depth of what did parse is measured without recursion. NUL, other control characters and
unpaired surrogates cannot be stored by PostgreSQL (or written to a workbook), so text that
carries them is refused here rather than failing deep inside a query.
"""

import codecs
import json
import re

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

# Tab, line feed and carriage return are text; other C0 controls, surrogates (only unpaired
# ones survive decoding) and the non-characters U+FFFE/U+FFFF are not.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def nesting_and_text(data) -> tuple[int, list[str]]:
    """How deep parsed JSON nests arrays and objects (an object alone is 1), and every key and
    string value in it; without recursion."""
    depth = 0
    texts: list[str] = []
    pending = [(data, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            depth = max(depth, level)
            texts.extend(item)
            pending.extend((value, level + 1) for value in item.values())
        elif isinstance(item, list):
            depth = max(depth, level)
            pending.extend((value, level + 1) for value in item)
        elif isinstance(item, str):
            texts.append(item)
    return depth, texts


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


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
        try:
            data = json.loads(text, parse_constant=self._refuse_constant if self.strict else None)
        except RecursionError:
            raise exceptions.ParseError(ERROR_TOO_DEEP % {"limit": MAX_DEPTH}) from None
        except ValueError as error:
            raise exceptions.ParseError(ERROR_MALFORMED % {"detail": error}) from None
        if not isinstance(data, dict):
            raise exceptions.ParseError(ERROR_NOT_AN_OBJECT)
        depth, texts = nesting_and_text(data)
        if depth > MAX_DEPTH:
            raise exceptions.ParseError(ERROR_TOO_DEEP % {"limit": MAX_DEPTH})
        if any(FORBIDDEN_CHARACTERS.search(text) for text in texts):
            raise exceptions.ParseError(ERROR_FORBIDDEN_CHARACTERS)
        return data

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"{name} is not valid JSON")
