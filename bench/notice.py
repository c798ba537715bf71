"""The public lottery notice under anonymous load (issue 7 §3): each anonymous request for the
notice PDF, its page or its files costs a few milliseconds of server CPU, because it is served
from what was stored at publication; a login meanwhile is not held up.

A fresh SQLite database gets the demo's size of lottery: 1,964 signed households on the roster
of a published lottery (mode order), made through resettlement.lottery.services and .lifecycle.
Publication stores the files and the notice's result table, and (no REDIS_URL here, so at once
after the commit) renders the notice PDF: both timed, informational. The PDF is then rendered
once more on its own to time the rendering alone (CPU seconds of this process, and wall time).

gunicorn (2 sync workers, DEBUG off, as deployed) then serves it on 127.0.0.1. Anonymous GETs,
REQUESTS of each, one after another: notice.pdf, the same with its ETag (304), the notice page
(its first page of rows, and page 5), a search for one agreement number and for a prefix that
matches many (never cached: at most 50 rows rendered), result.csv. For each: client latency
(median, p95) and the CPU the gunicorn workers spent per request (utime + stime of the worker
processes from /proc, before and after, divided by the requests). Target: under
TARGET_CPU_MS of server CPU per anonymous request. Then the incident's shape: CONCURRENT
clients fetch notice.pdf for LOAD_SECONDS while the login page is timed.

SQLite by default (a fresh file: every request that reads the database opens a connection, as
CONN_MAX_AGE is 0 for SQLite); `postgres` for a throw-away PostgreSQL database as deployed.
Run: .venv/bin/python bench/notice.py [DATABASE_URL | postgres]
"""

import hashlib
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from common import environment, fresh_sqlite, gunicorn, migrate, percentile, report, setup_django
from postgres import temporary_database

HOUSEHOLDS = 1_964  # the demo's roster, as in the issue
REQUESTS = 200
CONCURRENT = 8
LOAD_SECONDS = 10.0
TARGET_CPU_MS = 5.0  # "a few milliseconds of CPU" per anonymous request
TARGET_LOGIN_MS = 500.0  # the login page while the notice is fetched by CONCURRENT clients


def clock(label: str, function):
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return result, wall, cpu


def seed():
    """A published lottery of HOUSEHOLDS households; its public token and stored PDF digest."""
    import seed_selection as seed
    from django.db import connections

    from resettlement.archive.models import DocumentKind, StoredDocument
    from resettlement.lottery import lifecycle, services
    from resettlement.lottery.notice import notice_pdf
    from resettlement.selection.lotteries import lottery_publish

    project = seed.project()
    seed.households_add(project, HOUSEHOLDS)
    lottery = services.lottery_create(
        project=project, name="第一批回迁选房顺序摇号", mode="order", **seed.NOTICE_DETAILS
    )
    services.roster_build(lottery=lottery)
    lifecycle.lottery_freeze(lottery=lottery)
    lifecycle.lottery_draw(
        lottery=lottery, public_input=seed.PUBLIC_INPUT, witnesses=seed.WITNESSES
    )
    clock(
        "lottery_publish, with the notice PDF task run at once after its commit (informational)",
        lambda: lottery_publish(lottery=lottery),
    )
    document = StoredDocument.objects.of(lottery).get(kind=DocumentKind.LOTTERY_NOTICE_PDF)
    clock(
        f"render the {HOUSEHOLDS:,}-row notice PDF alone (informational)",
        lambda: notice_pdf(lottery),
    )
    print(f"  stored notice PDF: {document.size / 1e3:.0f} kB, SHA-256 {document.sha256[:16]}…")
    agreement = lottery.results.order_by("sequence").last().entry.agreement_no
    connections.close_all()
    return lottery.public_token, document.sha256, agreement


def workers_cpu(server) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def get(url: str, headers: dict | None = None) -> tuple[int, bytes, dict, float]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (local server)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            body = response.read()
            return response.status, body, dict(response.headers), time.perf_counter() - start
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers), time.perf_counter() - start


