import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from resettlement.storage import private_storage  # migrations name it by this path


def _unguessable(folder: str) -> str:
    """A name with 192 random bits: no timestamp or counter to guess it from. The files are
    served only through views that check the user's role and project."""
    return f"{folder}/{secrets.token_urlsafe(24)}.xlsx"


def error_report_path(instance, filename: str) -> str:
    return _unguessable("import-errors")


def upload_path(instance, filename: str) -> str:
    return _unguessable("import-uploads")


class ImportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Household register")
    FLATS = "flats", _("Flat register")
    GEOMETRY = "geometry", _("Geometry (GIS file)")


class ImportOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    VALIDATED = "validated", _("Checked only (dry run), no errors")
    REJECTED = "rejected", _("Rejected, nothing written")


class ImportStatus(models.TextChoices):
    """Where a register import stands; it runs as a background task."""

    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Stopped by an unexpected error, nothing written")
    INTERRUPTED = "interrupted", _("Stopped before it finished, nothing written")


class ImportStage(models.TextChoices):
    READING = "reading", _("Reading the file")
    CHECKING = "checking", _("Checking the rows")
    WRITING = "writing", _("Writing")


class ImportBatch(models.Model):
    """One attempt to import a register, kept for the audit trail whatever its outcome."""

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="import_batches", verbose_name=_("project")
    )
    kind = models.CharField(_("register"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file"), max_length=255)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ImportOutcome.choices, blank=True
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    error_report = models.FileField(
        _("error workbook"), upload_to=error_report_path, storage=private_storage, blank=True
    )
    # A register upload is stored (under a random name) until its background task has read it.
    upload = models.FileField(
        _("uploaded file"), upload_to=upload_path, storage=private_storage, blank=True
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.FINISHED
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ImportStage.choices, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    first_errors = models.JSONField(_("first errors"), default=list, blank=True)
    # What the import left out on purpose and says so: unrecognised columns, totals and footer
    # rows, sheets that are no register.
    notes = models.JSONField(_("notes"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    # The errors may quote ID numbers; the error workbook keeps them, the history need not.
    history = HistoricalRecords(excluded_fields=["first_errors"])

    # The choices, for templates: {% if batch.status == batch.Status.QUEUED %}.
    Status = ImportStatus
    Outcome = ImportOutcome

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("imports:batch", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
