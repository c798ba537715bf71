"""Household list, page and API, with 10,000 households: server time for a page of 50 and the
query count for several page sizes. Target (issue 2): under 150 ms, a fixed query count.

Server time is measured in-process through Django's test client (the whole request/response
cycle: middleware, session, permission checks, queries, template or JSON rendering), on SQLite
by default, on DATABASE_URL if given, or on a throw-away PostgreSQL database with `postgres`.
The API pages by cursor: its deep page follows the `next` links 20 times.
Run: .venv/bin/python bench/household_list.py [DATABASE_URL | postgres]
"""

import sys

from common import (
    environment,
    fresh_sqlite,
    migrate,
    percentile,
    report,
    setup_django,
    summary,
    timed,
)
from postgres import temporary_database

HOUSEHOLDS = 10_000
REPEATS = 40
TARGET_MS = 150.0


def seed() -> object:
    import datetime
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from resettlement.accounts.models import User
    from resettlement.demo.people import PeopleFactory
    from resettlement.households.services import households_create
    from resettlement.households.validation import HouseholdData
    from resettlement.progress.setup import project_create
    from resettlement.projects.models import District, StreetOffice, Village

    district = District.objects.create(code="610113", name="雁塔区")
    office = StreetOffice.objects.create(district=district, code="BENCH", name="基准街道")
    villages = [
        Village.objects.create(street_office=office, code=f"BV{i}", name=f"基准{i}村")
        for i in range(4)
    ]
    project = project_create(code="BENCH", name="基准项目", street_office=office, villages=villages)
    people = PeopleFactory(seed=3)
    today = datetime.date(2026, 1, 1)
    records = [
        HouseholdData(
            agreement_no=f"BENCH-{n:06d}",
            village=villages[n % 4],
            head_name=people.name(male=True),
            head_id_number=people.id_number(
                born=people.birth_date(min_age=30, max_age=80, today=today), male=True
            ),
            phone=people.phone() if n < 9999 else "",
            recognised_persons=3,
            original_area=Decimal("150.00"),
            entitled_area=Decimal("150.00"),
            compensation_mode="property_swap",
            signed_on=datetime.date(2020, 1, 1),
            elderly=n % 7 == 0,
            disabled=False,
            hardship=False,
            note="",
        )
        for n in range(HOUSEHOLDS)
    ]
    households_create(project=project, records=records)
    clerk = User.objects.create_user("bench-clerk", password="x")
    clerk.groups.add(Group.objects.get(name="选房工作人员"))
    clerk.projects.add(project)
    return clerk


def deep_page(client, params: dict, page: int) -> dict:
    """The parameters of page `page` of the API list: its `next` links followed from the first."""
    from urllib.parse import parse_qsl, urlsplit

    for _ in range(page - 1):
        following = client.get("/api/v1/households/", params).json()["next"]
        params = dict(parse_qsl(urlsplit(following).query))
    return params


def measure(client, url: str, params: dict) -> list[float]:
    client.get(url, params)  # warm up
    return [timed(lambda: client.get(url, params)) for _ in range(REPEATS)]


def query_counts(client, url: str, sizes: list[int], size_param: str | None) -> list[int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in sizes:
        params = {size_param: size} if size_param else {"page": size}
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        counts.append(len(queries))
    return counts


def main(database_url: str) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    from django.test import Client

    client = Client()
    client.force_login(seed())
    ok = True
    cases = [
        ("household list page (/households/), page 1 of 50", "/households/", {}),
        ("household list page, page 150 of 50", "/households/", {"page": 150}),
        ("household list page, search by name", "/households/", {"q": "王"}),
        (
            "household API (/api/v1/households/), page_size=50",
            "/api/v1/households/",
            {"page_size": 50},
        ),
        (
            "household API, filtered elderly, page 20 (its cursor)",
            "/api/v1/households/",
            deep_page(client, {"page_size": 50, "elderly": "true"}, 20),
        ),
    ]
    for name, url, params in cases:
        samples = measure(client, url, params)
        print(f"  {name}: {summary(samples)}")
        ok &= report(f"{name} p95", percentile(samples, 0.95) * 1000, "ms", TARGET_MS)
    page_counts = query_counts(client, "/households/", [1, 50, 200], None)
    api_counts = query_counts(client, "/api/v1/households/", [10, 50, 500], "page_size")
    print(
        f"queries, page at pages 1/50/200: {page_counts}; API at page_size 10/50/500: {api_counts}"
    )
    fixed = len(set(page_counts)) == 1 and len(set(api_counts)) == 1
    print(f"fixed query count: {'OK' if fixed else 'MISSED'}")
    return ok and fixed


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else None
    if argument == "postgres":
        with temporary_database("households") as url:
            met = main(url)
    else:
        met = main(argument or fresh_sqlite())
    sys.exit(0 if met else 1)
