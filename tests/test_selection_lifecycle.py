"""The selection day's records change status only through their lifecycles: an event opens
once and closes for good, a desk offers exactly the flats its lock accepts, a double click on
confirm shows the selection it made, and no page view or board poll ever writes (an expired
lock reads as expired until the periodic sweep gives its flat back)."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resettlement.housing.models import Flat, FlatStatus
from resettlement.selection.board import board_link_create
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.models import (
    EventStatus,
    FlatHold,
    LogAction,
    Selection,
    SelectionLog,
)
from tests.selection_fixtures import households, planned_day, project_with_flats
from tests.test_selection_pages import HTMX, act, open_with_rules

pytestmark = pytest.mark.django_db
D = Decimal
START = datetime.datetime(2025, 6, 1, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Xi'an


def flat(code) -> Flat:
    return Flat.objects.get(code=code)


def writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


@pytest.fixture
def planned(world, personas):
    return planned_day(world, by=personas["supervisor"])


def test_a_closed_event_cannot_be_reopened_and_offers_no_open_button(planned, login):
    event, _people = planned
    supervisor = login("supervisor")
    step = "selection:event-step"
    open_url = reverse(step, args=[event.pk, "open"])
    assert open_url in supervisor.get(event.get_absolute_url()).content.decode()
    supervisor.post(open_url)
    supervisor.post(reverse(step, args=[event.pk, "close"]))
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED

    page = supervisor.get(event.get_absolute_url()).content.decode()
    assert open_url not in page
    assert reverse(step, args=[event.pk, "close"]) not in page
    response = supervisor.post(open_url, follow=True)
    assert "选房活动已结束，不能重新开始。" in response.content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    assert SelectionLog.objects.filter(event=event, action=LogAction.OPEN).count() == 1


def test_an_open_event_cannot_be_opened_again(planned, login):
    event, _people = planned
    supervisor = login("supervisor")
    open_url = reverse("selection:event-step", args=[event.pk, "open"])
    supervisor.post(open_url)
    response = supervisor.post(open_url, follow=True)
    assert "选房活动已在进行中。" in response.content.decode()
    assert SelectionLog.objects.filter(event=event, action=LogAction.OPEN).count() == 1


def test_the_desk_offers_only_flats_its_lock_accepts(world, login):
    """The event allows 50 m² above the entitlement but its price tiers end at 30 m²: the lock
    refuses anything beyond 30 m², so the desk does not offer it."""
    project, _buildings = project_with_flats(project=world.project_a, numbers=(5,))
    world.household_a.delete()
    households(project, 2, entitled_area=D("60.00"))  # 60 + 30 ≥ 80.50 (A) but < 96.35 (B)
    supervisor = login("supervisor")
    response = supervisor.post(
        reverse("selection:events", args=[project.code]),
        {
            "name": "先签先选",
            "starts_on": "2025-06-01",
            "ends_on": "2025-06-01",
            "queue_source": "signing",
            "buildings": [building.pk for building in project.buildings.all()],
            "max_flats": 1,
            "allowed_excess": "50",
            "absent_rule": "move_to_end",
            "countdown_seconds": 600,
            "extension_seconds": 180,
            "desks": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = project.selection_events.get()
    supervisor.post(reverse("selection:event-step", args=[event.pk, "open"]))
    clerk = login("clerk")
    html = act(clerk, event, 1, "call")
    offered = re.findall(r'data-code="([^"]+)"', html)
    assert offered and all(flat(code).layout == "A" for code in offered), offered
    for code in offered[:3]:
        locked = act(clerk, event, 1, "hold", flats=[flat(code).pk])
        assert 'id="desk-error"' not in locked, code
        act(clerk, event, 1, "release", flats=[flat(code).pk])


@pytest.fixture
def serving(planned, login):
    """The event is open and desk 1 has locked 5-1-101 for the first household at 09:00."""
    event, people = planned
    with time_machine.travel(START, tick=False):
        open_with_rules(login("supervisor"), event)
        clerk = login("clerk")
        act(clerk, event, 1, "call")
        act(clerk, event, 1, "hold", flats=[flat("5-1-101").pk])
    return event, people, clerk


def test_a_double_click_on_confirm_shows_the_selection_it_made(serving):
    event, people, clerk = serving
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        html = clerk.get(
            reverse("selection:desk-console", args=[event.pk, 1]), **HTMX
        ).content.decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
        first = act(clerk, event, 1, "confirm", idempotency_key=key)
        again = act(clerk, event, 1, "confirm", idempotency_key=key)
    selection = Selection.objects.get(household=people[0])
    for html in (first, again):
        assert 'id="confirmed"' in html and 'id="desk-error"' not in html
        assert reverse("selection:confirmation", args=[selection.pk]) in html
    assert Selection.objects.count() == 1


def test_a_confirmation_key_from_another_desk_is_refused(serving, login):
    event, _people, clerk = serving
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        html = clerk.get(
            reverse("selection:desk-console", args=[event.pk, 1]), **HTMX
        ).content.decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
        act(clerk, event, 1, "confirm", idempotency_key=key)
        other = act(clerk, event, 2, "confirm", idempotency_key=key)
    assert 'id="confirmed"' not in other and "本台没有正在接待的住户。" in other


def test_pages_and_board_polls_never_write_and_read_an_expired_lock_as_expired(serving, login):
    event, _people, clerk = serving
    _link, token = board_link_create(event=event)
    board = Client()
    board.get(reverse("selection:board", args=[token]))  # its first opening is recorded
    supervisor = login("supervisor")
    pages = [
        (board, reverse("selection:board", args=[token]), {}),
        (board, reverse("selection:board-data", args=[token]), {}),
        (clerk, reverse("selection:desk-console", args=[event.pk, 1]), {}),
        (clerk, reverse("selection:desk-console", args=[event.pk, 1]), HTMX),
        (supervisor, event.get_absolute_url(), {}),
        (supervisor, reverse("selection:summary", args=[event.pk]), {}),
    ]
    with time_machine.travel(START + datetime.timedelta(minutes=11), tick=False):
        for client, url, headers in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **headers)
            assert response.status_code == 200, url
            assert writes(queries) == [], url
        data = board.get(reverse("selection:board-data", args=[token])).json()
        assert data["counts"]["r"] == 0 and data["counts"]["a"] == 48
        desk = clerk.get(
            reverse("selection:desk-console", args=[event.pk, 1]), **HTMX
        ).content.decode()
        assert 'data-held="5-1-101"' not in desk and 'data-code="5-1-101"' in desk
        # the lock is still stored until the sweep; any desk may take the flat meanwhile
        assert FlatHold.objects.filter(flat=flat("5-1-101")).exists()
        html = act(clerk, event, 2, "call")
        html = act(clerk, event, 2, "hold", flats=[flat("5-1-101").pk])
        assert 'data-held="5-1-101"' in html and 'id="desk-error"' not in html
    assert FlatHold.objects.get(flat=flat("5-1-101")).desk.number == 2


def test_the_sweep_gives_back_expired_locks_with_history_and_log(serving):
    event, _people, _clerk = serving
    with time_machine.travel(START + datetime.timedelta(minutes=9), tick=False):
        call_command("selection_sweep")
    assert flat("5-1-101").status == FlatStatus.RESERVED
    with time_machine.travel(START + datetime.timedelta(minutes=11), tick=False):
        call_command("selection_sweep")
    target = flat("5-1-101")
    assert target.status == FlatStatus.AVAILABLE and not FlatHold.objects.exists()
    assert target.history.order_by("-history_id").first().history_change_reason == "锁定过期"
    assert SelectionLog.objects.filter(event=event, action=LogAction.EXPIRE).count() == 1


def test_the_board_etag_changes_when_a_lock_expires(serving, login):
    event, _people, _clerk = serving
    _link, token = board_link_create(event=event)
    url = reverse("selection:board-data", args=[token])
    board = Client()
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False):
        etag = board.get(url)["ETag"]
        assert board.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with time_machine.travel(START + datetime.timedelta(minutes=11), tick=False):
        response = board.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response.json()["counts"]["r"] == 0
        etag = response["ETag"]
        call_command("selection_sweep")
        swept = board.get(url, HTTP_IF_NONE_MATCH=etag)
        assert swept.status_code == 304, "the sweep changes nothing the board shows"


def test_the_database_allows_one_active_selection_per_household(serving):
    event, people, clerk = serving
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        act(clerk, event, 1, "confirm", idempotency_key="0f6d3c52-9d1c-4d5e-9a43-3f0c1b7c2a10")
    selection = Selection.objects.get(household=people[0])
    second = Selection(
        event=event,
        household=people[0],
        entitled_area=D("80.00"),
        total_area=D("80.50"),
        excess_area=D("0.50"),
        shortfall_area=D(0),
        excess_amount=D(0),
        refund_amount=D(0),
        floor_amount=D(0),
        balance=D(0),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Selection.objects.bulk_create([second])
    assert Selection.objects.get(household=people[0]) == selection


def test_a_voided_selection_cannot_be_voided_again(serving, login):
    event, people, clerk = serving
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        act(clerk, event, 1, "confirm", idempotency_key="5b1f0c2e-77a4-4d0e-8f5e-2d9a1c3b4e60")
    selection = Selection.objects.get(household=people[0])
    supervisor = login("supervisor")
    url = selection.get_absolute_url()
    supervisor.post(url, {"void": "confirmed", "reason": "户主申请重新选房"})
    page = supervisor.get(url).content.decode()
    assert 'id="void"' not in page and 'id="swap"' not in page
    again = supervisor.post(url, {"void": "confirmed", "reason": "再次作废"}, follow=True)
    assert "该选房记录已失效。" in again.content.decode()
    selection.refresh_from_db()
    assert selection.void_reason == "户主申请重新选房"
    assert SelectionLog.objects.filter(event=event, action=LogAction.VOID).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement per write: PostgreSQL")
def test_a_confirmation_is_nine_statements_on_postgresql(serving):
    """The locks, the selection and its flats, the flats, household and queue entry moved on
    (each with its history), the locks deleted, the log line and the desk's board counter."""
    event, people, _clerk = serving
    desk = event.desks.select_related("event").get(number=1)
    entry = event.queue.select_related("household").get(household=people[0])
    held = [hold.flat for hold in FlatHold.objects.filter(queue_entry=entry)]
    with (
        time_machine.travel(START + datetime.timedelta(minutes=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        selection_confirm(entry=entry, desk=desk, flats=held, idempotency_key=uuid.uuid4())
    statements = [
        query["sql"].split(" ", 1)[0]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert statements == [
        "SELECT", "WITH", "WITH", "WITH", "WITH", "DELETE", "WITH", "INSERT", "UPDATE"
    ]  # fmt: skip
