"""The signed-in user of each request is read with its roles and assigned projects in the same
row (RoleBackend.get_user): what the request then asks of them costs nothing more, and a change
of either counts from the next request on."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from resettlement.accounts.access import (
    Capability,
    assigned_project_ids,
    roles_of,
    user_can,
)
from resettlement.accounts.models import Role
from resettlement.admin_site import RoleBackend

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "roles", "on_a"),
    [
        ("clerk", {Role.SELECTION_CLERK}, True),
        ("leader", {Role.LEADER}, True),  # assigned to A, and sees every project
        ("outsider", set(), False),
    ],
)
def test_roles_and_projects_come_with_the_user(
    world, personas, name, roles, on_a, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = RoleBackend().get_user(personas[name].pk)
    with django_assert_num_queries(0):
        assert roles_of(user) == roles
        assert assigned_project_ids(user) == ({world.project_a.pk} if on_a else set())
        assert user_can(user, Capability.VIEW_PROJECT, world.project_b) == (name == "leader")


def test_a_user_with_several_roles_and_projects_has_them_all(world, personas):
    clerk = personas["clerk"]
    clerk.groups.add(Group.objects.get(name=Role.PROJECT_TEAM))
    clerk.projects.add(world.project_b)
    user = RoleBackend().get_user(clerk.pk)
    assert roles_of(user) == {Role.SELECTION_CLERK, Role.PROJECT_TEAM}
    assert assigned_project_ids(user) == {world.project_a.pk, world.project_b.pk}


def test_a_change_of_projects_or_roles_counts_from_the_next_request(world, personas, login):
    clerk = personas["clerk"]
    client = login("clerk")
    page = reverse("projects:dashboard", args=[world.project_a.code])
    assert client.get(page).status_code == 200
    clerk.projects.remove(world.project_a)
    assert client.get(page).status_code == 404
    clerk.projects.add(world.project_a)
    assert client.get(page).status_code == 200
    clerk.groups.clear()
    assert client.get(page).status_code in (403, 404)


def test_a_deactivated_user_is_signed_out(world, personas, login):
    client = login("clerk")
    personas["clerk"].is_active = False
    personas["clerk"].save()
    response = client.get(reverse("households:search"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert RoleBackend().get_user(personas["clerk"].pk) is None
