"""The API enforces the same roles and project scopes as the pages."""

import pytest
from rest_framework.test import APIClient

from resettlement.accounts.tokens import api_token_create
from resettlement.masking import mask_id_number

ALL = ["admin", "team", "lead", "clerk", "supervisor", "leader"]


@pytest.fixture
def api(personas):
    def client_for(name: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(personas[name])
        return client

    return client_for


def codes(response, field: str = "code") -> set[str]:
    return {row[field] for row in response.json()["results"]}


def test_anonymous_requests_are_refused(world):
    assert APIClient().get("/api/v1/projects/").status_code in (401, 403)


def test_token_authentication_works(world, personas):
    _token, key = api_token_create(user=personas["leader"], name="reports")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/projects/")
    assert response.status_code == 200
    assert codes(response) == {"PA", "PB"}


@pytest.mark.parametrize("persona", [*ALL, "outsider"])
def test_project_and_building_lists_are_scoped(world, api, persona):
    client = api(persona)
    expected = (
        {"PA", "PB"}
        if persona in ("admin", "leader")
        else ({"PA"} if persona != "outsider" else set())
    )
    if persona == "outsider":
        assert client.get("/api/v1/projects/").status_code == 403
        return
    assert codes(client.get("/api/v1/projects/")) == expected
    assert codes(client.get("/api/v1/buildings/"), "project") == expected
    other = world.building_b.pk
    assert client.get(f"/api/v1/buildings/{other}/").status_code == (
        200 if persona in ("admin", "leader") else 404
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("leader", 200), ("clerk", 200), ("supervisor", 200), ("team", 403)],
)
def test_household_list_by_role(world, api, persona, status):
    assert api(persona).get("/api/v1/households/").status_code == status


@pytest.mark.parametrize(
    ("persona", "full"), [("supervisor", True), ("clerk", False), ("leader", False)]
)
def test_household_personal_data_masked_unless_role_needs_it(world, api, persona, full):
    household = world.household_a
    row = api(persona).get(f"/api/v1/households/{household.pk}/").json()
    expected = household.head_id_number if full else mask_id_number(household.head_id_number)
    assert row["head_id_number"] == expected


def test_clerk_cannot_read_another_projects_household(world, api):
    assert api("clerk").get(f"/api/v1/households/{world.household_b.pk}/").status_code == 404


def test_team_updates_its_own_milestones_only(world, api):
    milestone_a = world.building_a.milestones.first()
    milestone_b = world.building_b.milestones.first()
    client = api("team")
    assert client.patch(f"/api/v1/milestones/{milestone_a.pk}/", {"note": "ok"}).status_code == 200
    assert client.patch(f"/api/v1/milestones/{milestone_b.pk}/", {"note": "no"}).status_code == 404


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "leader"])
def test_other_roles_cannot_update_milestones(world, api, persona):
    milestone = world.building_a.milestones.first()
    assert (
        api(persona).patch(f"/api/v1/milestones/{milestone.pk}/", {"note": "x"}).status_code == 403
    )


@pytest.mark.parametrize("persona", ["clerk", "leader", "team"])
def test_only_household_managers_create_households(world, api, persona):
    response = api(persona).post("/api/v1/households/?project=PA", {}, format="json")
    assert response.status_code == 403


def test_supervisor_cannot_create_in_a_project_not_assigned(world, api):
    response = api("supervisor").post("/api/v1/households/?project=PB", {}, format="json")
    assert response.status_code == 400
    assert "project" in response.json()


@pytest.mark.parametrize("persona", ["team", "clerk", "supervisor"])
def test_villages_of_other_projects_are_hidden_from_scoped_roles(world, api, persona):
    mine = set(world.project_a.villages.values_list("code", flat=True))
    listed = codes(api(persona).get("/api/v1/villages/"))
    assert listed == mine
    other = world.project_b.villages.first()
    assert api(persona).get(f"/api/v1/villages/{other.pk}/").status_code == 404
