"""The status steps of issued documents (ISSUED_LIFECYCLE): valid → superseded by a newer
document of the same kind for the household, and valid or superseded → voided when the step
it records is undone. Each claims the rows on the statuses it leaves from."""

from django.db.models import QuerySet
from django.utils import timezone

from resettlement.archive.models import ISSUED_LIFECYCLE, IssuedDocument
from resettlement.lifecycle import claim


def issued_supersede(documents: QuerySet[IssuedDocument], *, newer: IssuedDocument) -> int:
    """These documents are superseded by `newer`; how many were."""
    return claim(
        documents.filter(status__in=ISSUED_LIFECYCLE.sources("supersede")).exclude(pk=newer.pk),
        {"status": ISSUED_LIFECYCLE.target("supersede"), "superseded_by": newer},
    )


def issued_void(documents: QuerySet[IssuedDocument], *, reason: str = "") -> int:
    """These documents are voided (their codes answer "voided" from now); how many were."""
    return claim(
        documents.filter(status__in=ISSUED_LIFECYCLE.sources("void")),
        {
            "status": ISSUED_LIFECYCLE.target("void"),
            "voided_at": timezone.now(),
            "void_reason": reason,
        },
    )
