"""Bulk printing: one kind of paper for every household of a batch (or of one of its
buildings), made by background tasks (handover.tasks) that any number of workers share.

A job is split into parts of PART_SIZE households. A part is claimed under a lease
(`_claim`: pending, or running with its lease expired, becomes running with a new lease and
attempt) that its worker renews after each household; a part whose worker went silent (killed)
is put back and queued again by `recover_stale_print_parts`. Each part lays out its households'
papers once (paper_layout): each paper's own PDF is stored in the register (a reprint keeps the
bytes stored before), and the part's pages are written together, fonts embedded once. When the
last part is done, two final steps (claimed the same way, run side by side by two workers)
write one PDF for printing (a cover sheet with the page where each household's papers start,
then the parts' pages) and a ZIP of every paper's stored PDF named by agreement number; the
second of them to finish closes the job.

A household whose paper cannot be made is recorded with the reason; `job_retry` runs those
again. No paper is numbered twice: the register returns a subject's standing document.
"""

import datetime
import io
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import User
from resettlement.archive.models import DocumentKind, IssuedDocument, IssuedKind, StoredDocument
from resettlement.archive.registry import document_attach, issued_bytes
from resettlement.archive.services import document_store
from resettlement.documents import PDF, pdf_bytes, render_layout
from resettlement.handover.documents import paper_layout, paper_register
from resettlement.handover.models import (
    FINAL_ROLES,
    STANDING,
    Appointment,
    HandoverBatch,
    HandoverStatus,
    ItemStatus,
    PartRole,
    PartStatus,
    PrintItem,
    PrintJob,
    PrintKind,
    PrintPart,
    PrintStatus,
)
from resettlement.handover.services import active_selection, batch_households, handovers_done
from resettlement.households.models import Household
from resettlement.housing.models import Building
from resettlement.selection.models import SelectedFlat, SelectionStatus

logger = logging.getLogger(__name__)

PART_SIZE = 25
ZIP = "application/zip"

# The papers of each kind of job, in print order.
PAPERS: dict[str, tuple[str, ...]] = {
    PrintKind.NOTICES: (IssuedKind.HANDOVER_NOTICE,),
    PrintKind.CONFIRMATIONS: (IssuedKind.SELECTION_CONFIRMATION,),
    PrintKind.HANDOVER_PAPERS: (IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT),
}
# A paper's name in the ZIP: HT-0001_交房通知书.pdf (the printed titles: not translated).
FILE_TITLES: dict[str, str] = {
    IssuedKind.HANDOVER_NOTICE: "交房通知书",
    IssuedKind.SELECTION_CONFIRMATION: "选房确认书",
    IssuedKind.HANDOVER_CONFIRMATION: "房屋交接确认书",
    IssuedKind.KEY_RECEIPT: "钥匙领取单",
}

ERROR_NO_HOUSEHOLDS = _("No household of this batch has these papers to print.")
ERROR_BUILDING_NOT_IN_BATCH = _("This building is not in the handover batch.")
ERROR_NOTHING_TO_RETRY = _("This print job has no failed household to print again.")
ERROR_NO_APPOINTMENT = _("The household has no standing appointment in this batch.")
ERROR_NO_SELECTION = _("The household has no active selection.")
ERROR_NO_HANDOVER = _("The household's flats have not been handed over.")
ERROR_UNEXPECTED = _(
    "The paper could not be made because of an unexpected error; "
    "the error has been logged for the administrators."
)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PRINT_LEASE_SECONDS)


# Starting a job


def job_households(
    batch: HandoverBatch, kind: str, building: Building | None = None
) -> QuerySet[Household]:
    """The households a job prints for, in selection order: the batch's (or the building's
    of the batch); for handover papers only those handed over."""
    households = batch_households(batch)
    if building is not None:
        households = households.filter(
            Exists(
                SelectedFlat.objects.filter(
                    selection__household=OuterRef("pk"),
                    selection__status=SelectionStatus.ACTIVE,
                    flat__building=building,
                )
            )
        )
    if kind == PrintKind.HANDOVER_PAPERS:
        households = households.filter(
            handovers__status=HandoverStatus.DONE, handovers__batch=batch
        )
    return households


