"""The register of issued documents: numbers per project, kind and year; one number per
subject even under concurrency (PostgreSQL, real threads); the 选房确认书 registered with its
bytes stored once under the selection, whichever path prints it first (the desk, bulk
printing's paper_register + paper_layout + document_attach, a confirmation printed before the
register); voided with its selection, superseded by its swap's."""

import datetime
import hashlib
import threading

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from resettlement.archive.models import (
    DocumentCounter,
    DocumentKind,
    IssuedDocument,
    IssuedKind,
    IssuedStatus,
    StoredDocument,
)
from resettlement.archive.registry import document_attach, document_register, issued_bytes
from resettlement.handover.documents import paper_issue, paper_layout, paper_register
from resettlement.selection.confirmation import selection_void
from resettlement.selection.documents import confirmation_document
from resettlement.selection.models import SelectionStatus
from tests.documents import forbid_weasyprint, pdf_text
from tests.handover_fixtures import allocated_project, handover_day


def register(subject, kind, household):
    return document_register(subject=subject, kind=kind, household=household)


@pytest.mark.django_db
def test_numbers_run_per_project_kind_and_year(world):
    a, b = world.household_a, world.household_b
    year = timezone.localdate().year
    first = register(a, IssuedKind.HANDOVER_NOTICE, a)
    assert register(a, IssuedKind.HANDOVER_NOTICE, a).pk == first.pk, "asked again: the same"
    second = register(world.building_a, IssuedKind.HANDOVER_NOTICE, a)
    other_kind = register(a, IssuedKind.KEY_RECEIPT, a)
    other_project = register(b, IssuedKind.HANDOVER_NOTICE, b)
    assert [first.number, second.number, other_kind.number, other_project.number] == [
        f"PA-JF-{year}-000001",
        f"PA-JF-{year}-000002",
        f"PA-YS-{year}-000001",
        f"PB-JF-{year}-000001",
    ]
    first.refresh_from_db()
    assert first.status == IssuedStatus.SUPERSEDED and first.superseded_by == second
    assert len({first.code, second.code, other_kind.code, other_project.code}) == 4
    assert all(len(d.code) >= 20 for d in (first, second, other_kind, other_project))

    with time_machine.travel(datetime.datetime(year + 1, 1, 2, 9, tzinfo=datetime.UTC)):
        next_year = register(world.building_b, IssuedKind.HANDOVER_NOTICE, a)
    assert next_year.number == f"PA-JF-{year + 1}-000001"
    assert (
        DocumentCounter.objects.get(project=a.project, kind="handover_notice", year=year).last == 2
    )


@pytest.mark.django_db
def test_bulk_printing_of_a_confirmation_is_the_desks_copy(world, personas, login, monkeypatch):
    """paper_register + paper_layout + document_attach (what a bulk job does) store the bytes
    under the selection: the desk's print is then those bytes, and a second job reprints them."""
    _project, _buildings, people = allocated_project(world, by=personas["clerk"])
    selection = people[0].selections.get()
    document = paper_register(IssuedKind.SELECTION_CONFIRMATION, selection)
    content = paper_layout(IssuedKind.SELECTION_CONFIRMATION, selection, document).write_pdf()
    document_attach(document, content)
    stored = StoredDocument.objects.of(selection).get()
    assert stored.kind == DocumentKind.SELECTION_CONFIRMATION and document.stored == stored
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.number in pdf_text(content) and document.code in pdf_text(content)

    forbid_weasyprint(monkeypatch)
    printed = login("clerk").get(reverse("selection:confirmation", args=[selection.pk]))
    assert printed.content == content
    again = paper_issue(IssuedKind.SELECTION_CONFIRMATION, selection)
    assert (again.pk, again.stored_id) == (document.pk, stored.pk)
    assert IssuedDocument.objects.filter(kind=IssuedKind.SELECTION_CONFIRMATION).count() == 1


