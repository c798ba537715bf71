"""/healthz: whether this app server can serve, for load balancers, orchestrators and
operators: the database answers a query and the cache keeps and returns a value. 200 with
each part "ok", or 503 naming the part that failed (never the error's text: it may name hosts
or credentials). Anonymous, never cached, a few milliseconds; it reads no table. The served
benchmarks use it as the trivial view beside which every endpoint is measured."""

import logging
import os
import secrets
import threading

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: the database did not answer")
        return False


def _cache() -> bool:
    # A key per process and thread: app servers checked at the same time share the cache, and
    # one key for all had each overwrite the other's value (a healthy server answered 503).
    key = f"healthz:{os.getpid()}:{threading.get_ident()}"
    token = secrets.token_hex(8)
    try:
        cache.set(key, token, timeout=10)
        return cache.get(key) == token
    except Exception:
        logger.exception("health check: the cache did not answer")
        return False


@never_cache
@require_safe
def healthz(request):
    parts = {"database": _database(), "cache": _cache()}
    healthy = all(parts.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if fine else "failed" for name, fine in parts.items()})
    return JsonResponse(body, status=200 if healthy else 503)