def job_start(
    *,
    batch: HandoverBatch,
    kind: str,
    building: Building | None = None,
    by: User | None = None,
) -> PrintJob:
    """Record a job, its parts and its households; its parts are queued once committed."""
    if building is not None and not batch.buildings.filter(pk=building.pk).exists():
        raise ValidationError(ERROR_BUILDING_NOT_IN_BATCH)
    household_ids = list(job_households(batch, kind, building).values_list("pk", flat=True))
    if not household_ids:
        raise ValidationError(ERROR_NO_HOUSEHOLDS)
    with transaction.atomic():
        job = PrintJob.objects.create(
            project_id=batch.project_id,
            batch=batch,
            building=building,
            kind=kind,
            total=len(household_ids),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        chunks = [
            household_ids[start : start + PART_SIZE]
            for start in range(0, len(household_ids), PART_SIZE)
        ]
        parts = PrintPart.objects.bulk_create(
            [PrintPart(job=job, number=number) for number in range(1, len(chunks) + 1)]
            + [
                PrintPart(job=job, number=len(chunks) + offset, role=role)
                for offset, role in enumerate(FINAL_ROLES, start=1)
            ]
        )
        rows = [
            (part, household_id)
            for part, chunk in zip(parts, chunks, strict=False)  # not the final parts
            for household_id in chunk
        ]
        PrintItem.objects.bulk_create(
            PrintItem(job=job, part=part, household_id=household_id, position=position)
            for position, (part, household_id) in enumerate(rows, start=1)
        )
        _enqueue_on_commit([part.pk for part in parts[: len(chunks)]])
    return job


def _enqueue_on_commit(part_ids: list[int]) -> None:
    PrintPart.objects.filter(pk__in=part_ids).update(queued_at=timezone.now())
    transaction.on_commit(lambda: _enqueue(part_ids))


def _enqueue(part_ids: Iterable[int]) -> None:
    from resettlement.handover.tasks import print_part

    for part_id in part_ids:
        try:
            print_part.enqueue(part_id=part_id)
        except Exception:  # the queue is down: recovery queues the part again later
            logger.exception("print part %s could not be queued", part_id)


# Claiming a part


def _claim(part_id: int) -> int | None:
    """Take the part (pending, or running under an expired lease): its new attempt number,
    or None if another worker holds it or it is done."""
    now = timezone.now()
    claimable = Q(status=PartStatus.PENDING) | Q(status=PartStatus.RUNNING, lease_until__lt=now)
    claimed = (
        PrintPart.objects.filter(claimable, pk=part_id)
        .filter(Q(role=PartRole.DOCUMENTS) | ~Exists(_unfinished_parts(OuterRef("job"))))
        .update(status=PartStatus.RUNNING, lease_until=now + _lease(), attempt=F("attempt") + 1)
    )
    if not claimed:
        return None
    return PrintPart.objects.values_list("attempt", flat=True).get(pk=part_id)


def _unfinished_parts(job) -> QuerySet[PrintPart]:
    return PrintPart.objects.filter(job=job, role=PartRole.DOCUMENTS).exclude(
        status=PartStatus.DONE
    )


def _renew(part_id: int, attempt: int) -> bool:
    """Extend the lease; False if the part was taken over (this worker then stops)."""
    return bool(
        PrintPart.objects.filter(pk=part_id, attempt=attempt, status=PartStatus.RUNNING).update(
            lease_until=timezone.now() + _lease()
        )
    )


def recover_stale_print_parts() -> int:
    """Queue again the parts whose worker went silent (lease expired: killed, or its machine
    gone) and the waiting parts whose task seems lost (a job nobody works on for a lease, e.g.
    its assembly was never queued): how many were queued. A part queued twice runs once."""
    now = timezone.now()
    ids = []
    stale = PrintPart.objects.filter(status=PartStatus.RUNNING, lease_until__lt=now)
    for part_id, lease_until in stale.values_list("pk", "lease_until"):
        if PrintPart.objects.filter(
            pk=part_id, status=PartStatus.RUNNING, lease_until=lease_until
        ).update(status=PartStatus.PENDING, queued_at=now):
            ids.append(part_id)
    # A waiting part is lost only when nobody works on its job (while workers do, the rest
    # of its parts are simply further down the queue).
    working = PrintPart.objects.filter(
        job=OuterRef("job"), status=PartStatus.RUNNING, lease_until__gte=now
    )
    lost = PrintPart.objects.filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - _lease()),
        Q(role=PartRole.DOCUMENTS) | ~Exists(_unfinished_parts(OuterRef("job"))),
        ~Exists(working),
        status=PartStatus.PENDING,
    )
    for part_id, queued_at in lost.values_list("pk", "queued_at"):
        if PrintPart.objects.filter(pk=part_id, queued_at=queued_at).update(queued_at=now):
            ids.append(part_id)
    if ids:
        _enqueue(ids)
    return len(ids)


