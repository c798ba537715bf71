"""Progress reports kept: asked for by a reader (for one project, or every project for a
leader) or made each week by the worker, each as a PDF and a workbook (stored documents), as
the figures stood at the end of its day."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A report of every project has this scope; a project's report, the project's code.
EVERY_PROJECT = "*"


class ReportOrigin(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    WEEKLY = "weekly", _("Weekly")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("report status", "Waiting for a worker")
    RUNNING = "running", pgettext_lazy("report status", "Being written")
    DONE = "done", pgettext_lazy("report status", "Ready")
    FAILED = "failed", pgettext_lazy("report status", "Failed")


class ProgressReport(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        models.CASCADE,
        related_name="progress_reports",
        null=True,
        blank=True,
        verbose_name=_("project"),
    )
    scope = models.CharField(max_length=30, editable=False)
    as_of = models.DateField(_("as of"))
    origin = models.CharField(
        _("origin"), max_length=10, choices=ReportOrigin.choices, default=ReportOrigin.REQUESTED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    pdf = models.ForeignKey(
        "archive.StoredDocument", models.SET_NULL, related_name="+", null=True, blank=True
    )
    xlsx = models.ForeignKey(
        "archive.StoredDocument", models.SET_NULL, related_name="+", null=True, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    Status = ReportStatus

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-as_of", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "as_of"],
                condition=models.Q(origin=ReportOrigin.WEEKLY),
                name="weekly_report_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.as_of}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
