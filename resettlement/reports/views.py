"""Progress report pages: the reports a reader may see (weekly ones and those asked for) with a
form to ask for another, a report's page following its writing (htmx polls a fragment; the
reader may leave and come back), and its PDF and workbook. Leaders see every project's reports
and may ask for one of every project; project teams and supervisors their own projects'."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from resettlement.accounts.access import Capability, project_ids_where, projects_where, require
from resettlement.archive.responses import PRIVATE, document_response
from resettlement.reports.forms import ReportForm
from resettlement.reports.jobs import report_request
from resettlement.reports.models import EVERY_PROJECT, ProgressReport

RECENT = 30


def _visible(user):
    """(the reports the user may see, the projects, whether every project's reports too)."""
    require(user, Capability.VIEW_REPORTS)
    scope = project_ids_where(user, Capability.VIEW_REPORTS)
    reports = ProgressReport.objects.select_related("project", "created_by")
    if scope is not None:
        reports = reports.filter(project_id__in=scope)
    projects = projects_where(user, Capability.VIEW_REPORTS).order_by("code")
    return reports, projects, scope is None


@login_required
def report_list(request):
    reports, projects, every_project = _visible(request.user)
    form = ReportForm(
        request.POST or None,
        projects=projects,
        every_project=every_project,
        initial={"scope": request.GET.get("project", "")},
    )
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["scope"]
        project = None if code == EVERY_PROJECT else get_object_or_404(projects, code=code)
        report = report_request(project=project, as_of=form.cleaned_data["as_of"], by=request.user)
        return redirect(report)
    shown = request.GET.get("project", "")
    if shown:
        reports = reports.filter(Q(project__code=shown))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "reports": reports[:RECENT], "nav": "reports", "shown": shown}
    return render(request, "reports/list.html", context, status=status)


def _report(user, pk: int) -> ProgressReport:
    reports, _projects, _every = _visible(user)
    return get_object_or_404(reports, pk=pk)


@login_required
def report_detail(request, pk: int):
    report = _report(request.user, pk)
    return render(request, "reports/detail.html", {"report": report, "nav": "reports"})


@login_required
def report_progress(request, pk: int):
    """The fragment htmx polls; opened as a page, it is the report's page."""
    report = _report(request.user, pk)
    if not request.htmx:
        return redirect(report)
    response = render(request, "reports/_progress.html", {"report": report})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_download(request, pk: int, what: str):
    report = _report(request.user, pk)
    stored = report.pdf if what == "pdf" else report.xlsx
    if stored is None:
        raise Http404
    where = report.project.name if report.project else _("Every project")
    filename = f"回迁安置工作进展报告_{where}_{report.as_of:%Y-%m-%d}.{what}"
    return document_response(
        request, stored, filename=filename, cache_control=PRIVATE, download=True
    )
