from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def private_storage():
    """Error workbooks repeat the uploaded rows, personal data included: kept out of MEDIA."""
    return storages["private"]


class ImportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Household register")
    FLATS = "flats", _("Flat register")
    GEOMETRY = "geometry", _("Geometry (GIS file)")


class ImportOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    VALIDATED = "validated", _("Checked only (dry run), no errors")
    REJECTED = "rejected", _("Rejected, nothing written")


class ImportBatch(models.Model):
    """One attempt to import a register, kept for the audit trail whatever its outcome."""

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="import_batches", verbose_name=_("project")
    )
    kind = models.CharField(_("register"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file"), max_length=255)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ImportOutcome.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    error_report = models.FileField(
        _("error workbook"), upload_to="import-errors/%Y/%m/", storage=private_storage, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"
