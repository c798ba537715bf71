"""Answers rebuilt only when their ETag changes: the body of a response whose ETag names every
input (data versions, scope, filters, date) is kept in the shared cache under that ETag and
the request's language, so the next request with the same ETag, from anyone in the same
scope, is one cache read. A change makes a new ETag; the old body simply expires."""

from collections.abc import Callable

from django.core.cache import cache
from django.utils.translation import get_language

KEEP_SECONDS = 600


def body_for(kind: str, etag: str, build: Callable[[], bytes]) -> bytes:
    key = f"body:{kind}:{get_language()}:" + etag.strip('"')
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, KEEP_SECONDS)
    return body
