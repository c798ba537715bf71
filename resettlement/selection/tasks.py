"""Background work of the selection day: storing each confirmation right after it commits (the
desk prints the stored copy) and the summary of a closed day."""

from django.db import transaction
from django_tasks import task

from resettlement.selection import documents
from resettlement.selection.models import Selection, SelectionEvent


@task()
def selection_document_render(selection_id: int, kind: str) -> str:
    """Store a selection's confirmation (or its voided copy); its SHA-256."""
    selection = Selection.objects.select_related(
        "household__project", "household__village", "event", "desk"
    ).get(pk=selection_id)
    return documents.confirmation_document(selection, kind=kind).sha256


@task()
def event_summary_render(event_id: int) -> str:
    """Store the summary of a closed selection day; its SHA-256 ("" if it is not closed)."""
    event = SelectionEvent.objects.select_related("project").get(pk=event_id)
    document = documents.summary_document(event)
    return document.sha256 if document is not None else ""


# Enqueued once the transaction commits. If the queue cannot be reached, the error is logged and
# the confirmation stands: its document is rendered at its first print (staff) instead.


def confirmation_render_when_committed(selection: Selection, kind: str) -> None:
    transaction.on_commit(
        lambda: selection_document_render.enqueue(selection.pk, kind), robust=True
    )


def summary_render_when_committed(event: SelectionEvent) -> None:
    transaction.on_commit(lambda: event_summary_render.enqueue(event.pk), robust=True)
