"""Refuse request URLs whose path or query string carries control characters or is not UTF-8.

A NUL byte in a query parameter or a path segment reached PostgreSQL, which cannot store or
compare it ("PostgreSQL text fields cannot contain NUL"): a 500 on every list filter and
detail lookup. No address of this application needs a control character, so the request is
answered with 400 before any view, form or query sees it, on every database.
"""

import re
from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

ERROR_URL = _("The address contains control characters (such as NUL) or is not valid UTF-8.")

# C0 controls and DEL; surrogates cannot survive strict UTF-8 decoding.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _raw(request, name: str) -> bytes:
    """The WSGI environ's value as the client sent it (WSGI decodes bytes as ISO-8859-1)."""
    value = request.META.get(name, "")
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:  # ASGI and test clients may pass text already decoded
        return value.encode("utf-8", errors="surrogatepass")


def _query_parts(query: bytes) -> Iterator[bytes]:
    for pair in re.split(rb"[&;]", query):
        for part in pair.split(b"=", 1):
            yield unquote_to_bytes(part.replace(b"+", b" "))


def url_is_clean(request) -> bool:
    """Whether the path and every query key and value decode as UTF-8 without controls."""
    try:
        for raw in (_raw(request, "PATH_INFO"), *_query_parts(_raw(request, "QUERY_STRING"))):
            if _CONTROL.search(raw.decode("utf-8")):
                return False
    except UnicodeDecodeError:
        return False
    return True


class UrlCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if url_is_clean(request):
            return self.get_response(request)
        message = str(ERROR_URL)
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
