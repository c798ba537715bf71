"""Documents rendered once and kept: public notices and their files, signed confirmations,
closed days' summaries. Each is stored with its SHA-256 and served as stored, never re-rendered
for a reader."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from resettlement.storage import private_storage

EXTENSIONS = {"application/pdf": ".pdf", "text/csv": ".csv", "text/html": ".html"}


class DocumentKind(models.TextChoices):
    LOTTERY_NOTICE_PDF = "lottery_notice_pdf", _("Lottery notice (PDF)")
    LOTTERY_NOTICE_ROWS = "lottery_notice_rows", _("Lottery notice result table (HTML)")
    LOTTERY_ROSTER_CSV = "lottery_roster_csv", _("Lottery roster.csv")
    LOTTERY_POOLS_CSV = "lottery_pools_csv", _("Lottery pools.csv")
    LOTTERY_RESULT_CSV = "lottery_result_csv", _("Lottery result.csv")
    SELECTION_CONFIRMATION = "selection_confirmation", _("Selection confirmation (选房确认书)")
    SELECTION_VOIDED = "selection_voided", _("Voided selection confirmation")
    EVENT_SUMMARY = "event_summary", _("Selection day summary at closing")


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
