"""Lotteries and selection days in the API: read-only, scoped like the pages, with the secret
only once revealed and fixed query counts."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resettlement import lottery_verify
from resettlement.housing.models import Flat
from resettlement.lottery.lifecycle import lottery_freeze
from resettlement.lottery.services import lottery_create, roster_build
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next, event_open
from resettlement.selection.services import flats_hold
from tests.selection_fixtures import planned_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world, personas):
    event, people = planned_day(world, by=personas["supervisor"])
    event_open(event=event)
    return event, people


def confirm(event, desk_number: int, code: str):
    desk = event.desks.get(number=desk_number)
    entry = desk_call_next(desk=desk)
    flat = Flat.objects.get(code=code)
    flats_hold(entry=entry, desk=desk, flats=[flat])
    return selection_confirm(entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4())


def test_a_published_lottery_carries_what_its_notice_states_and_its_results(day, api):
    event, _people = day
    lottery = event.lottery
    client = api("clerk")
    body = client.get(f"/api/v1/lotteries/{lottery.pk}/").json()
    assert body["status"] == "published" and body["entries"] == 3
    for field in ("roster_digest", "commitment", "secret", "public_input", "result_digest"):
        assert body[field] == getattr(lottery, field)
    assert [w["role"] for w in body["witnesses"]] == ["公证员", "村民代表"]
    results = client.get(f"/api/v1/lotteries/{lottery.pk}/results/").json()["results"]
    order = [lottery_verify.Entry(r["group"], r["agreement_no"]) for r in results]
    assert [r["sequence"] for r in results] == [1, 2, 3]
    assert lottery_verify.sha256_hex(lottery_verify.result_text(order)) == lottery.result_digest


def test_a_frozen_lottery_keeps_its_secret_and_has_no_results_yet(world, api):
    lottery = lottery_create(project=world.project_a, name="冻结中")
    roster_build(lottery=lottery)
    lottery_freeze(lottery=lottery)
    client = api("supervisor")
    body = client.get(f"/api/v1/lotteries/{lottery.pk}/").json()
    assert body["commitment"] == lottery.commitment and body["secret"] is None
    assert lottery.secret not in str(body)
    assert client.get(f"/api/v1/lotteries/{lottery.pk}/results/").status_code == 404


def test_selection_events_and_selections_with_their_settlement(day, api):
    event, people = day
    selection = confirm(event, 1, "5-1-101")
    client = api("leader")
    events = client.get("/api/v1/selection-events/", {"project": "PA"}).json()["results"]
    assert [(e["id"], e["status"], e["selected"], e["waiting"], e["desks"]) for e in events] == [
        (event.pk, "open", 1, 2, 2)
    ]
    assert events[0]["buildings"] == ["5#", "6#"]
    body = client.get("/api/v1/selections/", {"event": event.pk}).json()["results"]
    assert len(body) == 1 and body[0]["id"] == selection.pk
    assert body[0]["agreement_no"] == people[0].agreement_no
    assert body[0]["flats"] == [
        {"code": "5-1-101", "building": "5#", "layout": "A", "floor": 1, "area": "80.50"}
    ]
    assert (body[0]["total_area"], body[0]["balance"]) == ("80.50", str(selection.balance))


def test_the_selection_list_takes_a_fixed_number_of_queries(day, api):
    event, _people = day
    client = api("supervisor")
    confirm(event, 1, "5-1-101")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/selections/").status_code == 200
        return len(queries)

    one = count()
    confirm(event, 2, "6-1-101")
    confirm(event, 1, "6-2-102")
    assert count() == one


@pytest.mark.parametrize("persona", ["team", "outsider"])
def test_construction_teams_and_outsiders_get_nothing(day, api, persona):
    client = api(persona)
    for url in ("/api/v1/lotteries/", "/api/v1/selection-events/", "/api/v1/selections/"):
        assert client.get(url).status_code == 403, url


def test_another_projects_lotteries_and_selections_are_invisible(day, world, api):
    other = lottery_create(project=world.project_b, name="乙")
    client = api("supervisor")
    assert client.get(f"/api/v1/lotteries/{other.pk}/").status_code == 404
    listed = {item["id"] for item in client.get("/api/v1/lotteries/").json()["results"]}
    assert other.pk not in listed and day[0].lottery.pk in listed
    assert api("admin").get(f"/api/v1/lotteries/{other.pk}/").status_code == 200


def test_the_api_cannot_change_a_lottery_or_a_selection(day, api):
    event, _people = day
    selection = confirm(event, 1, "5-1-101")
    client = api("supervisor")
    lottery_url = f"/api/v1/lotteries/{event.lottery.pk}/"
    assert client.patch(lottery_url, {"name": "x"}).status_code in (403, 405)
    assert client.delete(f"/api/v1/selections/{selection.pk}/").status_code in (403, 405)
    event.lottery.refresh_from_db()
    selection.refresh_from_db()
    assert event.lottery.name == "第一批摇号" and selection.status == "active"
