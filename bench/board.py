"""The live board's data endpoint (/board/<token>/data/) for an event over 11,000 flats: the full
answer in under 300 ms (p95), and an unchanged poll answered 304 in under 20 ms (p95).

A project gets 125 buildings of 22 floors × 2 stairwells × 2 flats (11,000 flats, through
flats_generate), 1,000 signed households and an open selection event over every building, queued
by signing order, with 10 desks. Through the desk services, 30 households confirm a flat each
and then every desk serves one more household holding a flat (10 reserved flats, live locks);
the rest of the 10% selected (1,100 flats in all) are set in bulk, as left by earlier days.

The board is public through its link (selection.board.board_link_create). Server time is
measured in-process through Django's test client, anonymous as a board screen polls: the full
JSON answer built anew (20 repeats: the answer kept for its ETag in the cache is dropped before
each, as after a change), the same kept (informational: every other screen after the first),
then the poll with If-None-Match: <ETag> answered 304 (50 repeats). Half the desks' locks have
lapsed (their flats read as available again; no poll sweeps them). Nothing is written. The
query counts of each and the payload size are printed too.

SQLite by default (a fresh file); give DATABASE_URL for another database, or `postgres` for a
fresh PostgreSQL database resettlement_bench_board_<pid> on 127.0.0.1 that is dropped afterwards.
Run: .venv/bin/python bench/board.py [DATABASE_URL | postgres]
"""

import gc
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

BUILDINGS, FLOORS = 125, 22  # × 2 stairwells × 2 positions = 11,000 flats
HOUSEHOLDS = 1_000
DESKS = 10
CONFIRMED = 30  # households confirming at the desks, through the services
SELECTED_SHARE = 0.10
FULL_REPEATS = 20
CONDITIONAL_REPEATS = 50
TARGET_MS = 300.0
TARGET_NOT_MODIFIED_MS = 20.0


def seed():
    """The event, with selections, live locks and households at every desk."""
    import datetime
    import uuid

    import seed_selection as seed
    from django.utils import timezone

    from resettlement.accounts.models import User
    from resettlement.housing.models import Flat, FlatStatus
    from resettlement.selection.confirmation import selection_confirm
    from resettlement.selection.lifecycle import desk_call_next
    from resettlement.selection.models import FlatHold
    from resettlement.selection.services import flats_hold

    clerk = User.objects.create_user("bench-desk-clerk", password="x")
    project = seed.project()
    buildings = seed.buildings_add(project, BUILDINGS, floors=FLOORS)
    seed.households_add(project, HOUSEHOLDS)
    event = seed.open_event(project, buildings, desks=DESKS, by=clerk)
    desks = list(event.desks.order_by("number"))
    flats = iter(Flat.objects.filter(building__in=buildings).order_by("?"))
    for number in range(CONFIRMED):
        desk = desks[number % DESKS]
        entry = desk_call_next(desk=desk, by=clerk)
        flat = next(flats)
        flats_hold(entry=entry, desk=desk, flats=[flat], by=clerk)
        selection_confirm(
            entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4(), by=clerk
        )
    for desk in desks:
        entry = desk_call_next(desk=desk, by=clerk)
        flats_hold(entry=entry, desk=desk, flats=[next(flats)], by=clerk)
    # Half the locks have run out, as at any moment of a real day: the board shows those flats
    # available again, before any sweep writes so (the path every real poll takes).
    lapsed = FlatHold.objects.filter(event=event).order_by("pk").values("pk")[: DESKS // 2]
    FlatHold.objects.filter(pk__in=lapsed).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    earlier = [next(flats).pk for _ in range(round(BUILDINGS * FLOORS * 4 * SELECTED_SHARE))]
    earlier = earlier[CONFIRMED:]
    Flat.objects.filter(pk__in=earlier).update(
        status=FlatStatus.SELECTED, status_changed_at=timezone.now()
    )
    return event


def fetch(client, url: str, expected_status: int, headers: dict | None = None):
    response = client.get(url, headers=headers or {})
    if response.status_code != expected_status:
        sys.exit(f"{url}: expected {expected_status}, got {response.status_code}")
    return response


def samples(
    client, url, repeats: int, expected_status: int, headers=None, *, rebuilt=False
) -> list[float]:
    """Seconds per request; with `rebuilt`, the answer kept for the ETag is dropped before each
    (untimed): the answer built anew, as the first screen polling after a change gets it."""
    from django.core.cache import cache

    times = []
    for _ in range(repeats):
        if rebuilt:
            cache.clear()
        start = time.perf_counter()
        fetch(client, url, expected_status, headers)
        times.append(time.perf_counter() - start)
    return times


def query_count(client, url: str, expected_status: int, headers: dict | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fetch(client, url, expected_status, headers)
    return len(queries)


def main(database_url: str) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from resettlement.selection.board import board_link_create
    from resettlement.selection.models import FlatHold

    started = time.perf_counter()
    event = seed()
    print(
        f"seeded {BUILDINGS * FLOORS * 4:,} flats, {HOUSEHOLDS:,} households, "
        f"an open event with {DESKS} desks in {time.perf_counter() - started:.1f} s "
        f"({connection.vendor})"
    )
    gc.collect()
    gc.freeze()  # as resettlement/wsgi.py does once the application is loaded
    _link, token = board_link_create(event=event)
    url = reverse("selection:board-data", args=[token])
    client = Client()  # anonymous: the signed link is all a board screen has
    response = fetch(client, url, 200)  # warm up
    data = response.json()
    flats = sum(len(building["flats"]) for building in data["buildings"])
    live = FlatHold.objects.filter(event=event, expires_at__gt=timezone.now()).count()
    print(f"  locks: {live} running, {FlatHold.objects.filter(event=event).count() - live} lapsed")
    print(
        f"  {len(data['buildings'])} buildings, {flats:,} flats, counts {data['counts']}, "
        f"serving {len(data['serving'])}, waiting {data['waiting']}; "
        f"payload {len(response.content) / 1e3:.0f} kB"
    )
    full = samples(client, url, FULL_REPEATS, 200, rebuilt=True)
    print(f"  full answer, built: {summary(full)}")
    kept = samples(client, url, FULL_REPEATS, 200)
    print(f"  full answer kept for its ETag (every other screen, informational): {summary(kept)}")
    ok = report(f"board data, {flats:,} flats, p95", percentile(full, 0.95) * 1000, "ms", TARGET_MS)

    conditional = {"If-None-Match": response["ETag"]}
    fetch(client, url, 304, conditional)  # warm up
    not_modified = samples(client, url, CONDITIONAL_REPEATS, 304, conditional)
    print(f"  unchanged poll (304): {summary(not_modified)}")
    ok &= report(
        "board data with If-None-Match (304), p95",
        percentile(not_modified, 0.95) * 1000,
        "ms",
        TARGET_NOT_MODIFIED_MS,
    )
    from django.core.cache import cache

    cache.clear()
    built = query_count(client, url, 200)
    print(
        f"queries: full answer built {built}, kept {query_count(client, url, 200)}, "
        f"304 {query_count(client, url, 304, conditional)}"
    )
    return ok


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else None
    if argument == "postgres":
        with temporary_database("board") as url:
            met = main(url)
    else:
        met = main(argument or fresh_sqlite())
    sys.exit(0 if met else 1)
