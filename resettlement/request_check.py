"""Refuse requests whose address or form carries characters no field of this application
takes (control characters or broken UTF-8 in the path or query string, NUL in a form), and
requests whose body is larger than any upload the application takes (REQUEST_MAX_MB, 413)
before a byte of it is read: each kind of upload has its own, smaller limit besides
(registers, GIS files, photos), checked by its form or while it is read.

A NUL byte in a query parameter or a path segment reached PostgreSQL, which cannot store or
compare it ("PostgreSQL text fields cannot contain NUL"): a 500 on every list filter and
detail lookup, and on a form field a view read without a Django form. No address needs a
control character and no form a NUL, so the request is answered with 400 before any view,
form or query sees it, on every database. (API bodies are checked by api.parsers.)
"""

import re
from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

ERROR_URL = _("The address contains control characters (such as NUL) or is not valid UTF-8.")
ERROR_FORM = _("The form contains a NUL character.")
ERROR_BODY_TOO_LARGE = _("The request is larger than %(limit)s MB, more than any upload takes.")

# C0 controls and DEL; surrogates cannot survive strict UTF-8 decoding.
_CONTROL = re.compile("[\x00-\x1f\x7f]")
# Only url-encoded forms: reading a multipart body here would parse every upload before its
# view could choose its upload handlers (the geodata page refuses an oversized file while the
# request is read). Uploads go through Django forms, whose text fields refuse NUL themselves.
_FORMS = ("application/x-www-form-urlencoded",)


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


def body_is_bounded(request) -> bool:
    """Whether the body the request declares fits REQUEST_MAX_MB (a body is never read past
    its declared length)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True  # Django reads such a body as empty
    return length <= settings.REQUEST_MAX_MB * 1024 * 1024


def form_is_clean(request) -> bool:
    """Whether a page's posted form is free of NUL (the CSRF check parses it anyway)."""
    if request.method != "POST" or request.content_type not in _FORMS or _is_api(request):
        return True
    try:
        fields = request.POST.lists()
    except UnreadablePostError:
        return True  # the client went away; the CSRF check answers that
    return not any("\x00" in text for name, values in fields for text in (name, *values))


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class RequestCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not url_is_clean(request):
            return _refusal(request, ERROR_URL)
        if not body_is_bounded(request):
            limit = {"limit": settings.REQUEST_MAX_MB}
            return _refusal(request, ERROR_BODY_TOO_LARGE % limit, status=413)
        if not form_is_clean(request):
            return _refusal(request, ERROR_FORM)
        return self.get_response(request)


def _refusal(request, message, *, status: int = 400) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": str(message)}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    # The site's plain error page (no request, no database: this runs before the session).
    return HttpResponse(render_to_string("400.html", {"message": message}), status=status)