# Running a part


def part_run(part_id: int) -> None:
    """Run one part of a job (the task's body): its households' papers, or the assembly."""
    attempt = _claim(part_id)
    if attempt is None:
        return
    part = PrintPart.objects.select_related("job__batch", "job__created_by").get(pk=part_id)
    PrintJob.objects.filter(pk=part.job_id, status=PrintStatus.QUEUED).update(
        status=PrintStatus.RUNNING
    )
    with translation.override(part.job.language):
        if part.role == PartRole.ASSEMBLY:
            _assemble_pdf(part, attempt)
        elif part.role == PartRole.ARCHIVE:
            _assemble_zip(part, attempt)
        else:
            _print_part(part, attempt)


def paper_subject(job: PrintJob, household: Household, kind: str) -> Any:
    """What the paper is about: the standing appointment (notice), the active selection
    (selection confirmation), the done handover (handover papers); ValidationError if none."""
    subject: Any
    if kind == IssuedKind.HANDOVER_NOTICE:
        subject = (
            Appointment.objects.filter(batch=job.batch, household=household, status__in=STANDING)
            .select_related("slot", "batch", "household__project")
            .first()
        )
        error = ERROR_NO_APPOINTMENT
    elif kind == IssuedKind.SELECTION_CONFIRMATION:
        subject, error = active_selection(household), ERROR_NO_SELECTION
    else:
        subject, error = (
            handovers_done(household).select_related("batch").first(),
            ERROR_NO_HANDOVER,
        )
    if subject is None:
        raise ValidationError(error)
    return subject


def _papers(job: PrintJob, item: PrintItem) -> list[tuple[IssuedDocument, Any]]:
    """The item's papers (numbered now if new) with their subjects, in print order."""
    if item.status == ItemStatus.DONE:  # done by an earlier attempt: no new number
        order = {kind: index for index, kind in enumerate(PAPERS[job.kind])}
        documents = sorted(item.documents.select_related("stored"), key=lambda d: order[d.kind])
        return [(document, document.subject) for document in documents]
    papers = []
    for kind in PAPERS[job.kind]:
        subject = paper_subject(job, item.household, kind)
        papers.append((paper_register(kind, subject, by=job.created_by), subject))
    return papers


def _print_item(job: PrintJob, item: PrintItem) -> tuple[list, bool]:
    """Register and store the item's papers: (their layouts for the part's pages, reprint).
    A reprint (every paper stored before the job) is printed from its stored bytes."""
    papers = _papers(job, item)
    documents = [document for document, _subject in papers]
    if all(d.stored is not None and d.stored.created_at < job.created_at for d in documents):
        item.documents.add(*documents)
        return [], True
    layouts = []
    for document, subject in papers:
        layout = paper_layout(document.kind, subject, document)
        if document.stored_id is None:
            document_attach(document, pdf_bytes(layout), by=job.created_by)
        layouts.append(layout)
    item.documents.add(*documents)
    return layouts, False


def _item_failed(job: PrintJob, item: PrintItem, error: str) -> None:
    if PrintItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
        status=ItemStatus.FAILED, error=error
    ):
        PrintJob.objects.filter(pk=job.pk).update(failed=F("failed") + 1)


def _item_done(job: PrintJob, item: PrintItem) -> None:
    if PrintItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
        status=ItemStatus.DONE, error=""
    ):
        PrintJob.objects.filter(pk=job.pk).update(done=F("done") + 1)
    item.status = ItemStatus.DONE


def _print_part(part: PrintPart, attempt: int) -> None:
    job = part.job
    layouts: list = []
    pages: dict[int, tuple[int | None, int, bool]] = {}  # item pk: first page, count, reprint
    for item in part.items.select_related("household__project").order_by("position"):
        if not _renew(part.pk, attempt):
            return  # taken over by another worker
        if item.status == ItemStatus.FAILED:
            continue
        try:
            item_layouts, reprint = _print_item(job, item)
        except ValidationError as error:
            _item_failed(job, item, "；".join(str(message) for message in error.messages))
            continue
        except Exception:
            logger.exception("print job %s: household %s failed", job.pk, item.household_id)
            _item_failed(job, item, str(ERROR_UNEXPECTED))
            continue
        first = sum(len(layout.pages) for layout in layouts)
        count = sum(len(layout.pages) for layout in item_layouts)
        pages[item.pk] = (None if reprint else first, count, reprint)
        layouts.extend(item_layouts)
        _item_done(job, item)
    content = None
    if layouts:
        content = pdf_bytes(layouts[0].copy([page for layout in layouts for page in layout.pages]))
    _part_finish(part, attempt, content, pages)