@pytest.mark.django_db
def test_a_confirmation_printed_before_the_register_is_registered_with_its_bytes(world, personas):
    _project, _buildings, people = allocated_project(world, by=personas["clerk"])
    selection = people[0].selections.get()
    printed = b"%PDF-1.7 the copy the household signed, numbered XF-000001"
    selection.confirmation_pdf.save(f"selection-{selection.pk}.pdf", ContentFile(printed))
    stored = confirmation_document(selection)
    document = IssuedDocument.objects.get(object_id=selection.pk, kind="selection_confirmation")
    assert document.stored == stored and document.sha256 == hashlib.sha256(printed).hexdigest()
    assert issued_bytes(document) == printed
    assert paper_issue(IssuedKind.SELECTION_CONFIRMATION, selection).pk == document.pk


@pytest.mark.django_db
def test_voiding_a_selection_voids_its_confirmation_and_its_voided_copy_carries_the_number(
    world, personas
):
    _project, _buildings, people = allocated_project(world, by=personas["clerk"])
    selection = people[0].selections.get()
    signed = paper_issue(IssuedKind.SELECTION_CONFIRMATION, selection)
    selection_void(selection=selection, reason="户主申请重新选房", by=personas["supervisor"])
    selection.refresh_from_db()
    signed.refresh_from_db()
    assert selection.status == SelectionStatus.VOIDED
    assert signed.status == IssuedStatus.VOIDED and signed.void_reason == "户主申请重新选房"

    voided_copy = confirmation_document(selection)
    assert voided_copy.kind == DocumentKind.SELECTION_VOIDED
    with voided_copy.file.open("rb") as file:
        text = pdf_text(file.read())
    assert "已作废" in text and signed.number in text
    again = paper_issue(IssuedKind.SELECTION_CONFIRMATION, selection)
    assert again.pk == signed.pk, "a voided selection's confirmation is not numbered again"
    assert IssuedDocument.objects.filter(kind=IssuedKind.SELECTION_CONFIRMATION).count() == 1


@pytest.mark.django_db
def test_a_voided_selection_never_registered_is_registered_voided_superseding_nothing(
    world, personas
):
    _project, _buildings, people = allocated_project(world, by=personas["clerk"])
    selection = people[0].selections.get()
    selection_void(selection=selection, reason="录入错误", by=personas["supervisor"])
    selection.refresh_from_db()
    document = paper_register(IssuedKind.SELECTION_CONFIRMATION, selection)
    assert document.status == IssuedStatus.VOIDED
    assert paper_register(IssuedKind.SELECTION_CONFIRMATION, selection).pk == document.pk


# Concurrency: PostgreSQL with real threads, each on its own connection.


def race(count: int, attempt) -> list:
    barrier = threading.Barrier(count, timeout=60)
    outcomes: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = attempt(index)
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency: PostgreSQL")
def test_two_threads_issuing_the_same_notice_get_one_number_and_one_copy(world):
    batch, people = handover_day(world)
    appointment = batch.appointments.get(household=people[0])
    outcomes = race(2, lambda i: paper_issue(IssuedKind.HANDOVER_NOTICE, appointment))
    assert all(isinstance(outcome, IssuedDocument) for outcome in outcomes), outcomes
    assert outcomes[0].number == outcomes[1].number
    assert outcomes[0].stored_id == outcomes[1].stored_id is not None
    assert IssuedDocument.objects.filter(kind=IssuedKind.HANDOVER_NOTICE).count() == 1
    counter = DocumentCounter.objects.get(kind=IssuedKind.HANDOVER_NOTICE)
    assert counter.last == 1, "no number lost to the loser"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency: PostgreSQL")
def test_eight_threads_registering_confirmations_number_each_subject_once(world, personas):
    _project, _buildings, people = allocated_project(world, by=personas["clerk"])
    selections = [person.selections.get() for person in people]
    outcomes = race(
        8,
        lambda i: paper_register(IssuedKind.SELECTION_CONFIRMATION, selections[i % 4]).number,
    )
    assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
    assert [outcomes[i] for i in range(4)] == [outcomes[i + 4] for i in range(4)]
    assert sorted(int(n[-6:]) for n in set(outcomes)) == [1, 2, 3, 4]
