"""The documents of a selection day, rendered once and stored.

- 选房确认书: rendered right after the confirmation commits (a background task) and kept; every
  print is the same bytes, whatever changes later in the flat or household records. A void
  adds a voided copy (watermarked, with the reason); a swap voids the old selection and gives
  the new one its own confirmation. Nothing stored is replaced.
- The day summary of a closed event: stored when the event closes. While the event is open,
  staff get it rendered live (it changes with every confirmation).
"""

from django.db.models import Count, Sum
from django.utils import timezone

from resettlement.accounts.models import User
from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.archive.services import document_once
from resettlement.documents import PDF, render_pdf
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


def confirmation_context(selection: Selection, *, voided: bool) -> dict:
    household = selection.household
    return {
        "selection": selection,
        "voided": voided,
        "household": household,
        "project": household.project,
        "flats": selection.flats.select_related("flat__building"),
        "members": household.members.filter(recognised=True),
        "tiers": selection.settlement.get("tiers", []),
        "floors": selection.settlement.get("floors", []),
        "balance_in_words": rmb_upper(abs(selection.balance)),
    }


def confirmation_kind(selection: Selection) -> str:
    if selection.status == SelectionStatus.VOIDED:
        return DocumentKind.SELECTION_VOIDED
    return DocumentKind.SELECTION_CONFIRMATION


def confirmation_document(selection: Selection, *, kind: str | None = None, by: User | None = None):
    """The stored 选房确认书 of this kind (by default: as the selection stands, voided or not),
    rendered and stored now if it is not yet (the task after the confirmation does it first).
    A confirmation printed before documents were stored keeps its bytes: it is adopted."""
    kind = kind or confirmation_kind(selection)
    if kind == DocumentKind.SELECTION_CONFIRMATION and selection.confirmation_pdf:
        return document_once(
            subject=selection,
            kind=kind,
            media_type=PDF,
            render=lambda: _legacy_bytes(selection),
            by=by,
        )
    voided = kind == DocumentKind.SELECTION_VOIDED
    return document_once(
        subject=selection,
        kind=kind,
        media_type=PDF,
        render=lambda: render_pdf(
            "documents/selection_confirmation.html",
            confirmation_context(selection, voided=voided),
        ),
        by=by,
    )


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
