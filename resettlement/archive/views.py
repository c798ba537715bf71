"""/verify/<code>/: anyone holding a paper checks it, without signing in. The page shows only
what the paper itself states in public terms (kind, number, issue date, project, flats, the
head's masked name) and whether it stands."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from resettlement.archive.registry import document_by_code
from resettlement.masking import mask_name


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    document = document_by_code(code)
    context = {
        "document": document,
        "masked_head": mask_name(document.household.head_name) if document else "",
    }
    return render(request, "archive/verify.html", context, status=200 if document else 404)
