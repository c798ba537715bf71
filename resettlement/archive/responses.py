"""Serving stored documents: the stored bytes, a strong ETag (the SHA-256), Content-Length, a
Cache-Control that says who may keep a copy, and 304 Not Modified on a matching If-None-Match.
Nothing here renders anything."""

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from resettlement.archive.models import StoredDocument
from resettlement.archive.services import document_bytes

# Files that never change once stored at their address (a frozen roster, a drawn result).
PUBLIC_IMMUTABLE = "public, max-age=31536000, immutable"
# Public, but a new version may replace it (a notice gains a banner when its draw is replaced).
PUBLIC_REVISED = "public, max-age=300"
# Records with personal data: only the logged-in reader's browser sees them, and keeps nothing.
PRIVATE = "private, no-store"

PENDING_RETRY_SECONDS = 60
MESSAGE_PENDING = _(
    "This document is being prepared. Please try again in a minute or two; "
    "the page stays at the same address."
)


def document_response(
    request,
    document: StoredDocument,
    *,
    filename: str,
    cache_control: str,
    download: bool = False,
) -> HttpResponseBase:
    return _stored_response(
        request,
        etag=document.etag,
        read=lambda: document_bytes(document),
        content_type=document.media_type,
        filename=filename,
        cache_control=cache_control,
        download=download,
    )


def bytes_response(
    request,
    content: bytes,
    *,
    etag: str,
    content_type: str,
    filename: str | None,
    cache_control: str,
    download: bool = True,
) -> HttpResponseBase:
    """Fixed bytes held in memory (e.g. the verifier, a cached page), served like a stored
    document (a page, with no file name, is not offered as a file)."""
    return _stored_response(
        request,
        etag=etag,
        read=lambda: content,
        content_type=content_type,
        filename=filename,
        cache_control=cache_control,
        download=download,
    )


def document_pending(request) -> HttpResponse:
    """503 with Retry-After: the document is not rendered yet, and a reader never renders it."""
    response = render(request, "archive/pending.html", {"message": MESSAGE_PENDING}, status=503)
    response["Retry-After"] = str(PENDING_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _stored_response(
    request, *, etag, read, content_type, filename, cache_control, download
) -> HttpResponseBase:
    response = get_conditional_response(request, etag=etag)  # 304 (or 412 on If-Match)
    if response is None:
        content = read()
        response = HttpResponse(content, content_type=content_type)
        response["Content-Length"] = str(len(content))
        if filename is not None:
            response["Content-Disposition"] = content_disposition_header(download, filename)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
