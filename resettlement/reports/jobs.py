"""Writing kept reports in the background: a reader asks for one (`report_request`), or the
worker makes the weekly ones (`weekly_reports_due`, every REPORT_WEEKLY_AT: figures as they
stood at the end of the day before); a task (reports.tasks) writes its PDF and workbook and
stores them. A report's status is this job's own bookkeeping (queued, running, done, failed),
claimed by a conditional update so that a report queued twice is written once."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import User
from resettlement.archive.models import DocumentKind
from resettlement.archive.services import document_store
from resettlement.documents import PDF
from resettlement.projects.models import Project
from resettlement.reports.figures import progress_figures
from resettlement.reports.models import EVERY_PROJECT, ProgressReport, ReportOrigin, ReportStatus

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_LANGUAGE = "zh-hans"
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
ERROR_FAILED = _(
    "The report could not be written because of an unexpected error; "
    "the error has been logged for the administrators."
)


def report_request(
    *, project: Project | None, as_of: datetime.date, by: User | None = None
) -> ProgressReport:
    """Record a report of `project` (None: every project) and queue it once committed."""
    with transaction.atomic():
        report = ProgressReport.objects.create(
            project=project,
            scope=project.code if project else EVERY_PROJECT,
            as_of=as_of,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        _enqueue_on_commit([report.pk])
    return report


def _enqueue_on_commit(report_ids: list[int]) -> None:
    transaction.on_commit(lambda: _enqueue(report_ids))


def _enqueue(report_ids: list[int]) -> None:
    from resettlement.reports.tasks import report_render

    for report_id in report_ids:
        try:
            report_render.enqueue(report_id=report_id)
        except Exception:  # the queue is down: the report stays queued, shown as waiting
            logger.exception("report %s could not be queued", report_id)


def report_run(report_id: int) -> None:
    """Write the report's PDF and workbook (the task's body), unless another worker has it."""
    if not ProgressReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING
    ):
        return
    report = ProgressReport.objects.select_related("project", "created_by").get(pk=report_id)
    projects = Project.objects.all()
    if report.project_id is not None:
        projects = projects.filter(pk=report.project_id)
    try:
        with translation.override(REPORT_LANGUAGE):  # printed in Chinese, as reports are
            figures = progress_figures(projects, report.as_of)
            scope = report.project.name if report.project else str(_("Every project"))
            # Imported here: the map and charts bring geopandas and matplotlib (some 60 MiB),
            # which an app server that never makes a report should not carry.
            from resettlement.reports.pdf import progress_pdf
            from resettlement.reports.workbook import progress_workbook

            pdf = progress_pdf(figures, scope=scope)
            xlsx = progress_workbook(figures, scope=scope)
        by = report.created_by
        stored_pdf = document_store(
            subject=report, kind=DocumentKind.REPORT_PDF, content=pdf, media_type=PDF, by=by
        )
        stored_xlsx = document_store(
            subject=report, kind=DocumentKind.REPORT_XLSX, content=xlsx, media_type=XLSX, by=by
        )
    except Exception:
        logger.exception("progress report %s failed", report_id)
        ProgressReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=str(ERROR_FAILED), finished_at=timezone.now()
        )
        return
    ProgressReport.objects.filter(pk=report_id).update(
        status=ReportStatus.DONE, pdf=stored_pdf, xlsx=stored_xlsx, finished_at=timezone.now()
    )


def weekly_moment(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The latest scheduled time of the weekly report (REPORT_WEEKLY_AT, e.g. "MON 08:00",
    Asia/Shanghai) at or before `now`; None when weekly reports are off."""
    setting = settings.REPORT_WEEKLY_AT.strip().upper()
    if not setting:
        return None
    day_name, _space, clock = setting.partition(" ")
    hour, minute = (int(part) for part in clock.split(":"))
    local = timezone.localtime(now or timezone.now())
    days_back = (local.weekday() - WEEKDAYS.index(day_name)) % 7
    moment = (local - datetime.timedelta(days=days_back)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )
    if moment > local:
        moment -= datetime.timedelta(days=7)
    return moment


def weekly_reports_due(now: datetime.datetime | None = None) -> int:
    """Record and queue this week's reports (every project, and each project) if not yet
    recorded: how many were. Any number of workers may call it; each report is made once."""
    moment = weekly_moment(now)
    if moment is None:
        return 0
    as_of = moment.date() - datetime.timedelta(days=1)
    created = []
    scopes: list[Project | None] = [None, *Project.objects.order_by("code")]
    for project in scopes:
        scope = project.code if project else EVERY_PROJECT
        if ProgressReport.objects.filter(
            origin=ReportOrigin.WEEKLY, scope=scope, as_of=as_of
        ).exists():
            continue
        try:
            with transaction.atomic():
                report = ProgressReport.objects.create(
                    project=project, scope=scope, as_of=as_of, origin=ReportOrigin.WEEKLY
                )
                _enqueue_on_commit([report.pk])
        except IntegrityError:  # another worker recorded it meanwhile
            continue
        created.append(report.pk)
    return len(created)


def requeue_waiting(older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Queue again reports whose task was lost: waiting longer than `older_than`, or running
    longer than a task may run (TASK_TIMEOUT: its worker died). How many were."""
    now = timezone.now()
    stalled = ProgressReport.objects.filter(
        status=ReportStatus.RUNNING,
        created_at__lt=now - datetime.timedelta(seconds=settings.TASK_TIMEOUT),
    )
    stalled.update(status=ReportStatus.QUEUED)
    waiting = list(
        ProgressReport.objects.filter(
            status=ReportStatus.QUEUED, created_at__lt=now - older_than
        ).values_list("pk", flat=True)
    )
    _enqueue(waiting)
    return len(waiting)
