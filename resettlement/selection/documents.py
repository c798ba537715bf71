"""The documents of a selection day, rendered once and stored.

- 选房确认书: registered (archive.registry: a number per project, kind and year and a
  verification code, printed as text and QR code), rendered right after the confirmation
  commits (a background task) and kept; every print is the same bytes, whatever changes later
  in the flat or household records. A void voids it in the register and adds a voided copy
  (watermarked, with the reason); a swap gives the new selection its own confirmation, a new
  document that supersedes the old one. Nothing stored is replaced. A confirmation printed
  before documents were stored (Selection.confirmation_pdf, no number on it) is registered with
  its bytes adopted.
- The day summary of a closed event: stored when the event closes. While the event is open,
  staff get it rendered live (it changes with every confirmation).
"""

from django.db.models import Count, Sum
from django.utils import timezone

from resettlement.accounts.models import User
from resettlement.archive.models import (
    DocumentKind,
    IssuedDocument,
    IssuedKind,
    IssuedStatus,
    StoredDocument,
)
from resettlement.archive.registry import (
    document_adopt,
    document_attach,
    document_register,
    document_void,
    verification_context,
)
from resettlement.archive.services import document_latest, document_once, document_store
from resettlement.documents import PDF, pdf_bytes, render_layout, render_pdf
from resettlement.households.access_codes import printed_access_code
from resettlement.housing.models import Flat
from resettlement.rmb import rmb_upper
from resettlement.selection.models import (
    EventStatus,
    LogAction,
    QueueStatus,
    Selection,
    SelectionEvent,
    SelectionStatus,
)

TEMPLATE = "documents/selection_confirmation.html"


def confirmation_context(
    selection: Selection, *, voided: bool, document: IssuedDocument | None = None
) -> dict:
    household = selection.household
    context = {
        "selection": selection,
        "voided": voided,
        "household": household,
        "project": household.project,
        "flats": selection.flats.select_related("flat__building"),
        "members": household.members.filter(recognised=True),
        "tiers": selection.settlement.get("tiers", []),
        "floors": selection.settlement.get("floors", []),
        "balance_in_words": rmb_upper(abs(selection.balance)),
        "document": document,
    }
    if document is not None:
        context.update(verification_context(document, household, printed_access_code(household)))
    return context


def confirmation_issued(selection: Selection, *, by: User | None = None) -> IssuedDocument:
    """The selection's registered 选房确认书, numbered once: every later call (a reprint, the
    task, a bulk job) gets the same document. A voided selection keeps the document it had
    (voided, or superseded by its swap's); one that had none is registered voided, superseding
    nothing."""
    kind = IssuedKind.SELECTION_CONFIRMATION
    voided = selection.status == SelectionStatus.VOIDED
    if voided:
        earlier = (
            IssuedDocument.objects.of(selection)
            .filter(kind=kind)
            .select_related("project", "stored")
            .first()
        )
        if earlier is not None:
            return earlier
    document = document_register(
        subject=selection,
        kind=kind,
        household=selection.household,
        flat_codes=selection.flats.order_by("flat__code").values_list("flat__code", flat=True),
        by=by,
        supersedes=not voided,
    )
    if voided and document.status != IssuedStatus.VOIDED:
        document_void(subject=selection, kind=kind, reason=selection.void_reason)
        document.refresh_from_db()
    return document


def confirmation_layout(selection: Selection, document: IssuedDocument):
    """The 选房确认书 laid out with its number and code (a weasyprint.Document)."""
    return render_layout(TEMPLATE, confirmation_context(selection, voided=False, document=document))


def confirmation_kind(selection: Selection) -> str:
    if selection.status == SelectionStatus.VOIDED:
        return DocumentKind.SELECTION_VOIDED
    return DocumentKind.SELECTION_CONFIRMATION


def confirmation_document(
    selection: Selection, *, kind: str | None = None, by: User | None = None
) -> StoredDocument:
    """The stored 选房确认书 of this kind (by default: as the selection stands, voided or not),
    rendered and stored now if it is not yet (the task after the confirmation does it first).
    The signed confirmation is the bytes of its registered document; a confirmation printed
    before documents were stored or registered keeps its bytes: they are adopted."""
    kind = kind or confirmation_kind(selection)
    if kind == DocumentKind.SELECTION_VOIDED:
        return document_once(
            subject=selection,
            kind=kind,
            media_type=PDF,
            render=lambda: render_pdf(
                TEMPLATE,
                confirmation_context(
                    selection, voided=True, document=confirmation_issued(selection, by=by)
                ),
            ),
            by=by,
        )
    issued = confirmation_issued(selection, by=by)
    if issued.stored is not None:
        return issued.stored
    earlier = document_latest(selection, DocumentKind.SELECTION_CONFIRMATION)
    if earlier is None and selection.confirmation_pdf:
        earlier = document_store(
            subject=selection,
            kind=DocumentKind.SELECTION_CONFIRMATION,
            content=_legacy_bytes(selection),
            media_type=PDF,
            by=by,
        )
    if earlier is not None:
        document_adopt(issued, earlier)
    else:
        document_attach(issued, pdf_bytes(confirmation_layout(selection, issued)), by=by)
    assert issued.stored is not None
    return issued.stored


def _legacy_bytes(selection: Selection) -> bytes:
    with selection.confirmation_pdf.open("rb") as file:
        return file.read()


# The day summary


def summary_context(event: SelectionEvent) -> dict:
    flats = Flat.objects.filter(building__in=event.buildings.all())
    left = (
        flats.available()
        .values("layout")
        .annotate(n=Count("pk"), area=Sum("gross_area"))
        .order_by("layout")
    )
    log = event.log
    return {
        "event": event,
        "project": event.project,
        "served": event.selections.filter(status=SelectionStatus.ACTIVE).count(),
        "voided": event.selections.filter(status=SelectionStatus.VOIDED).count(),
        "absent": log.filter(action=LogAction.ABSENT).count(),
        "skipped": event.queue.filter(status=QueueStatus.SKIPPED).count(),
        "waiting": event.queue.filter(status=QueueStatus.WAITING).count(),
        "left": left,
        "left_total": flats.available().count(),
        "by_desk": event.selections.filter(status=SelectionStatus.ACTIVE)
        .values("desk__number")
        .annotate(n=Count("pk"))
        .order_by("desk__number"),
        "selections": event.selections.select_related("household", "desk").prefetch_related(
            "flats__flat"
        ),
        "printed_at": timezone.localtime(),
    }


def summary_pdf(event: SelectionEvent) -> bytes:
    return render_pdf("documents/selection_summary.html", summary_context(event))


def summary_document(event: SelectionEvent, *, by: User | None = None) -> StoredDocument | None:
    """The summary of a closed event as stored at closing (stored now if it is not yet);
    None while the event is not closed."""
    if event.status != EventStatus.CLOSED:
        return None
    return document_once(
        subject=event,
        kind=DocumentKind.EVENT_SUMMARY,
        media_type=PDF,
        render=lambda: summary_pdf(event),
        by=by,
    )
