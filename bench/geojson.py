"""Building GeoJSON (/api/v1/geo/buildings/) for 2,000 buildings, as the map loads it.

Targets: the full response in under 200 ms server time (p95), with a query count that does not
grow with the number of buildings; a repeat with the ETag (If-None-Match) answers 304 in under
20 ms (p95).

The project has 2,000 buildings with footprints, milestones at varied progress (every phase)
and about 80 flats each, 5% of them selected. Server time is measured in-process through
Django's test client as a leader (the whole request/response cycle), on SQLite by default, on
DATABASE_URL if given, or on a throw-away PostgreSQL database with `postgres`. The full answer
is timed as built (the collection kept for its ETag dropped before each request, as after a
change) and, informational, as kept. The query count is taken at 200 buildings and at 2,000.
Run: .venv/bin/python bench/geojson.py [DATABASE_URL | postgres]
"""

import sys
import time

from common import (
    environment,
    fresh_sqlite,
    migrate,
    percentile,
    report,
    setup_django,
    summary,
)
from postgres import temporary_database

URL = "/api/v1/geo/buildings/"
BUILDINGS = 2_000
FIRST = 200  # buildings present for the first query count
FULL_REPEATS = 20
CONDITIONAL_REPEATS = 50
TARGET_MS = 200.0
TARGET_NOT_MODIFIED_MS = 20.0


def fetch(client, expected_status: int, headers: dict | None = None):
    response = client.get(URL, headers=headers or {})
    if response.status_code != expected_status:
        sys.exit(f"{URL}: expected {expected_status}, got {response.status_code}")
    return response


def samples(
    client, repeats: int, expected_status: int, headers=None, *, rebuilt=False
) -> list[float]:
    """Seconds per request; with `rebuilt`, the collection kept for the ETag is dropped before
    each (untimed): built anew, as the first map load after a change gets it."""
    from django.core.cache import cache

    times = []
    for _ in range(repeats):
        if rebuilt:
            cache.clear()
        start = time.perf_counter()
        fetch(client, expected_status, headers)
        times.append(time.perf_counter() - start)
    return times


def query_count(client, headers: dict | None = None, expected_status: int = 200) -> int:
    """Queries of the request as built (no collection kept for its ETag)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        fetch(client, expected_status, headers)
    return len(queries)


def main(database_url: str) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    import seed_buildings as seed
    from django.test import Client

    started = time.perf_counter()
    project = seed.project()
    seed.buildings_seed(project, FIRST)
    client = Client()
    client.force_login(seed.leader())
    fetch(client, 200)  # warm up
    count_small = query_count(client)
    seed.buildings_seed(project, BUILDINGS - FIRST, start=FIRST)
    print(f"seeded {BUILDINGS:,} buildings in {time.perf_counter() - started:.1f} s")
    count_large = query_count(client)

    response = fetch(client, 200)  # warm up at full size
    features = response.json()["features"]
    phases = sorted({feature["properties"]["phase"] for feature in features})
    print(
        f"  {len(features):,} features, {len(response.content) / 1e6:.2f} MB, "
        f"{response['Content-Type']}, phases: {', '.join(phases)}"
    )
    full = samples(client, FULL_REPEATS, 200, rebuilt=True)
    print(f"  full response, built: {summary(full)}")
    kept = samples(client, FULL_REPEATS, 200)
    print(
        f"  full response kept for its ETag (every later map load, informational): {summary(kept)}"
    )
    ok = report(
        f"building GeoJSON, {len(features):,} buildings, p95",
        percentile(full, 0.95) * 1000,
        "ms",
        TARGET_MS,
    )

    conditional = {"If-None-Match": response["ETag"]}
    fetch(client, 304, conditional)  # warm up
    not_modified = samples(client, CONDITIONAL_REPEATS, 304, conditional)
    print(f"  conditional (304): {summary(not_modified)}")
    ok &= report(
        "building GeoJSON with If-None-Match (304), p95",
        percentile(not_modified, 0.95) * 1000,
        "ms",
        TARGET_NOT_MODIFIED_MS,
    )

    count_304 = query_count(client, conditional, 304)
    print(
        f"queries, full response at {FIRST} / {BUILDINGS:,} buildings: "
        f"{count_small} / {count_large}; 304: {count_304}"
    )
    fixed = count_small == count_large
    print(f"fixed query count: {'OK' if fixed else 'MISSED'}")
    return ok and fixed


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else None
    if argument == "postgres":
        with temporary_database("geojson") as url:
            met = main(url)
    else:
        met = main(argument or fresh_sqlite())
    sys.exit(0 if met else 1)
