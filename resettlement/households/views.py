from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resettlement.accounts.access import (
    Capability,
    project_ids_where,
    project_or_404,
    projects_where,
    require,
    user_can,
)
from resettlement.handover.household_record import household_handovers
from resettlement.households.access_codes import access_code, access_code_rotate
from resettlement.households.forms import HouseholdForm, HouseholdSearchForm
from resettlement.households.models import Household, HouseholdStatus
from resettlement.households.presentation import show_member_ids, show_personal_data
from resettlement.households.search import holds_id_number, search_redirect
from resettlement.households.services import household_create, household_update
from resettlement.projects.models import Village
from resettlement.selection.household_record import household_record

PAGE_SIZE = 50


@login_required
def household_search(request):
    """The search form posts, and is answered with the list's address: a full ID number typed
    in it never becomes part of one (households.search)."""
    require(request.user, Capability.VIEW_HOUSEHOLDS)
    if request.method == "POST" or holds_id_number(request.GET):
        source = request.POST if request.method == "POST" else request.GET
        return search_redirect(request, reverse("households:search"), source)
    projects = projects_where(request.user, Capability.VIEW_HOUSEHOLDS)
    form = HouseholdSearchForm(
        request.GET or None,
        projects=projects,
        villages=Village.objects.filter(projects__in=projects).distinct(),
        statuses=HouseholdStatus.choices,
    )
    households = (
        Household.objects.in_projects(project_ids_where(request.user, Capability.VIEW_HOUSEHOLDS))
        .select_related("project", "village")
        .defer("village__boundary")
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        households = households.matching(data["q"]).with_id_ending(data["id_digits"])
        for name in ("project", "village", "status"):
            if data[name]:
                households = households.filter(**{name: data[name]})
    page = Paginator(households.order_by("project_id", "agreement_no"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    show_personal_data(request.user, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/search.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "households"},
    )


def _household(request, pk: int) -> Household:
    scope = project_ids_where(request.user, Capability.VIEW_HOUSEHOLDS)
    require(request.user, Capability.VIEW_HOUSEHOLDS)
    return get_object_or_404(
        Household.objects.in_projects(scope)
        .select_related("project", "village")
        .defer("village__boundary"),  # the village's outline: kilobytes, not shown
        pk=pk,
    )


@login_required
def household_detail(request, pk: int):
    household = _household(request, pk)
    members = list(household.members.all())
    show_personal_data(request.user, [household])
    show_member_ids(request.user, household, members)
    history = (
        household.history.select_related("history_user")
        .only(
            *("history_id", "history_date", "history_type", "history_change_reason", "status"),
            *("history_user__username", "history_user__display_name"),
        )
        .order_by("-history_date")[:20]
    )
    can_edit = user_can(request.user, Capability.MANAGE_HOUSEHOLDS, household.project)
    return render(
        request,
        "households/detail.html",
        {
            "household": household,
            "members": members,
            "history": history,
            "record": household_record(household),
            "handover": household_handovers(household),
            "project": household.project,
            "can_edit": can_edit,
            "access_code": (
                access_code(household)
                if can_edit and household.project.household_access_codes
                else ""
            ),
            "nav": "households",
        },
    )


@login_required
@require_POST
def household_access_code_rotate(request, pk: int):
    household = _household(request, pk)
    require(request.user, Capability.MANAGE_HOUSEHOLDS, household.project)
    access_code_rotate(household=household, by=request.user)
    messages.success(
        request,
        _("Household %(agreement)s has a new access code; the old one no longer works.")
        % {"agreement": household.agreement_no},
    )
    return redirect(household)


@login_required
def household_create_view(request, code: str):
    project = project_or_404(request.user, code, Capability.MANAGE_HOUSEHOLDS)
    form = HouseholdForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            household = household_create(project=project, data=form.data_record, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Household %(agreement)s registered.") % {"agreement": household.agreement_no},
            )
            return redirect(household)
    return render(
        request,
        "households/form.html",
        {"form": form, "project": project, "nav": "households", "title": _("Register a household")},
    )


@login_required
def household_edit(request, pk: int):
    household = _household(request, pk)
    require(request.user, Capability.MANAGE_HOUSEHOLDS, household.project)
    form = HouseholdForm(request.POST or None, instance=household, project=household.project)
    if request.method == "POST" and form.is_valid():
        try:
            household_update(household=household, data=form.data_record, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Household %(agreement)s saved.") % {"agreement": household.agreement_no}
            )
            return redirect(household)
    return render(
        request,
        "households/form.html",
        {
            "form": form,
            "project": household.project,
            "household": household,
            "nav": "households",
            "title": _("Edit household %(agreement)s") % {"agreement": household.agreement_no},
        },
    )
