"""The register of documents issued to households (IssuedDocument).

- `document_register` gives a subject's document of a kind its number (per project, kind and
  year: QLS-JF-2026-000123) and its verification code, once: asked again (a reprint, a retried
  job) it returns the same document. A newer document of the same kind for the household
  supersedes the older ones (a notice for a new appointment, a confirmation after a swap).
- `document_issue` registers, then renders the PDF with the number and code printed on it, and
  stores the bytes once: every later print is those bytes, whatever changed since.
- `document_void` voids the subject's document (a voided selection, an undone handover); the
  next issue for that subject is a new document with a new number.
- `document_by_code` is what /verify/<code>/ reads.

The bytes of a 选房确认书 are the selection's stored confirmation (StoredDocument kind
SELECTION_CONFIRMATION, subject the Selection), whichever path printed it first (the desk, the
task after the confirmation, a bulk job): `document_attach` stores them there, so the selection
page and the register share one copy.
"""

import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from resettlement.accounts.models import User
from resettlement.archive.lifecycle import issued_supersede, issued_void
from resettlement.archive.models import (
    NUMBER_LETTERS,
    DocumentCounter,
    DocumentKind,
    IssuedDocument,
    IssuedKind,
    IssuedStatus,
    StoredDocument,
)
from resettlement.archive.services import document_bytes, document_store
from resettlement.documents import PDF, qr_data_uri

# Verification codes: 120 random bits in 24 characters of Crockford's base32 (no I, L, O or U),
# so that a code read off the paper and typed in cannot be mistaken (1/l/I, 0/O), in any font.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 24


def verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# Kinds whose bytes are stored under the subject itself (kind of StoredDocument), not under the
# IssuedDocument: the selection page lists and serves them as it did before the register.
STORED_UNDER_SUBJECT: dict[str, str] = {
    IssuedKind.SELECTION_CONFIRMATION: DocumentKind.SELECTION_CONFIRMATION,
}


def verify_path(code: str) -> str:
    return reverse("archive:verify", args=[code])


def verify_url(code: str) -> str:
    """The address printed (as text and QR code) on a document."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + verify_path(code)


def verification_context(document: IssuedDocument, household, access_code: str = "") -> dict:
    """What a household's document prints at its foot: the address and QR code that verify it,
    and those of the household's own status page (/my/, its project chosen), with the
    household's access code (households.access_codes) where its project asks for one."""
    project = household.project
    url = verify_url(document.code)
    status_url = (
        settings.PUBLIC_BASE_URL.rstrip("/")
        + reverse("household_status:status")
        + f"?p={project.code}"
    )
    return {
        "verify_url": url,
        "verify_qr": qr_data_uri(url),
        "status_url": status_url,
        "status_qr": qr_data_uri(status_url),
        "access_code": access_code,
    }


def issued_of(subject: models.Model, kind: str) -> IssuedDocument | None:
    """The subject's standing (not voided) document of this kind."""
    return (
        IssuedDocument.objects.of(subject)
        .filter(kind=kind)
        .exclude(status=IssuedStatus.VOIDED)
        .select_related("project", "stored")
        .first()
    )


def _next_sequence(project_id: int, kind: str, year: int) -> int:
    """Claim the next number of the project's documents of this kind in this year (the
    counter row is locked until the transaction ends, so two issuers never share a number)."""
    counter, _created = DocumentCounter.objects.get_or_create(
        project_id=project_id, kind=kind, year=year
    )
    DocumentCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return (
        DocumentCounter.objects.select_for_update()
        .values_list("last", flat=True)
        .get(pk=counter.pk)
    )


def document_register(
    *,
    subject: models.Model,
    kind: str,
    household,
    flat_codes: Iterable[str] = (),
    by: User | None = None,
    supersedes: bool = True,
) -> IssuedDocument:
    """The subject's document of this kind, numbered now if it has none standing. A new
    document supersedes the household's valid ones of this kind (unless `supersedes` is false:
    registering a paper printed long ago, e.g. a voided selection's confirmation)."""
    existing = issued_of(subject, kind)
    if existing is not None:
        return existing
    now = timezone.now()
    year = timezone.localdate(now).year
    try:
        with transaction.atomic():
            sequence = _next_sequence(household.project_id, kind, year)
            document = IssuedDocument.objects.create(
                project_id=household.project_id,
                kind=kind,
                year=year,
                sequence=sequence,
                number=f"{household.project.code}-{NUMBER_LETTERS[kind]}-{year}-{sequence:06d}",
                code=verification_code(),
                household=household,
                flat_codes=", ".join(flat_codes),
                content_type=ContentType.objects.get_for_model(subject),
                object_id=subject.pk,
                issued_at=now,
                issued_by=by if by is not None and by.is_authenticated else None,
            )
            if supersedes:
                issued_supersede(
                    IssuedDocument.objects.filter(household=household, kind=kind),
                    newer=document,
                )
    except IntegrityError:  # another issuer numbered this subject's document first
        existing = issued_of(subject, kind)
        if existing is None:
            raise
        return existing
    return document


def document_issue(
    *,
    subject: models.Model,
    kind: str,
    household,
    render: Callable[[IssuedDocument], bytes],
    flat_codes: Iterable[str] = (),
    by: User | None = None,
) -> IssuedDocument:
    """The subject's document of this kind, registered and stored: rendered now (with its
    number and code) only if its bytes are not stored yet."""
    document = document_register(
        subject=subject, kind=kind, household=household, flat_codes=flat_codes, by=by
    )
    if document.stored_id is None:
        document_attach(document, render(document), by=by)
    return document


def document_attach(document: IssuedDocument, content: bytes, *, by: User | None = None) -> None:
    """Store the bytes a registered document was printed with (once: if another writer stored
    them first, theirs stand and the instance takes them)."""
    subject: models.Model | None = document
    kind: str = DocumentKind.ISSUED
    if document.kind in STORED_UNDER_SUBJECT:
        subject, kind = document.subject, STORED_UNDER_SUBJECT[document.kind]
    assert subject is not None, "a registered document's subject stays"
    stored = document_store(subject=subject, kind=kind, content=content, media_type=PDF, by=by)
    document_adopt(document, stored)


def document_adopt(document: IssuedDocument, stored: StoredDocument) -> None:
    """Link a registered document to its stored bytes (unless it has some already: then the
    instance takes those)."""
    linked = IssuedDocument.objects.filter(pk=document.pk, stored__isnull=True).update(
        stored=stored, sha256=stored.sha256
    )
    if linked:
        document.stored, document.sha256 = stored, stored.sha256
    else:
        document.refresh_from_db(fields=["stored", "sha256"])


def issued_bytes(document: IssuedDocument) -> bytes:
    assert document.stored is not None
    return document_bytes(document.stored)


def document_void(*, subject: models.Model, kind: str, reason: str = "") -> int:
    """Void the subject's standing document of this kind (its code then answers "voided");
    the number of documents voided."""
    return issued_void(IssuedDocument.objects.of(subject).filter(kind=kind), reason=reason)


def document_by_code(code: str) -> IssuedDocument | None:
    """The document with this code: one indexed query whether it exists or not (no shortcut
    for a malformed code, so an unknown code takes as long as a known one). Typed in lower
    case, it is still found."""
    return (
        IssuedDocument.objects.select_related("project", "household", "superseded_by")
        .filter(code=code.upper())
        .first()
    )
