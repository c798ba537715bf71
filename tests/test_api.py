import datetime
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from resettlement.accounts.tokens import api_token_create
from resettlement.households.models import Household
from resettlement.housing.services import FlatPosition, flats_generate
from tests.factories import HouseholdFactory, synthetic_id_number

pytestmark = pytest.mark.django_db


def new_household(world, **overrides) -> dict:
    body = {
        "project": "PA",
        "agreement_no": "PA-API-1",
        "village": world.project_a.villages.first().code,
        "head_name": "孙丽",
        "head_id_number": synthetic_id_number(male=False),
        "phone": "13000009999",
        "recognised_persons": 2,
        "original_area": "95.50",
        "signed_on": "2021-06-01",
    }
    return {**body, **overrides}


def test_schema_and_docs_are_served(world, api):
    client = api("leader")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/households/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_schema_and_docs_are_for_signed_in_users_and_token_clients_only(world, personas):
    """Each schema costs tens of milliseconds of CPU: no anonymous request may make one."""
    anonymous = APIClient()
    schema = anonymous.get("/api/schema/")
    assert schema.status_code == 401 and schema["WWW-Authenticate"] == "Token"
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    _token, key = api_token_create(user=personas["team"], name="client generator")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert b"/api/v1/households/" in client.get("/api/schema/").content


def test_household_list_is_paginated_and_filterable(world, api):
    for number in range(12):
        HouseholdFactory(
            project=world.project_a, agreement_no=f"PA-{number:03d}", elderly=number % 3 == 0
        )
    client = api("clerk")
    page = client.get("/api/v1/households/", {"page_size": 5}).json()
    assert page["count"] == 13 and len(page["results"]) == 5 and page["next"]
    elderly = client.get("/api/v1/households/", {"elderly": "true", "project": "PA"}).json()
    assert elderly["count"] == 4
    prefix = client.get("/api/v1/households/", {"agreement_no": "PA-01"}).json()
    assert {row["agreement_no"] for row in prefix["results"]} == {"PA-010", "PA-011"}


def test_household_id_digits_filter_is_limited_to_six_characters(world, api):
    response = api("clerk").get(
        "/api/v1/households/", {"id_digits": world.household_a.head_id_number}
    )
    assert response.status_code == 400


def test_household_list_query_count_is_fixed_whatever_the_page_size(
    world, api, django_assert_num_queries
):
    for _ in range(40):
        HouseholdFactory(project=world.project_a)
    client = api("clerk")
    client.get("/api/v1/households/")
    for size in (5, 40):
        with django_assert_num_queries(4):
            assert (
                len(client.get("/api/v1/households/", {"page_size": size}).json()["results"])
                == size
            )


def test_flat_and_building_lists_query_counts_are_fixed(world, api, django_assert_num_queries):
    flats_generate(
        building=world.building_a,
        positions=[FlatPosition(1, "A", Decimal(80)), FlatPosition(2, "B", Decimal(95))],
    )
    client = api("leader")
    client.get("/api/v1/flats/")
    with django_assert_num_queries(4):
        data = client.get("/api/v1/flats/", {"project": "PA", "layout": "B", "floor_min": 3}).json()
    assert data["count"] == 2 * 4
    assert {row["layout"] for row in data["results"]} == {"B"}
    with django_assert_num_queries(4):
        client.get("/api/v1/buildings/")


def test_supervisor_creates_a_household_with_members(world, api):
    body = new_household(
        world,
        members=[
            {"name": "孙明", "relation": "child", "id_number": synthetic_id_number()},
        ],
    )
    response = api("supervisor").post("/api/v1/households/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["entitled_area"] == "95.50"
    assert created["members"][0]["name"] == "孙明"
    assert Household.objects.get(agreement_no="PA-API-1").members.count() == 1


def test_api_validation_uses_the_same_chinese_messages(world, api):
    bad = new_household(world, head_id_number=synthetic_id_number()[:17] + "Y", original_area="-1")
    response = api("supervisor").post("/api/v1/households/", bad, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["head_id_number"] == ["身份证号只能包含数字，最后一位可为 X。"]
    assert errors["original_area"] == ["面积须为正数。"]
    assert not Household.objects.filter(agreement_no="PA-API-1").exists()


def test_duplicate_agreement_is_refused_by_the_api(world, api):
    body = new_household(world, agreement_no=world.household_a.agreement_no)
    response = api("supervisor").post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    assert "已登记" in response.json()["agreement_no"][0]


def test_an_agreement_number_that_reads_as_a_formula_is_refused_by_the_api(world, api):
    body = new_household(world, agreement_no='=HYPERLINK("http://x","y")')
    response = api("supervisor").post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    assert "协议编号不能以 =、+、- 或 @ 开头" in response.json()["agreement_no"][0]


def test_supervisor_replaces_a_households_details(world, api):
    household = world.household_a
    body = new_household(
        world,
        agreement_no=household.agreement_no,
        head_id_number=household.head_id_number,
        phone="13000001234",
    )
    response = api("supervisor").put(f"/api/v1/households/{household.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    household.refresh_from_db()
    assert household.phone == "13000001234"


def test_milestone_update_follows_the_rules(world, api):
    milestone = world.building_a.milestones.get(milestone_type__code="start")
    client = api("team")
    with time_machine.travel(datetime.date(2025, 3, 1)):
        future = client.patch(
            f"/api/v1/milestones/{milestone.pk}/",
            {"percent": 100, "actual_start": "2025-01-01", "actual_finish": "2025-04-01"},
            format="json",
        )
        assert future.status_code == 400
        assert "实际日期不能晚于今天" in str(future.json())
        done = client.patch(
            f"/api/v1/milestones/{milestone.pk}/",
            {"percent": 100, "actual_start": "2025-01-01", "actual_finish": "2025-02-01"},
            format="json",
        )
    assert done.status_code == 200, done.json()
    world.building_a.refresh_from_db()
    assert world.building_a.progress == Decimal("2.00")  # 开工 weighs 2 of 100
    assert world.building_a.current_milestone.code == "foundation"


def test_milestones_filter_by_node_and_overdue(world, api):
    start = world.building_a.milestones.get(milestone_type__code="start")
    start.planned_finish = datetime.date(2020, 1, 1)
    start.save()
    client = api("team")
    overdue = client.get("/api/v1/milestones/", {"overdue": "true"}).json()
    assert [row["id"] for row in overdue["results"]] == [start.pk]
    by_node = client.get("/api/v1/milestones/", {"node": "topping_out", "project": "PA"}).json()
    assert by_node["count"] == 1 and by_node["results"][0]["node_name"] == "主体封顶"


@pytest.mark.parametrize("persona", ["supervisor", "clerk"])  # full ID numbers, masked ones
def test_household_list_rows_say_what_the_household_itself_says(world, api, persona):
    """The list reads rows of values, the detail a household: the same fields, the same text."""
    HouseholdFactory(project=world.project_a, signed_on=None, selection_order=None)
    client = api(persona)
    rows = client.get("/api/v1/households/").json()["results"]
    assert rows
    for row in rows:
        detail = client.get(f"/api/v1/households/{row['id']}/").json()
        assert row == {name: detail[name] for name in row}
        assert set(detail) - set(row) == {"members"}
