"""Flats handed over / to hand over per building, on the building page, the project dashboard
(per building and totals), the map's GeoJSON (the popup's facts) and the API, after a handover
and after it is undone; and the lists' query counts stay fixed."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from resettlement.handover.models import InspectionResult
from resettlement.handover.services import (
    FlatHandover,
    handover_record,
    handover_undo,
    household_flats,
    inspection_record,
)
from resettlement.households.lifecycle import household_notify
from tests.factories import make_building
from tests.handover_fixtures import handover_day

pytestmark = pytest.mark.django_db


def hand_over(batch, household, *, by=None):
    """Notify, inspect (accepted) and hand over the household's flats today."""
    today = timezone.localdate()
    household_notify(household=household, by=by)
    flats = household_flats(household, batch)
    for flat in flats:
        inspection_record(
            household=household,
            flat=flat,
            inspected_on=today,
            result=InspectionResult.ACCEPTED,
            by=by,
        )
    readings = [
        FlatHandover(
            flat=flat,
            water_reading=Decimal("0.50"),
            electricity_reading=Decimal("12.00"),
            door_keys=3,
            quality_guarantee=True,
            usage_manual=True,
        )
        for flat in flats
    ]
    return handover_record(batch=batch, household=household, flats=readings, handed_on=today, by=by)


@pytest.fixture
def handing(world, personas):
    """Project A: 5# with four flats chosen (one per household), a batch under way."""
    batch, people = handover_day(world, by=personas["supervisor"])
    return batch, people, batch.buildings.get()


def building_counts(client, building) -> tuple[int, int]:
    html = client.get(reverse("housing:building-detail", args=[building.pk])).content.decode()
    handed = re.search(r'id="flats-handed-over">(\d+)<', html)
    waiting = re.search(r'id="flats-to-hand-over">(\d+)<', html)
    assert handed and waiting, "the building page shows no handover counts"
    return int(handed[1]), int(waiting[1])


