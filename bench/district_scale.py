"""The household API at the scale of a district: 1,000,000 households in one project on
PostgreSQL. Target (issue 12): any page answers in under 50 ms (p95, in-process), the first, one
in the middle, one near the end and the way back from the middle, with the same query count.

The API pages its long lists by keyset (api.pagination.KeysetPagination): a page is the rows
after the cursor in the list's order, which PostgreSQL finds by seeking in the index of
(project, agreement number), and the count is exact up to 10,000 rows, the planner's estimate
beyond. Before it, page 10,000 counted every row and walked 500,000 index entries with OFFSET
(374 ms median in the issue's measurement).

The households are written with one INSERT … SELECT over generate_series (synthetic rows:
numbered agreements and ID-like numbers, no real person), then ANALYZE. A cursor into the
middle is made as the `next` link would name the row at position 500,000 ((project, agreement
number) is unique: the order needs no id to be total, and the cursor names those two). Server
time is measured in-process through Django's test client as a signed-in clerk.

A fresh PostgreSQL database resettlement_bench_district_<pid> is created and dropped
(SKIPPED if PostgreSQL does not answer); or give DATABASE_URL.
Run: .venv/bin/python bench/district_scale.py [DATABASE_URL]
"""

import base64
import json
import sys
import time

from common import environment, migrate, percentile, report, setup_django, summary, timed
from postgres import temporary_database

HOUSEHOLDS = 1_000_000
REPEATS = 20
TARGET_MS = 50.0
URL = "/api/v1/households/"


def seed():
    from django.contrib.auth.models import Group
    from django.db import connection

    from resettlement.accounts.models import Role, User
    from resettlement.progress.setup import project_create
    from resettlement.projects.models import District, Project, StreetOffice, Village

    existing = Project.objects.filter(code="SCALE").first()
    if existing is not None:  # a database given on the command line, seeded by an earlier run
        return User.objects.get(username="bench-scale-clerk"), existing

    district = District.objects.create(code="610113", name="雁塔区")
    office = StreetOffice.objects.create(district=district, code="SCALE", name="规模街道")
    villages = [
        Village.objects.create(street_office=office, code=f"SV{i}", name=f"规模{i}村")
        for i in range(8)
    ]
    project = project_create(code="SCALE", name="区级规模", street_office=office, villages=villages)
    village_ids = [village.pk for village in villages]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO households_household (
                project_id, village_id, agreement_no, head_name, head_id_number, phone,
                recognised_persons, original_area, entitled_area, compensation_mode, signed_on,
                elderly, disabled, hardship, status, selection_order, note, created_at, updated_at
            )
            SELECT %s, (%s::bigint[])[1 + n %% 8], 'SC-' || lpad(n::text, 7, '0'),
                   '住户' || n, '9' || lpad(n::text, 17, '0'), '', 1 + n %% 5,
                   60 + n %% 120, 60 + n %% 120, 'property_swap', DATE '2020-01-01' + n %% 900,
                   n %% 7 = 0, n %% 50 = 0, n %% 30 = 0, 'signed',
                   CASE WHEN n %% 3 = 0 THEN NULL ELSE n END, '', now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [project.pk, village_ids, HOUSEHOLDS],
        )
        cursor.execute("ANALYZE households_household")
    clerk = User.objects.create_user("bench-scale-clerk", password="x")
    clerk.groups.add(Group.objects.get(name=Role.SELECTION_CLERK))
    clerk.projects.add(project)
    return clerk, project


def cursor_at(project, position: int, *, reverse: bool = False) -> str:
    """The cursor a `next` link would carry after the row at `position` (0-based) of the
    list's order (project, agreement number)."""
    from resettlement.households.models import Household

    row = (
        Household.objects.filter(project=project)
        .order_by("agreement_no")
        .values_list("project_id", "agreement_no")[position]
    )
    token = base64.urlsafe_b64encode(json.dumps([reverse, list(row)]).encode()).decode()
    return token.rstrip("=")


def measure(client, params: dict) -> tuple[list[float], dict]:
    page = client.get(URL, params)
    if page.status_code != 200:
        sys.exit(f"{params}: {page.status_code} {page.content[:300]!r}")
    return [timed(lambda: client.get(URL, params)) for _ in range(REPEATS)], page.json()


def query_count(client, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(URL, params)
    return len(queries)


def main(database_url: str) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    from django.test import Client

    started = time.perf_counter()
    clerk, project = seed()
    print(f"seeded {HOUSEHOLDS:,} households in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(clerk)
    cases = [
        ("first page", {"page_size": 50}),
        ("page at row 500,000", {"page_size": 50, "cursor": cursor_at(project, 500_000)}),
        ("page at row 999,900", {"page_size": 50, "cursor": cursor_at(project, 999_900)}),
        (
            "previous page of row 500,000",
            {"page_size": 50, "cursor": cursor_at(project, 500_000, reverse=True)},
        ),
        ("elderly only, first page", {"page_size": 50, "elderly": "true"}),
    ]
    ok = True
    counts = []
    for name, params in cases:
        samples, page = measure(client, params)
        counts.append(query_count(client, params))
        first = page["results"][0]["agreement_no"] if page["results"] else "-"
        print(
            f"  {name}: {summary(samples)}; {len(page['results'])} rows from {first}, "
            f"count {page['count']:,}{'' if page.get('count_exact', True) else ' (estimate)'}"
        )
        ok &= report(
            f"household API, {name}, p95", percentile(samples, 0.95) * 1000, "ms", TARGET_MS
        )
    samples, _page = measure(client, {"page_size": 50, "ordering": "-entitled_area"})
    print(f"  sorted by entitled area, first page (informational, no index): {summary(samples)}")
    fixed = len(set(counts)) == 1
    print(f"queries per page: {counts} — {'OK' if fixed else 'MISSED'} (the same at any depth)")
    return ok and fixed


if __name__ == "__main__":
    with temporary_database("district", sys.argv[1] if len(sys.argv) > 1 else None) as url:
        met = main(url)
    sys.exit(0 if met else 1)
