"""Documents rendered once and kept: public notices and their files, signed confirmations,
closed days' summaries. Each is stored with its SHA-256 and served as stored, never re-rendered
for a reader."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from resettlement.lifecycle import Lifecycle, transition
from resettlement.storage import private_storage

EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/csv": ".csv",
    "text/html": ".html",
    "application/zip": ".zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


class DocumentKind(models.TextChoices):
    LOTTERY_NOTICE_PDF = "lottery_notice_pdf", _("Lottery notice (PDF)")
    LOTTERY_NOTICE_ROWS = "lottery_notice_rows", _("Lottery notice result table (HTML)")
    LOTTERY_ROSTER_CSV = "lottery_roster_csv", _("Lottery roster.csv")
    LOTTERY_POOLS_CSV = "lottery_pools_csv", _("Lottery pools.csv")
    LOTTERY_RESULT_CSV = "lottery_result_csv", _("Lottery result.csv")
    SELECTION_CONFIRMATION = "selection_confirmation", _("Selection confirmation (选房确认书)")
    SELECTION_VOIDED = "selection_voided", _("Voided selection confirmation")
    EVENT_SUMMARY = "event_summary", _("Selection day summary at closing")
    ISSUED = "issued", _("Issued document (PDF)")
    PRINT_MERGED = "print_merged", _("Print job: one PDF for printing")
    PRINT_ZIP = "print_zip", _("Print job: one PDF per household (ZIP)")
    REPORT_PDF = "report_pdf", _("Progress report (PDF)")
    REPORT_XLSX = "report_xlsx", _("Progress report (workbook)")


# A new version of these replaces the one served (the notice gains a "replaced by" banner when
# its lottery is re-drawn); every other kind is written once per object and never again.
REVISED_KINDS = (DocumentKind.LOTTERY_NOTICE_PDF,)


def document_path(document: "StoredDocument", filename: str) -> str:
    """An unguessable name: a document's address never says whose it is."""
    extension = EXTENSIONS.get(document.media_type.split(";")[0], "")
    return f"documents/{document.kind}/{secrets.token_hex(16)}{extension}"


class StoredDocumentQuerySet(models.QuerySet):
    def of(self, subject: models.Model):
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )


class StoredDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=document_path, storage=private_storage)
    media_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, blank=True
    )

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "kind"], name="document_subject")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=~models.Q(kind__in=REVISED_KINDS),
                name="document_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


# Documents issued to a household, registered so that anyone holding the paper can check it at
# /verify/<code>/ (archive.registry has the functions).


class IssuedKind(models.TextChoices):
    SELECTION_CONFIRMATION = "selection_confirmation", _("Selection confirmation (选房确认书)")
    HANDOVER_NOTICE = "handover_notice", _("Handover notice (交房通知书)")
    HANDOVER_CONFIRMATION = "handover_confirmation", _("Handover confirmation (房屋交接确认书)")
    KEY_RECEIPT = "key_receipt", _("Key receipt (钥匙领取单)")


# The letters a kind takes in a document number: QLS-JF-2026-000123.
NUMBER_LETTERS: dict[str, str] = {
    IssuedKind.SELECTION_CONFIRMATION: "XF",
    IssuedKind.HANDOVER_NOTICE: "JF",
    IssuedKind.HANDOVER_CONFIRMATION: "JJ",
    IssuedKind.KEY_RECEIPT: "YS",
}


class IssuedStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUPERSEDED = "superseded", _("Superseded")
    VOIDED = "voided", _("Voided")


ERROR_ISSUED_TRANSITION = _("A document cannot go from “%(status)s” to “%(target)s”.")

# A document stands (valid) until a newer one of its kind for the household supersedes it, or the
# step it records is undone and it is voided (archive.lifecycle has the functions).
ISSUED_LIFECYCLE = Lifecycle(
    IssuedStatus,
    supersede=transition([IssuedStatus.VALID], IssuedStatus.SUPERSEDED, ERROR_ISSUED_TRANSITION),
    void=transition(
        [IssuedStatus.VALID, IssuedStatus.SUPERSEDED], IssuedStatus.VOIDED, ERROR_ISSUED_TRANSITION
    ),
)


class DocumentCounter(models.Model):
    """The last number given to a project's documents of one kind in one year."""

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=IssuedKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "year"], name="counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.year}: {self.last}"


class IssuedDocument(models.Model):
    """A document issued to a household: its number, its verification code, the bytes it was
    printed with (stored once; every reprint is the same bytes) and whether it still stands.
    One document per subject and kind unless it was voided: printing again reprints it."""

    project = models.ForeignKey(
        "projects.Project", models.PROTECT, related_name="+", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=IssuedKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("document number"), max_length=60, unique=True)
    code = models.CharField(_("verification code"), max_length=40, unique=True)
    household = models.ForeignKey(
        "households.Household",
        models.PROTECT,
        related_name="issued_documents",
        verbose_name=_("household"),
    )
    flat_codes = models.CharField(_("flats"), max_length=300, blank=True)
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, blank=True
    )
    stored = models.ForeignKey(
        StoredDocument, models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=IssuedStatus.choices,
        default=IssuedStatus.VALID,
        editable=False,
    )
    superseded_by = models.ForeignKey(
        "self",
        models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("superseded by"),
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True, editable=False)
    void_reason = models.TextField(_("reason for voiding"), blank=True, editable=False)

    objects = StoredDocumentQuerySet.as_manager()

    Kind = IssuedKind
    Status = IssuedStatus

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["household", "kind", "status"], name="issued_household_kind")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "year", "sequence"], name="issued_number_once"
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=~models.Q(status=IssuedStatus.VOIDED),
                name="issued_once_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=IssuedStatus.values), name="issued_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.number
