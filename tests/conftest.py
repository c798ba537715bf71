"""Shared fixtures: two projects and one persona per role (healthchecks-style named users).

Project A is the one every scoped persona is assigned to; project B belongs to nobody but the
global roles, so "sees nothing of project B" can be checked for each persona.
"""

import os
import uuid
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from resettlement.accounts.models import Role
from resettlement.selection.rules import forget_fixed_rules
from tests.factories import HouseholdFactory, make_building, make_project, make_user


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (real threads, the live server) ends with its data flushed: put
    back what the migrations wrote (roles, content types), with the same keys, so the tests
    that follow it on this worker find the database as migrated, whatever order xdist chose.
    Such tests take serialized_rollback=True, so their flush leaves the tables empty. (After
    the last test the test database is already gone: nothing to restore.)"""
    result = yield
    marker = item.get_closest_marker("django_db")
    if nextitem is not None and marker and marker.kwargs.get("transaction"):
        assert marker.kwargs.get("serialized_rollback"), f"{item.nodeid}: serialized_rollback"
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(autouse=True)
def _fresh_event_rules():
    """Rolled-back events come back under the same id: no rules kept from an earlier test."""
    forget_fixed_rules()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rolled-back rows come back under the same ids, and answers are cached by ETags made of
    ids and counters: no body kept from an earlier test."""
    cache.clear()


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except redis.RedisError:
        return False


@pytest.fixture(params=["test cache", "redis"])
def shared_cache(request):
    """The test settings' cache, and Redis as several app servers share it."""
    if request.param == "test cache":
        yield
        return
    if not _redis_answers():
        pytest.skip("no Redis server at TEST_REDIS_URL")
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"sign-in-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=caches):
        yield


@dataclass
class World:
    project_a: object
    project_b: object
    building_a: object
    building_b: object
    household_a: object
    household_b: object


@pytest.fixture
def world(db) -> World:
    project_a = make_project("PA")
    project_b = make_project("PB")
    return World(
        project_a=project_a,
        project_b=project_b,
        building_a=make_building(project_a, "1#"),
        building_b=make_building(project_b, "1#"),
        household_a=HouseholdFactory(project=project_a),
        household_b=HouseholdFactory(project=project_b),
    )


PERSONAS = {
    "admin": Role.ADMIN,
    "team": Role.PROJECT_TEAM,
    "lead": Role.PROJECT_SUPERVISOR,
    "clerk": Role.SELECTION_CLERK,
    "supervisor": Role.SELECTION_SUPERVISOR,
    "leader": Role.LEADER,
    "outsider": None,  # logged in, no role
}


@pytest.fixture
def personas(world):
    """username -> user; scoped roles are assigned to project A only."""
    return {
        name: make_user(name, role, projects=[world.project_a] if role else [])
        for name, role in PERSONAS.items()
    }


@pytest.fixture
def login(personas):
    def client_for(name: str) -> Client:
        client = Client()
        client.force_login(personas[name])
        return client

    return client_for


@pytest.fixture
def api(personas):
    """An API client logged in (session) as a persona."""

    def client_for(name: str) -> APIClient:
        client = APIClient()
        client.force_login(personas[name])
        return client

    return client_for
