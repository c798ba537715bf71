from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from resettlement.accounts.access import Capability, project_or_404, projects_where, user_can
from resettlement.housing.models import Building
from resettlement.imports.columns import FLAT_COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from resettlement.imports.errors import CellError
from resettlement.imports.forms import RegisterUploadForm
from resettlement.imports.models import ImportBatch, ImportKind, ImportOutcome
from resettlement.imports.reports import template_workbook
from resettlement.imports.tasks import import_queue, imports_interrupted_close

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CAPABILITY = {
    ImportKind.HOUSEHOLDS: Capability.MANAGE_HOUSEHOLDS,
    ImportKind.FLATS: Capability.MANAGE_FLATS,
}
REFRESH_SECONDS = 2  # how often the page of a running import reloads itself


def _kinds_allowed(user, project) -> list[str]:
    return [kind for kind, capability in CAPABILITY.items() if user_can(user, capability, project)]


@login_required
def imports_page(request, code: str):
    project = project_or_404(request.user, code)
    allowed = _kinds_allowed(request.user, project)
    if not allowed:
        raise PermissionDenied
    forms = {kind: RegisterUploadForm(prefix=kind) for kind in allowed}
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in allowed:
            raise PermissionDenied
        form = forms[kind] = RegisterUploadForm(request.POST, request.FILES, prefix=kind)
        if form.is_valid():
            batch = import_queue(
                project=project,
                kind=kind,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                by=request.user,
            )
            return redirect(batch)
    batches = ImportBatch.objects.filter(project=project, kind__in=allowed).select_related(
        "created_by"
    )[:20]
    return render(
        request,
        "imports/page.html",
        {
            "project": project,
            "nav": "projects",
            "sections": [(kind, ImportKind(kind).label, forms[kind]) for kind in allowed],
            "batches": batches,
        },
        status=422 if request.method == "POST" else 200,  # a form refused
    )


@login_required
def import_batch(request, pk: int):
    """One import: its progress while it runs (the page reloads itself), then its result.
    A refused file or register answers 422, as the refusal of a form would."""
    batch = _batch_or_404(request.user, pk)
    if batch.in_progress and imports_interrupted_close(batches=ImportBatch.objects.filter(pk=pk)):
        batch.refresh_from_db()
    refused = batch.outcome == ImportOutcome.REJECTED
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "project": batch.project,
            "nav": "projects",
            "errors": [CellError(**error) for error in batch.first_errors],
            "refresh": REFRESH_SECONDS if batch.in_progress else None,
        },
        status=422 if refused else 200,
    )


def _batch_or_404(user, pk: int) -> ImportBatch:
    batch = get_object_or_404(
        ImportBatch.objects.filter(project__in=projects_where(user)).select_related("project"),
        pk=pk,
    )
    if batch.kind not in _kinds_allowed(user, batch.project):
        raise Http404
    return batch


@login_required
def import_template(request, code: str, kind: str):
    project = project_or_404(request.user, code)
    if kind not in _kinds_allowed(request.user, project):
        raise PermissionDenied
    if kind == ImportKind.HOUSEHOLDS:
        content = template_workbook(
            [("住户", HOUSEHOLD_COLUMNS), ("家庭成员", MEMBER_COLUMNS)],
            title=f"{project.name} 回迁户花名册",
            choices={"village": [village.name for village in project.villages.all()]},
        )
        name = f"{project.code}-households-template.xlsx"
    else:
        codes = list(Building.objects.for_project(project).values_list("code", flat=True))
        content = template_workbook(
            [("房源", FLAT_COLUMNS)], title=f"{project.name} 房源表", choices={"building": codes}
        )
        name = f"{project.code}-flats-template.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_error_report(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    if not batch.error_report:
        raise Http404
    response = HttpResponse(batch.error_report.read(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-errors-{batch.pk}.xlsx"'
    return response