def dashboard_counts(client, project, code: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """((handed over, to hand over) of building `code`, the project's totals)."""
    html = client.get(reverse("projects:dashboard", args=[project.code])).content.decode()
    row = next(row for row in html.split("<tr") if f"<b>{code}</b>" in row and "data-count" in row)
    per_building = tuple(
        int(re.search(rf'data-count="{name}">(\d+)<', row)[1])  # type: ignore[index]
        for name in ("handed-over", "to-hand-over")
    )
    totals = tuple(
        int(re.search(rf'id="total-{name}"><div class="value">(\d+)<', html)[1])  # type: ignore[index]
        for name in ("handed-over", "to-hand-over")
    )
    return per_building, totals  # type: ignore[return-value]


def geojson_counts(client, code: str) -> tuple[int, int]:
    features = client.get("/api/v1/geo/buildings/", {"project": "PA"}).json()["features"]
    (properties,) = [f["properties"] for f in features if f["properties"]["code"] == code]
    return properties["flats_handed_over"], properties["flats_to_hand_over"]


def api_counts(client, building) -> dict:
    detail = client.get(f"/api/v1/buildings/{building.pk}/").json()
    listed = client.get("/api/v1/buildings/", {"project": "PA"}).json()["results"]
    (row,) = [row for row in listed if row["id"] == building.pk]
    assert row["flats_handed_over"] == detail["flats_handed_over"]
    assert row["flats_to_hand_over"] == detail["flats_to_hand_over"]
    project = client.get("/api/v1/projects/PA/").json()
    return {
        "building": (detail["flats_handed_over"], detail["flats_to_hand_over"]),
        "flats": detail["flats"],
        "project": (project["flats_handed_over"], project["flats_to_hand_over"]),
    }


def test_counts_before_any_handover(handing, login, api):
    batch, _people, building = handing
    assert building_counts(login("clerk"), building) == (0, 4)
    assert dashboard_counts(login("team"), batch.project, "5#") == ((0, 4), (0, 4))
    assert dashboard_counts(login("team"), batch.project, "6#") == ((0, 0), (0, 4))
    assert geojson_counts(api("team"), "5#") == (0, 4)
    assert api_counts(api("leader"), building) == {
        "building": (0, 4),
        "flats": 24,
        "project": (0, 4),
    }


def test_a_handover_moves_a_flat_from_to_hand_over_to_handed_over_everywhere(
    handing, personas, login, api
):
    batch, people, building = handing
    hand_over(batch, people[0], by=personas["clerk"])
    assert building_counts(login("clerk"), building) == (1, 3)
    assert dashboard_counts(login("leader"), batch.project, "5#") == ((1, 3), (1, 3))
    assert geojson_counts(api("leader"), "5#") == (1, 3)
    assert api_counts(api("team"), building)["building"] == (1, 3)
    assert api_counts(api("team"), building)["project"] == (1, 3)


def test_undoing_a_handover_puts_the_flat_back_to_hand_over(handing, personas, login, api):
    batch, people, building = handing
    handover = hand_over(batch, people[0], by=personas["clerk"])
    hand_over(batch, people[1], by=personas["clerk"])
    assert building_counts(login("clerk"), building) == (2, 2)
    handover_undo(handover=handover, reason="钥匙错发", by=personas["supervisor"])
    assert building_counts(login("clerk"), building) == (1, 3)
    assert dashboard_counts(login("supervisor"), batch.project, "5#") == ((1, 3), (1, 3))
    assert geojson_counts(api("supervisor"), "5#") == (1, 3)
    assert api_counts(api("supervisor"), building) == {
        "building": (1, 3),
        "flats": 24,
        "project": (1, 3),
    }


def test_the_map_popup_is_given_the_handover_labels_in_chinese(handing, login):
    page = login("team").get(reverse("maps:page")).content.decode()
    config = json.loads(re.search(r'id="map-config"[^>]*>(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert config["text"]["handed_over"] == "已交房套数"
    assert config["text"]["to_hand_over"] == "待交房套数"


def test_other_projects_counts_stay_out_of_sight(handing, personas, api):
    batch, people, _building = handing
    hand_over(batch, people[0], by=personas["clerk"])
    client = api("team")  # assigned to project A only
    codes = {row["code"] for row in client.get("/api/v1/projects/").json()["results"]}
    assert codes == {"PA"}
    assert client.get("/api/v1/projects/PB/").status_code == 404


def test_building_and_project_lists_keep_their_query_counts(
    handing, personas, api, django_assert_num_queries
):
    batch, people, _building = handing
    client = api("leader")
    client.get("/api/v1/buildings/")
    with django_assert_num_queries(4):
        client.get("/api/v1/buildings/")
    with django_assert_num_queries(6):  # the counts are subqueries of the projects' query
        client.get("/api/v1/projects/")
    for number in range(7, 12):
        make_building(batch.project, f"{number}#")
    hand_over(batch, people[0], by=personas["clerk"])
    with django_assert_num_queries(4):
        assert client.get("/api/v1/buildings/").json()["count"] == 9
    with django_assert_num_queries(6):  # the counts are subqueries of the projects' query
        client.get("/api/v1/projects/")


def test_dashboard_query_count_does_not_grow_with_buildings(
    handing, login, django_assert_num_queries
):
    batch, _people, _building = handing
    from django.core.cache import cache

    client = login("leader")
    url = reverse("projects:dashboard", args=[batch.project.code])
    client.get(url)
    kept = _count(client, url)  # the figures kept from the first load
    cache.clear()
    built = _count(client, url)
    assert kept < built
    for number in range(7, 12):
        make_building(batch.project, f"{number}#")
    cache.clear()
    with django_assert_num_queries(built):
        client.get(url)
    with django_assert_num_queries(kept):
        client.get(url)


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)
