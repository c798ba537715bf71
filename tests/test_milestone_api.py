import datetime
import io

import pytest
import time_machine
from PIL import Image
from rest_framework.test import APIClient

from resettlement.progress.services import building_milestones_record
from tests.factories import make_building

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)


@pytest.fixture
def api(personas):
    def client_for(name):
        client = APIClient()
        client.force_login(personas[name])
        return client

    return client_for


def node(building, code):
    return building.milestones.select_related("milestone_type", "building").get(
        milestone_type__code=code
    )


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1600), (90, 90, 90)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "site.jpg"
    return buffer


def test_team_uploads_photos_through_the_api(world, api):
    milestone = node(world.building_a, "start")
    response = api("team").post(
        f"/api/v1/milestones/{milestone.pk}/photos/",
        {"photos": [jpeg()], "caption": "现场"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    photo = response.json()["photos"][0]
    assert (photo["width"], photo["height"], photo["caption"]) == (1920, 1280, "现场")
    assert api("team").get(photo["url"]).status_code == 200


def test_not_an_image_is_refused_by_the_api(world, api):
    milestone = node(world.building_a, "start")
    bad = io.BytesIO(b"plain text")
    bad.name = "a.jpg"
    response = api("team").post(
        f"/api/v1/milestones/{milestone.pk}/photos/", {"photos": [bad]}, format="multipart"
    )
    assert response.status_code == 400
    assert "不是系统能读取的照片" in str(response.json())


def test_exceptions_through_the_api_need_a_project_supervisor(world, api, personas):
    milestone = node(world.building_a, "foundation")
    url = f"/api/v1/milestones/{milestone.pk}/exceptions/"
    assert api("team").post(url, {"reason": "x"}, format="json").status_code == 403
    response = api("lead").post(url, {"reason": "桩基先行验收"}, format="json")
    assert response.status_code == 201
    assert response.json()["exceptions"][0]["approved_by"] == str(personas["lead"])


@time_machine.travel(TODAY)
def test_bulk_endpoint_sets_a_node_on_all_buildings(world, api):
    second = make_building(world.project_a, "2#")
    response = api("team").post(
        "/api/v1/milestones/bulk/",
        {
            "project": "PA",
            "node": "start",
            "buildings": ["*"],
            "percent": 100,
            "actual_start": "2025-06-01",
            "actual_finish": "2025-06-20",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert {row["building_code"] for row in response.json()} == {"1#", "2#"}
    second.refresh_from_db()
    assert second.current_milestone.code == "foundation"


@time_machine.travel(TODAY)
def test_bulk_endpoint_refuses_unknown_buildings_and_rule_breaks(world, api):
    client = api("team")
    unknown = client.post(
        "/api/v1/milestones/bulk/",
        {
            "project": "PA",
            "node": "start",
            "buildings": ["1#", "99#"],
            "percent": 50,
            "actual_start": "2025-06-01",
        },
        format="json",
    )
    assert unknown.status_code == 400 and "99#" in str(unknown.json())
    out_of_order = client.post(
        "/api/v1/milestones/bulk/",
        {
            "project": "PA",
            "node": "foundation",
            "buildings": ["1#"],
            "percent": 100,
            "actual_start": "2025-06-01",
            "actual_finish": "2025-06-20",
        },
        format="json",
    )
    assert out_of_order.status_code == 400
    assert "请按顺序完成节点" in str(out_of_order.json())


def test_bulk_endpoint_is_scoped(world, api):
    response = api("team").post(
        "/api/v1/milestones/bulk/",
        {
            "project": "PB",
            "node": "start",
            "buildings": ["*"],
            "percent": 10,
            "actual_start": "2025-06-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "project" in response.json()


@time_machine.travel(TODAY)
def test_milestone_list_reports_state_and_days_late(world, api, django_assert_num_queries):
    building_milestones_record(
        changes=[(node(world.building_a, "start"), {"planned_finish": datetime.date(2025, 6, 20)})]
    )
    client = api("team")
    client.get("/api/v1/milestones/")
    with django_assert_num_queries(6):
        rows = client.get("/api/v1/milestones/", {"node": "start"}).json()["results"]
    assert rows[0]["state"] == "not_started" and rows[0]["days_late"] == 10