def series(server, label: str, url: str, expected: int, headers: dict | None = None) -> bool:
    cpu_before = workers_cpu(server)
    times = []
    for _ in range(REQUESTS):
        status, _body, _headers, seconds = get(url, headers)
        if status != expected:
            sys.exit(f"{label}: HTTP {status}, expected {expected}")
        times.append(seconds)
    cpu_ms = (workers_cpu(server) - cpu_before) / REQUESTS * 1000
    print(
        f"  {label}: latency median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms, n={REQUESTS}"
    )
    return report(f"server CPU per anonymous request, {label}", cpu_ms, "ms", TARGET_CPU_MS)


def under_load(base_url: str, pdf_url: str) -> tuple[list[float], int]:
    """Login page latencies while CONCURRENT clients fetch the notice PDF; PDFs served."""
    stop = threading.Event()
    served = [0] * CONCURRENT

    def fetch(slot: int) -> None:
        while not stop.is_set():
            status, _body, _headers, _seconds = get(pdf_url)
            served[slot] += status == 200

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    logins = []
    deadline = time.monotonic() + LOAD_SECONDS
    while time.monotonic() < deadline:
        status, _body, _headers, seconds = get(f"{base_url}/accounts/login/")
        if status != 200:
            sys.exit(f"login page: HTTP {status}")
        logins.append(seconds)
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    return logins, sum(served)


def main(database_url: str) -> bool:
    env = environment(database_url)
    env.pop("REDIS_URL", None)  # tasks at once after commit, in this process
    migrate(env)
    setup_django(env)
    token, digest, agreement = seed()
    with gunicorn(env) as (base_url, server):
        notice = f"{base_url}/notices/lotteries/{token}/"
        pdf = f"{notice}notice.pdf"
        verifier = f"{base_url}/notices/lottery_verify.py"
        unknown = f"{base_url}/notices/lotteries/{uuid.uuid4()}/notice.pdf"
        status, body, headers, _seconds = get(pdf)
        if status != 200 or hashlib.sha256(body).hexdigest() != digest:
            sys.exit(f"notice.pdf: HTTP {status}, not the stored bytes")
        print(f"  notice.pdf: {len(body) / 1e3:.0f} kB, ETag {headers['ETag'][:18]}…")
        series(server, "baseline: the login page (no notice)", f"{base_url}/accounts/login/", 200)
        series(server, "baseline: lottery_verify.py (fixed bytes, no database)", verifier, 200)
        series(server, "baseline: an unknown notice (404, one query)", unknown, 404)
        ok = series(server, "notice.pdf", pdf, 200)
        ok &= series(
            server, "notice.pdf with its ETag (304)", pdf, 304, {"If-None-Match": headers["ETag"]}
        )
        ok &= series(server, f"notice page (first of {HOUSEHOLDS:,} rows)", notice, 200)
        ok &= series(server, "notice page 5 (?page=5)", f"{notice}?page=5", 200)
        query = urllib.parse.quote(agreement)
        ok &= series(server, "notice search, one agreement (?q=…)", f"{notice}?q={query}", 200)
        prefix = urllib.parse.quote(agreement[:-2])
        ok &= series(
            server, "notice search, a prefix matching many (?q=…)", f"{notice}?q={prefix}", 200
        )
        ok &= series(server, "result.csv", f"{notice}result.csv", 200)
        logins, served = under_load(base_url, pdf)
    print(
        f"  {CONCURRENT} clients fetching notice.pdf for {LOAD_SECONDS:.0f} s: {served:,} served "
        f"({served / LOAD_SECONDS:.0f}/s); login page median "
        f"{statistics.median(logins) * 1000:.1f} ms, n={len(logins)}"
    )
    ok &= report(
        f"login page p95 while {CONCURRENT} clients fetch the notice PDF",
        percentile(logins, 0.95) * 1000,
        "ms",
        TARGET_LOGIN_MS,
    )
    return ok


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else None
    if argument == "postgres":
        with temporary_database("notice") as url:
            met = main(url)
    else:
        met = main(argument or fresh_sqlite())
    sys.exit(0 if met else 1)
