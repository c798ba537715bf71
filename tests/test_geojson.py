import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from resettlement.housing.lifecycle import flat_transition
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.progress.services import building_milestones_record
from tests import geodata

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    def client_for(name):
        client = APIClient()
        client.force_login(personas[name])
        return client

    return client_for


@pytest.fixture
def mapped(world):
    world.building_a.footprint = geodata.footprint(0).__geo_interface__
    world.building_a.save()
    world.building_b.longitude, world.building_b.latitude = 108.95, 34.22
    world.building_b.save()
    return world


def test_buildings_are_rfc7946_features_longitude_first(mapped, api):
    response = api("leader").get("/api/v1/geo/buildings/")
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection" and "crs" not in data
    features = {feature["properties"]["project"]: feature for feature in data["features"]}
    polygon = features["PA"]["geometry"]
    assert polygon["type"] == "Polygon"
    lng, lat = polygon["coordinates"][0][0]
    assert 108 < lng < 109 and 34 < lat < 35
    assert features["PB"]["geometry"] == {"type": "Point", "coordinates": [108.95, 34.22]}
    properties = features["PA"]["properties"]
    assert properties["phase"] == "not_started" and properties["stage"] == "开工"
    assert properties["url"] == mapped.building_a.get_absolute_url()


def test_project_team_sees_only_its_projects_features(mapped, api):
    features = api("team").get("/api/v1/geo/buildings/").json()["features"]
    assert {feature["properties"]["project"] for feature in features} == {"PA"}
    villages = api("team").get("/api/v1/geo/villages/").json()["features"]
    assert {f["properties"]["code"] for f in villages} == set(
        mapped.project_a.villages.values_list("code", flat=True)
    )


def test_anonymous_requests_are_refused(mapped):
    assert APIClient().get("/api/v1/geo/buildings/").status_code in (401, 403)


def test_unchanged_request_gets_304_and_changes_give_a_new_etag(mapped, api):
    client = api("leader")
    first = client.get("/api/v1/geo/buildings/")
    etag = first["ETag"]
    again = client.get("/api/v1/geo/buildings/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    flats = flats_generate(
        building=mapped.building_a, positions=[FlatPosition(1, "A", 80)], last_floor=1
    )
    after_flats = client.get("/api/v1/geo/buildings/", HTTP_IF_NONE_MATCH=etag)
    assert after_flats.status_code == 200
    etag = after_flats["ETag"]
    flat_transition(flat=flats[0], target="selected")
    after_selection = client.get("/api/v1/geo/buildings/", HTTP_IF_NONE_MATCH=etag)
    assert after_selection.status_code == 200
    assert after_selection.json()["features"][0]["properties"]["flats_selected"] == 1


def test_milestone_change_changes_the_etag(mapped, api):
    client = api("leader")
    etag = client.get("/api/v1/geo/buildings/")["ETag"]
    milestone = mapped.building_a.milestones.get(milestone_type__code="start")
    building_milestones_record(changes=[(milestone, {"planned_finish": datetime.date(2020, 1, 1)})])
    response = client.get("/api/v1/geo/buildings/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    feature = next(f for f in response.json()["features"] if f["properties"]["project"] == "PA")
    assert feature["properties"]["days_late"] > 0


def test_phase_filter(mapped, api):
    client = api("leader")
    with time_machine.travel(datetime.date(2025, 6, 1)):
        milestone = mapped.building_a.milestones.get(milestone_type__code="start")
        building_milestones_record(
            changes=[(milestone, {"percent": 50, "actual_start": datetime.date(2025, 5, 1)})]
        )
    found = client.get("/api/v1/geo/buildings/", {"phase": "foundation"}).json()["features"]
    assert [f["properties"]["code"] for f in found] == ["1#"] and found[0]["properties"][
        "project"
    ] == "PA"
    assert client.get("/api/v1/geo/buildings/", {"phase": "nonsense"}).status_code == 400


def test_query_count_is_fixed_whatever_the_number_of_buildings(
    mapped, api, django_assert_num_queries
):
    from tests.factories import make_building

    client = api("leader")
    with django_assert_num_queries(6):
        built = client.get("/api/v1/geo/buildings/").json()
    # Nothing changed: the collection built for this ETag is read from the cache.
    with django_assert_num_queries(3):
        assert client.get("/api/v1/geo/buildings/").json() == built
    for number in range(2, 12):
        make_building(mapped.project_a, f"{number}#")
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/geo/buildings/").json()["features"]) == 12
