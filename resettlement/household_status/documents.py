"""A household's own document, served to it (at /my/documents/<id>/ and through its API token):
the stored bytes as printed, private to its reader."""

from django.http import Http404
from django.http.response import HttpResponseBase

from resettlement.archive.models import IssuedDocument, IssuedStatus
from resettlement.archive.responses import PRIVATE, document_response
from resettlement.households.models import Household


def own_document_response(request, household: Household, pk: int) -> HttpResponseBase:
    """Another household's document, a voided one or one not yet rendered: 404, whichever it
    is."""
    document = (
        IssuedDocument.objects.filter(pk=pk, household=household, stored__isnull=False)
        .exclude(status=IssuedStatus.VOIDED)
        .select_related("stored")
        .first()
    )
    if document is None:
        raise Http404
    return document_response(
        request, document.stored, filename=f"{document.number}.pdf", cache_control=PRIVATE
    )
