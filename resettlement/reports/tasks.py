"""The background task that writes a kept progress report (reports.jobs has what it does)."""

from django_tasks import task

from resettlement.reports.jobs import report_run


@task()
def report_render(report_id: int) -> None:
    """Write the report's PDF and workbook, if no other worker has."""
    report_run(report_id)
