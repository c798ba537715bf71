"""Storing a document once and finding it again."""

import hashlib
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, models, transaction

from resettlement.accounts.models import User
from resettlement.archive.models import REVISED_KINDS, StoredDocument


def document_latest(subject: models.Model, kind: str) -> StoredDocument | None:
    return StoredDocument.objects.of(subject).filter(kind=kind).first()


def documents_latest(subject: models.Model, kinds: Iterable[str]) -> dict[str, StoredDocument]:
    """The latest document of each of these kinds (one query), by kind."""
    latest: dict[str, StoredDocument] = {}
    for document in StoredDocument.objects.of(subject).filter(kind__in=list(kinds)):
        latest.setdefault(document.kind, document)  # newest first
    return latest


def document_store(
    *,
    subject: models.Model,
    kind: str,
    content: bytes | File,
    media_type: str,
    by: User | None = None,
) -> StoredDocument:
    """Keep `content` as the subject's document of this kind.

    Most kinds are written once per object: if one is stored already (by a concurrent writer
    too), that one is returned and `content` is dropped. A revised kind (the lottery notice PDF)
    adds a version, unless the latest version has the same bytes. `content` may be an open
    file (a print job's ZIP of a thousand PDFs): it is read in chunks, never whole."""
    if isinstance(content, File):
        hasher = hashlib.sha256()
        for chunk in content.chunks():
            hasher.update(chunk)
        digest, size = hasher.hexdigest(), content.size
        content.seek(0)
    else:
        digest, size = hashlib.sha256(content).hexdigest(), len(content)
    latest = document_latest(subject, kind)
    if latest is not None and (kind not in REVISED_KINDS or latest.sha256 == digest):
        return latest
    document = StoredDocument(
        kind=kind,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        media_type=media_type,
        size=size,
        sha256=digest,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    document.file.save(
        "document",
        content if isinstance(content, File) else ContentFile(content),
        save=False,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another writer stored this object's document first
        document.file.delete(save=False)
        stored = document_latest(subject, kind)
        if stored is None:  # that writer's row is gone again: the conflict stands
            raise
        return stored
    return document


def document_once(
    *,
    subject: models.Model,
    kind: str,
    media_type: str,
    render: Callable[[], bytes],
    by: User | None = None,
) -> StoredDocument:
    """The subject's stored document of this kind, rendered and stored now if there is none."""
    existing = document_latest(subject, kind)
    if existing is not None:
        return existing
    return document_store(
        subject=subject, kind=kind, content=render(), media_type=media_type, by=by
    )


def document_bytes(document: StoredDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()
