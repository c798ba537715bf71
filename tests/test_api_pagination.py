"""The API's long lists (households, flats, milestones) are paged by keyset: `next` and
`previous` links carry a cursor, every row comes once in the list's order however the list is
sorted (NULLs last), a page deep in the list costs the queries the first does, a row added
meanwhile neither repeats nor skips another, and an edited cursor is refused in Chinese."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.pagination import KeysetPagination
from resettlement.households.models import Household
from resettlement.housing.models import Flat
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.progress.models import BuildingMilestone
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/households/"


def _walk(client, params: dict) -> list[dict]:
    """Every page from the first, through the `next` links; the `previous` links then lead
    back through the same pages."""
    pages = []
    response = client.get(URL, params).json()
    pages.append(response)
    while response["next"]:
        assert "page=" not in response["next"]
        response = client.get(response["next"]).json()
        pages.append(response)
    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(client.get(back[-1]["previous"]).json())
    assert [page["results"] for page in reversed(back)] == [page["results"] for page in pages]
    return [row for page in pages for row in page["results"]]


def test_next_links_walk_every_household_once_in_agreement_order(world, api):
    for number in range(12):
        HouseholdFactory(project=world.project_a, agreement_no=f"PA-{number:03d}")
    client = api("clerk")
    first = client.get(URL, {"page_size": 5}).json()
    assert first["count"] == 13 and first["previous"] is None and len(first["results"]) == 5
    assert "cursor=" in first["next"] and "page_size=5" in first["next"]
    rows = _walk(client, {"page_size": 5})
    expected = list(
        Household.objects.filter(project=world.project_a)
        .order_by("agreement_no")
        .values_list("agreement_no", flat=True)
    )
    assert [row["agreement_no"] for row in rows] == expected


@pytest.mark.parametrize("ordering", ["selection_order", "-selection_order", "-signed_on"])
def test_a_sort_on_a_column_with_gaps_still_shows_every_row_once(world, api, ordering):
    for number in range(9):
        HouseholdFactory(
            project=world.project_a,
            selection_order=None if number % 3 == 0 else number % 4,  # ties and NULLs
            signed_on=None if number % 4 == 0 else datetime.date(2020, 1, 1 + number % 2),
        )
    rows = _walk(api("clerk"), {"page_size": 2, "ordering": ordering})
    assert sorted(row["id"] for row in rows) == sorted(
        Household.objects.filter(project=world.project_a).values_list("pk", flat=True)
    )
    field = ordering.lstrip("-")
    values = [row[field] for row in rows]
    present = [value for value in values if value is not None]
    assert values == present + [None] * (len(values) - len(present)), "NULLs come last"
    assert present == sorted(present, reverse=ordering.startswith("-"))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    orders=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=0, max_size=12),
    size=st.integers(1, 5),
    descending=st.booleans(),
)
def test_any_list_any_page_size_any_direction_walks_the_whole_order(
    world, api, orders, size, descending
):
    Household.objects.filter(project=world.project_a).delete()
    for order in orders:
        HouseholdFactory(project=world.project_a, selection_order=order)
    client = api("supervisor")
    ordering = "-selection_order" if descending else "selection_order"
    rows = _walk(client, {"page_size": size, "ordering": ordering})
    assert len(rows) == len(orders)
    assert len({row["id"] for row in rows}) == len(orders)
    keys = [row["selection_order"] for row in rows]
    present = [key for key in keys if key is not None]
    assert keys[len(present) :] == [None] * (len(keys) - len(present))
    assert present == sorted(present, reverse=descending)


def test_a_household_added_meanwhile_neither_repeats_nor_skips_a_row(world, api):
    for number in range(10):
        HouseholdFactory(project=world.project_a, agreement_no=f"PA-{number * 2:03d}")
    client = api("clerk")
    first = client.get(URL, {"page_size": 4, "project": "PA"}).json()
    HouseholdFactory(project=world.project_a, agreement_no="PA-001")  # sorts on page one
    second = client.get(first["next"]).json()
    assert second["results"][0]["agreement_no"] > first["results"][-1]["agreement_no"]
    shown = [row["agreement_no"] for row in first["results"] + second["results"]]
    assert len(shown) == len(set(shown)) == 8


def test_a_deep_page_costs_the_queries_of_the_first(world, api, django_assert_num_queries):
    for _ in range(30):
        HouseholdFactory(project=world.project_a)
    client = api("clerk")
    client.get(URL)
    with django_assert_num_queries(4):
        page = client.get(URL, {"page_size": 5}).json()
    for _ in range(4):
        page = client.get(page["next"]).json()
    with django_assert_num_queries(4):
        assert len(client.get(page["next"]).json()["results"]) == 5


@pytest.mark.parametrize("cursor", ["abc", "W3RydWUsIFsxXV0", "bm90IGpzb24", "%%%"])
def test_an_edited_cursor_is_refused_in_chinese(world, api, cursor):
    response = api("clerk").get(URL, {"cursor": cursor})
    assert response.status_code == 404
    assert "翻页链接无效" in response.json()["detail"]


def test_the_count_is_exact_up_to_its_limit_then_an_estimate_on_postgresql(world, api, monkeypatch):
    from django.db import connection

    for _ in range(6):
        HouseholdFactory(project=world.project_a)
    client = api("clerk")
    exact = client.get(URL).json()
    assert exact["count"] == 7 and "count_exact" not in exact
    monkeypatch.setattr(KeysetPagination, "EXACT_COUNT_LIMIT", 3)
    beyond = client.get(URL).json()
    if connection.vendor == "postgresql":
        assert beyond["count_exact"] is False and beyond["count"] >= 4
    else:
        assert beyond["count"] == 7 and "count_exact" not in beyond


def test_the_schema_describes_the_cursor(world, api):
    schema = api("leader").get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/households/"]["get"]["parameters"]
    names = {parameter["name"] for parameter in parameters}
    assert {"cursor", "page_size"} <= names and "page" not in names


def test_flats_and_milestones_are_paged_by_cursor_too(world, api):
    flats_generate(
        building=world.building_a,
        positions=[FlatPosition(1, "A", Decimal(80)), FlatPosition(2, "B", Decimal(95))],
    )
    client = api("leader")
    for url, total in (
        ("/api/v1/flats/", Flat.objects.count()),
        ("/api/v1/milestones/", BuildingMilestone.objects.count()),
    ):
        assert total > 3
        response = client.get(url, {"page_size": 3}).json()
        assert "cursor" in parse_qs(urlsplit(response["next"]).query)
        seen = [row["id"] for row in response["results"]]
        while response["next"]:
            response = client.get(response["next"]).json()
            seen += [row["id"] for row in response["results"]]
        assert sorted(seen) == sorted(set(seen)) and len(seen) == total
