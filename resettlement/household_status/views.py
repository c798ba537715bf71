"""The household's own pages at /my/: sign in, its status, its documents, sign out. No staff
account is needed or used: the household is held in the session (household_status.access),
and every page shows that household's own record and nothing else."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettlement.household_status.access import (
    household_authenticate,
    household_session_end,
    household_session_start,
    session_household,
)
from resettlement.household_status.documents import own_document_response
from resettlement.household_status.forms import HouseholdSignInForm
from resettlement.household_status.status import household_status
from resettlement.projects.models import Project

TEMPLATE_SIGN_IN = "household_status/sign_in.html"


def _projects() -> list[Project]:
    return list(Project.objects.only("code", "name", "household_access_codes").order_by("name"))


@require_http_methods(["GET", "HEAD", "POST"])
def my_status(request):
    """Signed in: the household's status. Otherwise the sign-in form, which posts here."""
    if request.method == "POST":
        return _sign_in(request)
    household = session_household(request)
    if household is None:
        projects = _projects()
        initial = {"project": request.GET.get("p", "")}
        form = HouseholdSignInForm(projects=projects, initial=initial)
        return render(request, TEMPLATE_SIGN_IN, {"form": form})
    context = {"household": household, "body": status_body(household)}
    return render(request, "household_status/status.html", context)


def status_body(household) -> str:
    """The page's record, kept HOUSEHOLD_STATUS_SECONDS per household and language: thousands
    of households open it the evening a result is published, and each refreshes it. The
    session and the household are checked on every request; only the record is kept, and it
    says when it was read."""
    seconds = settings.HOUSEHOLD_STATUS_SECONDS
    key = f"my:{household.pk}:{household.access_code_version}:{get_language()}"
    body = cache.get(key) if seconds else None
    if body is None:
        context = {"view": household_status(household)}
        body = render_to_string("household_status/_status.html", context)
        if seconds:
            cache.set(key, body, seconds)
    return mark_safe(body)  # noqa: S308  # rendered by the template above, escaped there


def _sign_in(request):
    projects = _projects()
    form = HouseholdSignInForm(request.POST, projects=projects)
    if not form.is_valid():
        return render(request, TEMPLATE_SIGN_IN, {"form": form}, status=400)
    data = form.cleaned_data
    result = household_authenticate(
        request,
        project=data["project"],
        agreement_no=data["agreement_no"],
        id_suffix=data["id_suffix"],
        code=data.get("access_code", ""),
    )
    if result.household is None:
        # The form again with the project and agreement number typed, not the ID suffix or the
        # code: a shared phone's next user sees none of them.
        initial = {"project": data["project"].code, "agreement_no": data["agreement_no"]}
        form = HouseholdSignInForm(projects=projects, initial=initial)
        context = {"form": form, "refusal": result.refusal, "error": result.error}
        return render(request, TEMPLATE_SIGN_IN, context, status=429 if result.refusal else 400)
    household_session_start(request, result.household)
    return HttpResponseRedirect(reverse("household_status:status"))


@require_POST
def my_sign_out(request):
    household_session_end(request)
    return HttpResponseRedirect(reverse("household_status:status") + "?signed_out=1")


@require_GET
def my_document(request, pk: int):
    """One of the household's own documents, the stored bytes as printed. Another
    household's, a voided one or one not yet rendered: 404, whichever it is."""
    household = session_household(request)
    if household is None:
        return HttpResponseRedirect(reverse("household_status:status"))
    return own_document_response(request, household, pk)
