"""Write the progress report for a day (default today, Asia/Shanghai) to a file:
`manage.py export_progress [--project CODE] [--date YYYY-MM-DD] --format pdf|xlsx --out FILE`.
Every project unless --project names one; the figures as they stood at the end of that day."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from resettlement.projects.models import Project
from resettlement.reports.figures import progress_figures
from resettlement.reports.jobs import REPORT_LANGUAGE
from resettlement.reports.pdf import progress_pdf
from resettlement.reports.workbook import progress_workbook


class Command(BaseCommand):
    help = "Write the progress report of a day (figures as they stood then) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--project", default="", help="project code (default: every one)")
        parser.add_argument("--date", default="", help="YYYY-MM-DD, not after today")
        parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
        parser.add_argument("--out", required=True, help="file to write")

    def handle(self, *args, project: str, date: str, format: str, out: str, **options):
        with translation.override(REPORT_LANGUAGE):
            as_of = self._date(date)
            projects = Project.objects.all()
            if project:
                projects = projects.filter(code=project)
                if not projects.exists():
                    raise CommandError(_("No project with code %(code)s.") % {"code": project})
            names = "、".join(projects.order_by("code").values_list("name", flat=True))
            figures = progress_figures(projects, as_of)
            write = progress_pdf if format == "pdf" else progress_workbook
            content = write(figures, scope=names or "—")
        target = Path(out)
        target.write_bytes(content)
        self.stdout.write(f"{target} ({len(content):,} bytes, {as_of:%Y-%m-%d})")

    def _date(self, value: str) -> datetime.date:
        today = timezone.localdate()
        if not value:
            return today
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("The date %(value)s is not a date in the form YYYY-MM-DD.") % {"value": value}
            ) from None
        if day > today:
            raise CommandError(
                _("A report cannot be dated after today (%(today)s).")
                % {"today": today.isoformat()}
            )
        return day
