"""The 选房确认书 is a signed record: stored when it is confirmed, the same bytes at every print
whatever changes later; a void or a swap adds documents and keeps the old. A closed day's
summary is stored at closing (issue 7 §3, "the same rule for every repeated document")."""

import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.selection.models import Selection, SelectionStatus
from tests.documents import forbid_weasyprint, pdf_text
from tests.selection_fixtures import planned_day
from tests.test_selection_pages import act, flat, open_with_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned_event(world, personas, login):
    """A confirmation committed before documents were stored (nothing stored for it)."""
    event, people = planned_day(world, by=personas["supervisor"])
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    act(clerk, event, 1, "call")
    html = act(clerk, event, 1, "hold", flats=[flat("5-1-502").pk])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    act(clerk, event, 1, "confirm", idempotency_key=key)  # its on-commit task never runs
    return Selection.objects.get(household=people[0]), clerk


@pytest.fixture
def confirmed(world, personas, login, django_capture_on_commit_callbacks):
    """The first household confirmed 5-1-502 at desk 1, and the request committed."""
    event, people = planned_day(world, by=personas["supervisor"])
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    act(clerk, event, 1, "call")
    html = act(clerk, event, 1, "hold", flats=[flat("5-1-502").pk])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        act(clerk, event, 1, "confirm", idempotency_key=key)
    return event, people, Selection.objects.get(household=people[0]), clerk


def kinds(selection) -> dict[str, str]:
    return dict(StoredDocument.objects.of(selection).values_list("kind", "sha256"))


def test_the_confirmation_is_stored_when_confirmed_and_every_print_is_that_copy(
    confirmed, monkeypatch
):
    _event, people, selection, clerk = confirmed
    # later edits of the records do not reach the signed document, even before its first print
    household = people[0]
    signed_name = household.head_name
    household.head_name = "改名后户主"
    household.save()
    chosen = flat("5-1-502")
    chosen.layout = "改后户型"
    chosen.save()

    url = reverse("selection:confirmation", args=[selection.pk])
    first = clerk.get(url)
    text = pdf_text(first.content)
    assert signed_name in text and "改名后户主" not in text and "改后户型" not in text
    forbid_weasyprint(monkeypatch)
    second = clerk.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    digest = hashlib.sha256(first.content).hexdigest()
    assert kinds(selection) == {DocumentKind.SELECTION_CONFIRMATION: digest}
    assert first["ETag"] == f'"{digest}"' and "no-store" in first["Cache-Control"]
    assert clerk.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_a_void_adds_a_voided_copy_and_the_signed_confirmation_stays(
    confirmed, login, django_capture_on_commit_callbacks, monkeypatch
):
    _event, _people, selection, clerk = confirmed
    signed = clerk.get(reverse("selection:confirmation", args=[selection.pk])).content
    supervisor = login("supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(
            selection.get_absolute_url(), {"void": "confirmed", "reason": "户主申请重新选房"}
        )
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.VOIDED

    forbid_weasyprint(monkeypatch)
    response = supervisor.get(reverse("selection:confirmation", args=[selection.pk]))
    text = pdf_text(response.content)
    assert "已作废" in text and "户主申请重新选房" in text
    stored = kinds(selection)
    assert response["ETag"] == f'"{stored[DocumentKind.SELECTION_VOIDED]}"'
    assert stored[DocumentKind.SELECTION_CONFIRMATION] == hashlib.sha256(signed).hexdigest(), (
        "the signed copy is kept"
    )
    page = supervisor.get(selection.get_absolute_url()).content.decode()
    link = f"?document={DocumentKind.SELECTION_CONFIRMATION}"
    assert 'id="stored-documents"' in page and link in page
    original = supervisor.get(reverse("selection:confirmation", args=[selection.pk]) + link)
    assert original.content == signed


def test_a_swap_gives_the_new_selection_its_own_confirmation_and_voids_the_old_one(
    confirmed, login, django_capture_on_commit_callbacks, monkeypatch
):
    _event, people, old, _clerk = confirmed
    supervisor = login("supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(
            old.get_absolute_url(),
            {"swap": "1", "flat_codes": "6-1-101", "swap_reason": "老人腿脚不便，换到一楼"},
        )
    new = Selection.objects.get(household=people[0], status=SelectionStatus.ACTIVE)
    assert set(kinds(old)) == {DocumentKind.SELECTION_CONFIRMATION, DocumentKind.SELECTION_VOIDED}
    assert set(kinds(new)) == {DocumentKind.SELECTION_CONFIRMATION}

    forbid_weasyprint(monkeypatch)
    text = pdf_text(supervisor.get(reverse("selection:confirmation", args=[new.pk])).content)
    assert "6-1-101" in text and "已作废" not in text


def test_the_summary_is_live_while_the_day_is_open_and_stored_when_it_closes(
    confirmed, login, django_capture_on_commit_callbacks, monkeypatch
):
    event, _people, _selection, clerk = confirmed
    url = reverse("selection:summary", args=[event.pk])
    live = clerk.get(url, {"format": "pdf"})
    assert "已选房户数1" in pdf_text(live.content) and "ETag" not in live

    supervisor = login("supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(reverse("selection:event-step", args=[event.pk, "close"]))
    event.refresh_from_db()
    assert event.status == "closed"

    forbid_weasyprint(monkeypatch)
    first, second = clerk.get(url, {"format": "pdf"}), clerk.get(url, {"format": "pdf"})
    assert first.content == second.content
    assert "已选房户数1" in pdf_text(first.content)
    stored = StoredDocument.objects.of(event).get(kind=DocumentKind.EVENT_SUMMARY)
    assert first["ETag"] == stored.etag == f'"{hashlib.sha256(first.content).hexdigest()}"'


def test_a_confirmation_printed_before_documents_were_stored_keeps_its_bytes(planned_event, login):
    """A selection confirmed (and printed) before this change: its file is adopted as it is."""
    selection, clerk = planned_event
    printed = b"%PDF-1.7 the copy the household signed"
    selection.confirmation_pdf.save(f"selection-{selection.pk}.pdf", ContentFile(printed))
    call_command("documents_render", stdout=io.StringIO())
    assert kinds(selection) == {
        DocumentKind.SELECTION_CONFIRMATION: hashlib.sha256(printed).hexdigest()
    }
    response = clerk.get(reverse("selection:confirmation", args=[selection.pk]))
    assert response.content == printed
