"""The client's address as this application may trust it (the /verify/ rate limit counts by
it): REMOTE_ADDR, unless TRUSTED_PROXY_HOPS proxies stand in front of the application (1 by
default with BEHIND_TLS_PROXY). Then REMOTE_ADDR is the nearest proxy's, and the client's is
the entry that the outermost trusted proxy appended to X-Forwarded-For: the n-th from the right
(nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`). Entries left of it
are whatever the client sent, and never trusted; an entry that is not an address falls back to
REMOTE_ADDR."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if not hops:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote
