from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from resettlement.accounts.access import Capability, project_or_404, projects_where, require
from resettlement.housing.models import Building
from resettlement.progress.forms import (
    BulkMilestoneForm,
    ExceptionForm,
    MilestoneUpdateForm,
    NewNodeForm,
    TemplateFormSet,
)
from resettlement.progress.models import BuildingMilestone, MilestonePhoto
from resettlement.progress.services import (
    MILESTONE_FIELDS,
    TemplateNode,
    milestone_bulk_set,
    milestone_exception_record,
    milestone_template_update,
    milestone_type_create,
    milestone_update,
)
from resettlement.progress.timeline import node_anchor


def _milestone(request, pk: int) -> BuildingMilestone:
    visible = BuildingMilestone.objects.filter(building__project__in=projects_where(request.user))
    return get_object_or_404(visible.select_related("building__project", "milestone_type"), pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk: int):
    milestone = _milestone(request, pk)
    building = milestone.building
    require(request.user, Capability.EDIT_MILESTONES, building.project)
    stored = {name: getattr(milestone, name) for name in MILESTONE_FIELDS}
    form = MilestoneUpdateForm(request.POST or None, request.FILES or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in MILESTONE_FIELDS}
        for name, value in stored.items():  # the form wrote into the instance; start clean
            setattr(milestone, name, value)
        try:
            milestone_update(
                milestone=milestone,
                values=values,
                uploads=form.cleaned_data["photos"],
                caption=form.cleaned_data["caption"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            anchor = node_anchor(milestone)
            messages.success(
                request,
                _("%(building)s %(node)s saved.")
                % {"building": building.code, "node": milestone.milestone_type.name},
                extra_tags=anchor,
            )
            return redirect(f"{building.get_absolute_url()}#{anchor}-saved")
    return render(
        request,
        "progress/milestone_edit.html",
        {"form": form, "milestone": milestone, "building": building, "project": building.project},
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_exception(request, pk: int):
    milestone = _milestone(request, pk)
    building = milestone.building
    require(request.user, Capability.APPROVE_MILESTONE_EXCEPTIONS, building.project)
    form = ExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            milestone_exception_record(
                milestone=milestone, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Exception recorded."))
            return redirect(building)
    return render(
        request,
        "progress/milestone_exception.html",
        {"form": form, "milestone": milestone, "building": building, "project": building.project},
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_bulk(request, code: str):
    project = project_or_404(request.user, code, Capability.EDIT_MILESTONES)
    form = BulkMilestoneForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            updated = milestone_bulk_set(
                project=project,
                milestone_type=form.cleaned_data["milestone_type"],
                buildings=form.cleaned_data["buildings"],
                values=form.values(),
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(node)s set on %(count)s buildings.")
                % {"node": form.cleaned_data["milestone_type"].name, "count": len(updated)},
            )
            return redirect(project)
    buildings = (
        Building.objects.for_project(project)
        .select_related("village", "current_milestone")
        .defer("footprint", "village__boundary")
    )
    return render(
        request,
        "progress/milestone_bulk.html",
        {
            "form": form,
            "project": project,
            "buildings": buildings,
            "selected": set(request.POST.getlist("buildings")),
            "nav": "projects",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_template(request, code: str):
    project = project_or_404(request.user, code, Capability.EDIT_MILESTONE_TEMPLATE)
    nodes = project.milestone_template.select_related("milestone_type").order_by("sequence")
    initial = [
        {"position": node.sequence, "milestone_type": node.milestone_type, "weight": node.weight}
        for node in nodes
    ]
    formset = TemplateFormSet(request.POST or None, initial=initial, prefix="nodes")
    new_node = NewNodeForm(request.POST or None, prefix="new")
    if request.method == "POST" and formset.is_valid() and new_node.is_valid():
        try:
            with transaction.atomic():  # a new node type is kept only with its template
                nodes = _template_nodes(formset, new_node, request.user)
                milestone_template_update(project=project, nodes=nodes, by=request.user)
        except ValidationError as error:
            new_node.add_error(None, error.messages)
        else:
            messages.success(request, _("Milestone template saved; progress recomputed."))
            return redirect(project)
    return render(
        request,
        "progress/milestone_template.html",
        {"formset": formset, "new_node": new_node, "project": project, "nav": "projects"},
    )


def _template_nodes(formset, new_node, user) -> list[TemplateNode]:
    rows = [
        (
            form.cleaned_data["position"],
            TemplateNode(form.cleaned_data["milestone_type"], form.cleaned_data["weight"]),
        )
        for form in formset
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    data = new_node.cleaned_data
    if data.get("name"):
        created = milestone_type_create(
            name=data["name"], phase=data["phase"], weight=data["weight"] or 1, by=user
        )
        position = data["position"] or len(rows) + 1
        rows.append((position - 0.5, TemplateNode(created, created.default_weight)))
    rows.sort(key=lambda row: row[0])
    return [node for _position, node in rows]


@login_required
def milestone_photo(request, pk: int, size: str = "full"):
    """A milestone photo, for staff of its project only (served through the storage API)."""
    visible = MilestonePhoto.objects.filter(
        milestone__building__project__in=projects_where(request.user)
    )
    photo = get_object_or_404(visible, pk=pk)
    field = photo.thumbnail if size == "thumb" else photo.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
