"""No double allocation, ever: proven on PostgreSQL with real threads, each on its own
connection, released together by a barrier. (SQLite serialises writers, so the race cannot
happen there; these tests run in the PostgreSQL pass of the suite.)"""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import Flat, FlatStatus
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next
from resettlement.selection.models import FlatHold, SelectedFlat, Selection, SelectionStatus
from resettlement.selection.services import flats_hold
from tests.selection_fixtures import households, open_event, project_with_flats, published_lottery

D = Decimal
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency: PostgreSQL"
    ),
]
THREADS = 50


def race(count: int, attempt) -> list:
    """Run attempt(i) in `count` threads released at once; each outcome or exception."""
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
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return outcomes


@pytest.fixture
def crowded_day():
    """50 households, each already called to its own desk."""
    project, buildings = project_with_flats("RACE")
    households(project, THREADS)
    lottery = published_lottery(project)
    event = open_event(project, buildings, lottery, desks=THREADS)
    desks = list(event.desks.order_by("number"))
    entries = [desk_call_next(desk=desk) for desk in desks]
    return event, desks, entries


def test_fifty_desks_at_one_flat_give_one_selection_and_49_clear_refusals(crowded_day):
    _event, desks, entries = crowded_day
    target = Flat.objects.get(code="1-1-101")

    def attempt(i: int):
        flats_hold(entry=entries[i], desk=desks[i], flats=[target])
        return selection_confirm(
            entry=entries[i], desk=desks[i], flats=[target], idempotency_key=uuid.uuid4()
        )

    outcomes = race(THREADS, attempt)
    won = [o for o in outcomes if isinstance(o, Selection)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(won) == 1, outcomes
    assert len(refused) == THREADS - 1, [o for o in outcomes if not isinstance(o, Selection)]
    for error in refused:
        assert any("1-1-101" in message for message in error.messages), error.messages
    assert Selection.objects.count() == 1
    assert SelectedFlat.objects.filter(flat=target, active=True).count() == 1
    target.refresh_from_db()
    assert target.status == FlatStatus.SELECTED
    assert not FlatHold.objects.exists()
    allocated = won[0].household
    allocated.refresh_from_db()
    assert allocated.status == HouseholdStatus.ALLOCATED


def test_the_database_itself_refuses_a_second_active_selection_of_a_flat(crowded_day):
    """Below every Python check: concurrent inserts of an active SelectedFlat for one flat."""
    _event, _desks, entries = crowded_day
    target = Flat.objects.get(code="2-2-602")
    selections = [
        Selection.objects.create(
            household=entry.household,
            entitled_area=D("100.00"),
            total_area=target.gross_area,
            excess_area=D(0),
            shortfall_area=D(0),
            excess_amount=D(0),
            refund_amount=D(0),
            floor_amount=D(0),
            balance=D(0),
        )
        for entry in entries
    ]

    def attempt(i: int):
        with transaction.atomic():
            return SelectedFlat.objects.create(
                selection=selections[i], flat=target, area=target.gross_area
            )

    outcomes = race(THREADS, attempt)
    assert sum(isinstance(o, SelectedFlat) for o in outcomes) == 1
    assert sum(isinstance(o, IntegrityError) for o in outcomes) == THREADS - 1
    assert SelectedFlat.objects.filter(flat=target, active=True).count() == 1


def test_a_double_clicked_confirmation_creates_one_selection(crowded_day):
    _event, desks, entries = crowded_day
    target = Flat.objects.get(code="1-2-301")
    flats_hold(entry=entries[0], desk=desks[0], flats=[target])
    key = uuid.uuid4()

    def attempt(_i: int):
        return selection_confirm(
            entry=entries[0], desk=desks[0], flats=[target], idempotency_key=key
        )

    outcomes = race(10, attempt)
    assert all(isinstance(o, Selection) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {Selection.objects.get().pk}
    assert Selection.objects.filter(status=SelectionStatus.ACTIVE).count() == 1