def _part_finish(part: PrintPart, attempt: int, content: bytes | None, pages: dict) -> None:
    name = ""
    if content is not None:
        name = PrintPart.pages.field.storage.save(
            f"print/parts/{part.job_id}-{part.number}-{attempt}.pdf", ContentFile(content)
        )
    with transaction.atomic():
        finished = PrintPart.objects.filter(
            pk=part.pk, attempt=attempt, status=PartStatus.RUNNING
        ).update(status=PartStatus.DONE, pages=name, lease_until=None)
        if not finished:  # taken over meanwhile: the new holder writes the pages
            if name:
                transaction.on_commit(lambda: PrintPart.pages.field.storage.delete(name))
            return
        for item_pk, (first, count, reprint) in pages.items():
            PrintItem.objects.filter(pk=item_pk).update(
                first_page=first, page_count=count, reprint=reprint
            )
        if part.pages and part.pages.name != name:
            old = part.pages.name
            transaction.on_commit(lambda: PrintPart.pages.field.storage.delete(old))
        if not _unfinished_parts(part.job_id).exists():
            final = PrintPart.objects.filter(job=part.job_id, role__in=FINAL_ROLES)
            _enqueue_on_commit(list(final.values_list("pk", flat=True)))


# The final steps: the merged PDF, the ZIP


def _job_papers(job: PrintJob) -> tuple[list[PrintItem], dict[int, list[IssuedDocument]]]:
    """The job's items in order, and the papers of each done item in print order."""
    items = list(
        job.items.select_related("household", "part")
        .prefetch_related("documents__stored")
        .order_by("position")
    )
    order = {kind: index for index, kind in enumerate(PAPERS[job.kind])}
    papers = {
        item.pk: sorted(item.documents.all(), key=lambda d: order[d.kind])
        for item in items
        if item.status == ItemStatus.DONE
    }
    return items, papers


def _assemble_pdf(part: PrintPart, attempt: int) -> None:
    """One PDF for printing: the cover, then each household's pages (from its part's PDF, or
    a reprint's stored bytes)."""
    from pypdf import PdfReader, PdfWriter

    job = part.job
    items, papers = _job_papers(job)
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(_cover_layout(job, items, papers)))).pages:
        writer.add_page(page)
    readers: dict[int, PdfReader] = {}
    for item in items:
        if item.pk not in papers:
            continue
        if item.reprint:  # the stored bytes, as printed before
            for document in papers[item.pk]:
                for page in PdfReader(io.BytesIO(issued_bytes(document))).pages:
                    writer.add_page(page)
            continue
        if item.part_id not in readers:
            with item.part.pages.open("rb") as file:
                readers[item.part_id] = PdfReader(io.BytesIO(file.read()))
        first = item.first_page or 0
        for index in range(first, first + item.page_count):
            writer.add_page(readers[item.part_id].pages[index])
    _renew(part.pk, attempt)
    # Written to a temporary file and stored from there: not held in memory twice.
    with tempfile.TemporaryFile() as merged:
        writer.write(merged)
        merged.seek(0)
        stored = document_store(
            subject=job,
            kind=DocumentKind.PRINT_MERGED,
            content=File(merged),
            media_type=PDF,
            by=job.created_by,
        )
    _final_part_done(job, part, attempt, merged=stored)


def _assemble_zip(part: PrintPart, attempt: int) -> None:
    """A ZIP of every paper's stored PDF, named by agreement number: hundreds of megabytes for
    a thousand households, so written to a temporary file and stored from there in chunks."""
    job = part.job
    items, papers = _job_papers(job)
    with tempfile.TemporaryFile() as archive:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
            for item in items:
                for document in papers.get(item.pk, []):
                    assert document.stored is not None
                    with (
                        document.stored.file.open("rb") as source,
                        bundle.open(paper_filename(item.household, document), "w") as target,
                    ):
                        shutil.copyfileobj(source, target)
        _renew(part.pk, attempt)
        archive.seek(0)
        stored = document_store(
            subject=job,
            kind=DocumentKind.PRINT_ZIP,
            content=File(archive),
            media_type=ZIP,
            by=job.created_by,
        )
    _final_part_done(job, part, attempt, zip=stored)


