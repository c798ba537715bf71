"""/verify/<code>/: anyone holding a paper checks it, without signing in. The page shows only
what the paper itself states in public terms (kind, number, issue date, project, flats, the
head's masked name) and whether it stands.

An unknown code gets the same page (404) after the same single indexed query, so the answer's
time does not tell a near miss from a wild guess; each client address (behind a proxy, the one
it saw: resettlement.client_address) may ask VERIFY_RATE_PER_MINUTE times a minute (then 429),
so codes cannot be tried in bulk. The count lives in the cache: shared by every app server when
the cache is Redis (REDIS_URL), per process otherwise."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from resettlement.archive.registry import document_by_code
from resettlement.client_address import client_address
from resettlement.masking import mask_name

TEMPLATE = "archive/verify.html"


def rate_exceeded(request: HttpRequest) -> bool:
    """Count this request against its client address's minute; true once over the limit."""
    minute = int(time.time() // 60)
    key = f"verify-rate:{client_address(request)}:{minute}"
    cache.add(key, 0, timeout=61)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=61)
        count = 1
    return count > settings.VERIFY_RATE_PER_MINUTE


@never_cache
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if rate_exceeded(request):
        response = render(request, "archive/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    document = document_by_code(code)
    context = {
        "document": document,
        "masked_head": mask_name(document.household.head_name) if document else "",
    }
    return render(request, TEMPLATE, context, status=200 if document else 404)
