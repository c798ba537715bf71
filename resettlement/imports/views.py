from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from resettlement.accounts.access import Capability, project_or_404, projects_where, user_can
from resettlement.housing.models import Building
from resettlement.imports.columns import FLAT_COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from resettlement.imports.forms import RegisterUploadForm
from resettlement.imports.models import ImportBatch, ImportKind
from resettlement.imports.registers import flats_import, households_import
from resettlement.imports.reports import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CAPABILITY = {
    ImportKind.HOUSEHOLDS: Capability.MANAGE_HOUSEHOLDS,
    ImportKind.FLATS: Capability.MANAGE_FLATS,
}
IMPORTERS = {ImportKind.HOUSEHOLDS: households_import, ImportKind.FLATS: flats_import}
ERRORS_SHOWN = 200


def _kinds_allowed(user, project) -> list[str]:
    return [kind for kind, capability in CAPABILITY.items() if user_can(user, capability, project)]


@login_required
def imports_page(request, code: str):
    project = project_or_404(request.user, code)
    allowed = _kinds_allowed(request.user, project)
    if not allowed:
        raise PermissionDenied
    forms = {kind: RegisterUploadForm(prefix=kind) for kind in allowed}
    result = result_kind = None
    if request.method == "POST":
        result_kind = request.POST.get("kind")
        if result_kind not in allowed:
            raise PermissionDenied
        form = forms[result_kind] = RegisterUploadForm(
            request.POST, request.FILES, prefix=result_kind
        )
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = IMPORTERS[result_kind](
                project=project,
                file=upload,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                by=request.user,
            )
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
            "result": result,
            "result_kind": result_kind,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "batches": batches,
        },
    )


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
    batch = get_object_or_404(
        ImportBatch.objects.filter(project__in=projects_where(request.user)), pk=pk
    )
    if batch.kind not in _kinds_allowed(request.user, batch.project) or not batch.error_report:
        raise Http404
    response = HttpResponse(batch.error_report.read(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-errors-{batch.pk}.xlsx"'
    return response
