"""Handover batches, appointments and handovers in the API: read-only, for the roles that see
households, on their projects only, with no personal data beyond the agreement number."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from resettlement.accounts.models import Role
from resettlement.handover.models import AppointmentStatus, HandoverStatus
from resettlement.handover.services import appointment_miss, handover_undo
from tests.factories import make_user
from tests.handover_fixtures import handover_day
from tests.test_handover_counts import hand_over

pytestmark = pytest.mark.django_db

URLS = ("/api/v1/handover-batches/", "/api/v1/appointments/", "/api/v1/handovers/")


@pytest.fixture
def handing(world, personas):
    batch, people = handover_day(world, by=personas["supervisor"])
    return batch, people


def test_a_clerk_reads_the_batch_with_its_buildings_and_progress(handing, personas, api):
    batch, people = handing
    hand_over(batch, people[0], by=personas["clerk"])
    client = api("clerk")
    (row,) = client.get(URLS[0], {"project": "PA"}).json()["results"]
    assert row["id"] == batch.pk and row["buildings"] == ["5#"] and row["project"] == "PA"
    assert row["status"] == "open" and row["households_handed_over"] == 1
    assert row["appointments_expected"] == 3
    assert client.get(f"{URLS[0]}{batch.pk}/").json()["name"] == "5#楼第一批交房"


def test_appointments_show_the_slot_and_the_agreement_number_only(handing, api):
    batch, people = handing
    missed = batch.appointments.get(household=people[0])
    later = missed.slot.day + datetime.timedelta(days=2)
    batch.slots.create(day=later, half_day="pm", desk=1, capacity=1)
    offered = appointment_miss(appointment=missed)
    client = api("clerk")
    rows = client.get(URLS[1], {"batch": batch.pk}).json()["results"]
    assert len(rows) == 5
    first = next(row for row in rows if row["id"] == missed.pk)
    assert first["status"] == AppointmentStatus.MISSED
    assert first["agreement_no"] == people[0].agreement_no
    assert first["day"] == missed.slot.day.isoformat() and first["half_day"] == "am"
    again = next(row for row in rows if row["id"] == offered.pk)
    assert again["replaces"] == missed.pk and again["status"] == "scheduled"
    body = str(rows)
    for household in people:
        assert household.head_name not in body and household.head_id_number not in body
        assert household.phone not in body
    waiting = client.get(URLS[1], {"status": "scheduled", "project": "PA"}).json()
    assert waiting["count"] == 4


def test_handovers_show_the_flats_readings_and_an_undo(handing, personas, api):
    batch, people = handing
    handover = hand_over(batch, people[0], by=personas["clerk"])
    client = api("leader")
    (row,) = client.get(URLS[2]).json()["results"]
    assert row["agreement_no"] == people[0].agreement_no and row["status"] == "done"
    (flat,) = row["flats"]
    assert flat["code"] == "5-1-101" and flat["building"] == "5#"
    assert flat["water_reading"] == "0.50" and flat["door_keys"] == 3 and flat["active"]
    handover_undo(handover=handover, reason="钥匙错发", by=personas["supervisor"])
    row = client.get(f"{URLS[2]}{handover.pk}/").json()
    assert row["status"] == HandoverStatus.UNDONE and row["undo_reason"] == "钥匙错发"
    assert not row["flats"][0]["active"]
    assert client.get(URLS[2], {"status": "done"}).json()["count"] == 0


@pytest.mark.parametrize("persona", ["team", "lead", "outsider"])
def test_construction_roles_and_outsiders_are_refused(handing, api, persona):
    client = api(persona)
    for url in URLS:
        assert client.get(url).status_code == 403, url


def test_anonymous_requests_are_refused(handing):
    client = APIClient()
    for url in URLS:
        assert client.get(url).status_code in (401, 403), url


def test_another_projects_staff_see_nothing_of_the_batch(handing, world, personas):
    batch, people = handing
    handover = hand_over(batch, people[0], by=personas["clerk"])
    other = make_user("clerk_b", Role.SELECTION_CLERK, projects=[world.project_b])
    client = APIClient()
    client.force_login(other)
    for url in URLS:
        assert client.get(url).json()["count"] == 0, url
    appointment = batch.appointments.first()
    for url in (
        f"{URLS[0]}{batch.pk}/",
        f"{URLS[1]}{appointment.pk}/",
        f"{URLS[2]}{handover.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_api_cannot_change_handover_records(handing, personas, api):
    batch, people = handing
    handover = hand_over(batch, people[0], by=personas["clerk"])
    client = api("supervisor")
    assert client.post(URLS[0], {"name": "x"}).status_code in (403, 405)
    assert client.patch(f"{URLS[0]}{batch.pk}/", {"name": "x"}).status_code in (403, 405)
    assert client.delete(f"{URLS[2]}{handover.pk}/").status_code in (403, 405)
    assert client.post(URLS[1], {}).status_code in (403, 405)
    batch.refresh_from_db()
    handover.refresh_from_db()
    assert batch.name == "5#楼第一批交房" and handover.status == "done"


def test_handover_endpoints_are_in_the_schema(handing, api):
    schema = api("leader").get("/api/schema/").content
    for url in URLS:
        assert url.encode() in schema


def test_list_query_counts_do_not_grow_with_rows(handing, personas, api):
    batch, people = handing
    client = api("supervisor")

    def counts() -> list[int]:
        numbers = []
        for url in URLS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            numbers.append(len(queries))
        return numbers

    hand_over(batch, people[0], by=personas["clerk"])
    client.get(URLS[0])
    before = counts()
    hand_over(batch, people[1], by=personas["clerk"])
    hand_over(batch, people[2], by=personas["clerk"])
    assert counts() == before
