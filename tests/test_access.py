"""Every role, allowed and forbidden, on its own project (A) and on another one (B)."""

import pytest
from django.urls import reverse

from resettlement.masking import mask_id_number

ALL = ["admin", "team", "lead", "clerk", "supervisor", "leader"]
GLOBAL = ["admin", "leader"]
HOUSEHOLD_READERS = ["admin", "clerk", "supervisor", "leader"]


def status_of(client, url) -> int:
    return client.get(url).status_code


@pytest.mark.parametrize("persona", [*ALL, "outsider"])
def test_home_lists_exactly_the_projects_a_persona_may_see(world, login, persona):
    page = login(persona).get(reverse("projects:home")).content.decode()
    sees_a = 'data-project="PA"' in page
    sees_b = 'data-project="PB"' in page
    assert sees_a == (persona != "outsider")
    assert sees_b == (persona in GLOBAL)


def test_anonymous_visitors_are_sent_to_login(world, client):
    response = client.get(reverse("projects:dashboard", args=["PA"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", [*ALL, "outsider"])
def test_project_dashboard_and_building_page_follow_project_scope(world, login, persona):
    client = login(persona)
    expected_a = 200 if persona != "outsider" else 404
    expected_b = 200 if persona in GLOBAL else 404
    assert status_of(client, reverse("projects:dashboard", args=["PA"])) == expected_a
    assert status_of(client, reverse("projects:dashboard", args=["PB"])) == expected_b
    assert status_of(client, world.building_a.get_absolute_url()) == expected_a
    assert status_of(client, world.building_b.get_absolute_url()) == expected_b


@pytest.mark.parametrize("persona", [*ALL, "outsider"])
def test_household_pages_are_for_selection_staff_admins_and_leaders(world, login, persona):
    client = login(persona)
    can_read = persona in HOUSEHOLD_READERS
    assert status_of(client, reverse("households:search")) == (200 if can_read else 403)
    expected_a = 200 if can_read else 403
    expected_b = 200 if persona in GLOBAL else (404 if can_read else 403)
    assert status_of(client, world.household_a.get_absolute_url()) == expected_a
    assert status_of(client, world.household_b.get_absolute_url()) == expected_b


@pytest.mark.parametrize("persona", HOUSEHOLD_READERS)
def test_household_search_never_lists_other_projects(world, login, persona):
    page = login(persona).get(reverse("households:search")).content.decode()
    assert world.household_a.agreement_no in page
    assert (world.household_b.agreement_no in page) == (persona in GLOBAL)


def test_project_dashboard_hides_household_figures_from_project_teams(world, login):
    page = login("team").get(reverse("projects:dashboard", args=["PA"])).content.decode()
    assert 'id="households-by-status"' not in page
    assert 'id="buildings-by-stage"' in page


@pytest.mark.parametrize(
    ("persona", "reveals"),
    [("admin", True), ("supervisor", True), ("clerk", False), ("leader", False)],
)
def test_full_id_and_phone_only_for_roles_that_verify_identity(world, login, persona, reveals):
    household = world.household_a
    page = login(persona).get(household.get_absolute_url()).content.decode()
    assert (household.head_id_number in page) == reveals
    assert (household.phone in page) == reveals
    if not reveals:
        assert mask_id_number(household.head_id_number) in page
        assert household.phone[:3] + "****" + household.phone[-4:] in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("supervisor", 200)]
    + [(persona, 403) for persona in ["clerk", "leader", "team"]],
)
def test_only_supervisors_and_admins_edit_households(world, login, persona, expected):
    url = reverse("households:edit", args=[world.household_a.pk])
    assert status_of(login(persona), url) == expected


def test_supervisor_cannot_edit_another_projects_household(world, login):
    assert (
        status_of(login("supervisor"), reverse("households:edit", args=[world.household_b.pk]))
        == 404
    )


@pytest.mark.parametrize(
    ("persona", "households", "flats"),
    [
        ("admin", True, True),
        ("supervisor", True, True),
        ("team", False, True),
        ("lead", False, True),
        ("clerk", False, False),
        ("leader", False, False),
    ],
)
def test_register_imports_by_role(world, login, persona, households, flats):
    client = login(persona)
    response = client.get(reverse("imports:page", args=["PA"]))
    assert response.status_code == (200 if households or flats else 403)
    template = reverse("imports:template", args=["PA", "households"])
    assert status_of(client, template) == (200 if households else 403)
    template = reverse("imports:template", args=["PA", "flats"])
    assert status_of(client, template) == (200 if flats else 403)


def test_team_cannot_import_into_another_project(world, login):
    assert status_of(login("team"), reverse("imports:page", args=["PB"])) == 404


def test_team_cannot_post_a_household_register(world, login, tmp_path):
    response = login("team").post(
        reverse("imports:page", args=["PA"]), {"kind": "households", "households-file": ""}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ALL)
def test_django_admin_is_for_administrators_only(world, login, persona):
    response = login(persona).get("/admin/")
    if persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response.url


@pytest.mark.parametrize("persona", ["team", "clerk"])
def test_flat_generation_needs_flat_rights_on_that_project(world, login, persona):
    client = login(persona)
    url_a = reverse("housing:building-generate-flats", args=[world.building_a.pk])
    url_b = reverse("housing:building-generate-flats", args=[world.building_b.pk])
    assert status_of(client, url_a) == (200 if persona == "team" else 403)
    assert status_of(client, url_b) == 404