def _final_part_done(job: PrintJob, part: PrintPart, attempt: int, **result) -> None:
    """Record a final step's file; the second final step to finish closes the job (under a
    lock on the job, so that one of two finishing at once sees the other done)."""
    with transaction.atomic():
        PrintJob.objects.select_for_update().filter(pk=job.pk).first()
        if not PrintPart.objects.filter(
            pk=part.pk, attempt=attempt, status=PartStatus.RUNNING
        ).update(status=PartStatus.DONE, lease_until=None):
            return  # taken over meanwhile: the new holder finishes it
        PrintJob.objects.filter(pk=job.pk).update(**result)
        if (
            PrintPart.objects.filter(job=job, role__in=FINAL_ROLES)
            .exclude(status=PartStatus.DONE)
            .exists()
        ):
            return
        statuses = job.items.values_list("status", flat=True)
        done = sum(1 for status in statuses if status == ItemStatus.DONE)
        failed = sum(1 for status in statuses if status == ItemStatus.FAILED)
        PrintJob.objects.filter(pk=job.pk).update(
            done=done,
            failed=failed,
            status=PrintStatus.FAILED if failed else PrintStatus.DONE,
            finished_at=timezone.now(),
        )


def paper_filename(household: Household, document: IssuedDocument) -> str:
    agreement = household.agreement_no.replace("/", "-").replace("\\", "-")
    return f"{agreement}_{FILE_TITLES[document.kind]}.pdf"


# The cover's rows per page (one line each, print_cover.html): the first page also has the title.
COVER_FIRST_ROWS = 38
COVER_ROWS = 44


def _cover_chunks(rows: list) -> list[list]:
    chunks = [rows[:COVER_FIRST_ROWS]]
    for start in range(COVER_FIRST_ROWS, len(rows), COVER_ROWS):
        chunks.append(rows[start : start + COVER_ROWS])
    return chunks


def _cover_layout(job: PrintJob, items: list[PrintItem], papers: dict[int, list]):
    """The cover sheet: every household with its papers' numbers and the page they start on
    (counted in the merged PDF, cover included), or the reason it has none. Its rows are one
    line each, a fixed number per page, so its length is known before it is laid out (a
    thousand rows take seconds to lay out); laid out again only if it came out otherwise."""
    counts = {
        item.pk: (
            sum(_stored_page_count(document) for document in papers[item.pk])
            if item.reprint
            else item.page_count
        )
        for item in items
        if item.pk in papers
    }
    cover_pages = len(_cover_chunks(items))
    while True:
        rows = []
        page = cover_pages + 1
        for item in items:
            rows.append((item, papers.get(item.pk, []), page if item.pk in papers else None))
            page += counts.get(item.pk, 0)
        layout = render_layout(
            "documents/print_cover.html",
            {"job": job, "chunks": _cover_chunks(rows), "households": len(rows), "pages": page - 1},
        )
        if len(layout.pages) == cover_pages:
            return layout
        logger.warning(
            "print job %s: cover of %s pages expected, %s laid out",
            job.pk,
            cover_pages,
            len(layout.pages),
        )
        cover_pages = len(layout.pages)


def _stored_page_count(document: IssuedDocument) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(issued_bytes(document))).pages)


# Retrying


def job_retry(*, job: PrintJob, by: User | None = None) -> PrintJob:
    """Run the failed households again (their parts, then the assembly); the papers already
    numbered keep their numbers."""
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_retry:
            raise ValidationError(ERROR_NOTHING_TO_RETRY)
        failed = job.items.filter(status=ItemStatus.FAILED)
        part_ids = list(failed.values_list("part_id", flat=True).distinct())
        failed.update(status=ItemStatus.PENDING, error="")
        PrintPart.objects.filter(Q(pk__in=part_ids) | Q(role__in=FINAL_ROLES), job=job).update(
            status=PartStatus.PENDING, lease_until=None
        )
        old = [pk for pk in (job.merged_id, job.zip_id) if pk is not None]
        PrintJob.objects.filter(pk=job.pk).update(
            status=PrintStatus.QUEUED, failed=0, merged=None, zip=None, finished_at=None
        )
        for stored in StoredDocument.objects.filter(pk__in=old):
            stored.file.delete(save=False)
            stored.delete()
        _enqueue_on_commit(part_ids)
    job.refresh_from_db()
    return job


# Reading


def job_eta(job: PrintJob, now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """How long the job may still take, at the rate it has gone so far."""
    handled = job.done + job.failed
    if job.finished or not handled:
        return None
    elapsed = (now or timezone.now()) - job.created_at
    return elapsed / handled * (job.total - handled)
