"""Performance as people meet it: the demo served by gunicorn (2 sync workers, DEBUG off, the
README's production settings: PostgreSQL, Redis as the shared cache) under a bounded load from
wrk on 127.0.0.1, each endpoint beside a ceiling measured in the same run: GET /healthz, a
trivial view of the project itself (one SELECT 1, one cache write and read).

For every endpoint it prints req/s, p50 and p99 latency and the ratio of its req/s to the
ceiling's, the median of ROUNDS rounds. Rounds interleave: each runs the ceiling, every
endpoint, then the ceiling again, so a machine busier in one part of the run weighs on both.
The ratios are the targets (machine-independent); the absolute figures are this machine's.
The household status page (/my/, signed in as a household of the demo's selection day) has a
p99 target besides (under 100 ms), and its in-process time is shown twice: as served (its
record kept HOUSEHOLD_STATUS_SECONDS) and with its record read on every request.

Then the selection desk's real confirm request, served (a clerk's htmx POST: the confirmation
and the re-rendered panel), sequentially on a desk of the demo's selection day, beside the
ceiling's latency one request at a time; and the first PDF a fresh worker renders and a
worker's memory after 20 PDFs.

A fresh PostgreSQL database resettlement_bench_served_<pid> is created, migrated, loaded with
the demo (`load_demo --allow-production`) and dropped at the end (SKIPPED if PostgreSQL does not
answer). Redis database 13 holds the cache and is flushed first (locmem if Redis does not
answer: then each worker has its own).

A database given on the command line is used as it is (the demo loaded if missing); give its
PRIVATE_ROOT and MEDIA_ROOT in the environment if it was loaded elsewhere.

Run: .venv/bin/python bench/served.py [--duration 10] [--rounds 3] [--only NAME ...]
     [--profile NAME ...]   (cProfile of NAME's view in this process, the top 25 functions)
"""

import argparse
import cProfile
import http.client
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from common import environment, gunicorn, manage, migrate, percentile, setup_django
from postgres import temporary_database

REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "yanta-demo-2026"  # noqa: S105 (the demo's published one: resettlement/demo/scenario.py)
CONNECTIONS, THREADS = 32, 2
CONFIRMS = 20
FILE_ROOTS = ("PRIVATE_ROOT", "MEDIA_ROOT")
PDFS = 20
MEMORY_TARGET_MIB = 250
FIRST_PDF_TARGET_S = 0.5


@dataclass
class Endpoint:
    name: str
    label: str
    path: str
    role: str | None  # signed in as this demo user, or anonymous
    target: float | None  # the least ratio to the ceiling's req/s
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    p99_target_ms: float | None = None


# The demo household whose status page is measured (role HOUSEHOLD): its sign-in at /my/.
HOUSEHOLD = "household"
household_credentials: dict[str, str] = {}


@dataclass
class Figure:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int


class Browser:
    """A cookie-keeping HTTP client for one person on the local server, redirects not
    followed (the production cookies are Secure: kept here by hand, as a browser on a trusted
    origin does)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        data = {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        }
        status, _headers, _body = self.request("POST", "/accounts/login/", data)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username} failed ({status})")

    def household_sign_in(self) -> None:
        """As a household signs in at /my/: agreement number and ID suffix."""
        self.request("GET", "/my/")
        data = {**household_credentials, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        status, _headers, _body = self.request("POST", "/my/", data)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"the household's sign-in at /my/ failed ({status})")


def signed_in_client(endpoint: "Endpoint"):
    """Django's test client, signed in as the endpoint's role, for in-process figures."""
    from django.test import Client

    from resettlement.accounts.models import User

    client = Client(headers=endpoint.headers)
    if endpoint.role == HOUSEHOLD:
        if client.post("/my/", household_credentials).status_code != 302:
            raise RuntimeError("the household's sign-in at /my/ failed in-process")
    elif endpoint.role:
        client.force_login(User.objects.get(username=endpoint.role))
    return client


def endpoints(base_url: str) -> list[Endpoint]:
    """The endpoints of the issue, on the demo's own rows (looked up through the ORM)."""
    from resettlement.households.models import Household
    from resettlement.lottery.models import Lottery
    from resettlement.selection.models import SelectionEvent

    household = (
        Household.objects.filter(project__code="ZHZ", members__isnull=False).order_by("pk").first()
    )
    # A household of the demo's selection day that chose its flats: its page shows the most.
    chosen = (
        Household.objects.filter(project__code="ZHZ", selections__isnull=False)
        .select_related("project")
        .order_by("pk")
        .first()
    )
    household_credentials.update(
        project=chosen.project.code,
        agreement_no=chosen.agreement_no,
        id_suffix=chosen.head_id_number[-6:],
    )
    lottery = Lottery.objects.filter(public_token__isnull=False).order_by("pk").first()
    event = SelectionEvent.objects.filter(project__code="ZHZ").order_by("pk").first()
    clerk = Browser(base_url)
    clerk.login("clerk")
    status, headers, _body = clerk.request("POST", f"/selection/{event.pk}/board/", {})
    if status != 302:
        raise RuntimeError(f"opening the board failed ({status})")
    board_data = headers["Location"].rstrip("/") + "/data/"
    status, headers, _body = Browser(base_url).request("GET", board_data)
    etag = headers["ETag"]
    return [
        Endpoint(
            "api",
            "household API, page of 50",
            "/api/v1/households/?page_size=50",
            "supervisor",
            1 / 5,
        ),
        Endpoint(
            "detail", "household detail page", f"/households/{household.pk}/", "supervisor", 1 / 5
        ),
        Endpoint("dashboard", "project dashboard", "/projects/ZHZ/", "supervisor", 1 / 5),
        Endpoint("geojson", "building GeoJSON", "/api/v1/geo/buildings/", "supervisor", 1 / 4),
        Endpoint("board", "board data, full answer", board_data, None, 1 / 6),
        Endpoint(
            "board304",
            "board data, 304 Not Modified",
            board_data,
            None,
            1 / 2,
            {"If-None-Match": etag},
            304,
        ),
        Endpoint("login", "login page", "/accounts/login/", None, 1 / 2),
        Endpoint(
            "my",
            "household status page (/my/)",
            "/my/",
            HOUSEHOLD,
            0.4,
            p99_target_ms=100,
        ),
        Endpoint(
            "notice",
            "lottery public notice page",
            f"/notices/lotteries/{lottery.public_token}/",
            None,
            1 / 2,
        ),
    ]


CEILING = Endpoint("healthz", "ceiling: GET /healthz", "/healthz", None, None)

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(base_url: str, endpoint: Endpoint, cookies: str, seconds: int) -> Figure:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    headers = {"Host": "127.0.0.1", **endpoint.headers}
    if cookies:
        headers["Cookie"] = cookies
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, base_url + endpoint.path], capture_output=True, text=True, check=True
    ).stdout
    latency = dict(re.findall(r"^\s*(50|99)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.MULTILINE))
    if set(latency) != {"50", "99"} or "Requests/sec" not in output:
        raise RuntimeError(f"wrk's output was not understood:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Figure(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_milliseconds(latency["50"]),
        p99_ms=_milliseconds(latency["99"]),
        errors=errors,
    )


def check(browser: Browser, endpoint: Endpoint) -> None:
    """One request first: the endpoint answers as expected (a benchmark of an error page
    measures nothing)."""
    status, _headers, _body = browser.request("GET", endpoint.path, headers=endpoint.headers)
    if status != endpoint.status:
        raise RuntimeError(f"{endpoint.path} answered {status}, not {endpoint.status}")


def load(base_url: str, chosen: list[Endpoint], rounds: int, seconds: int) -> dict:
    browsers = {None: Browser(base_url)}
    for endpoint in chosen:
        if endpoint.role not in browsers:
            browsers[endpoint.role] = Browser(base_url)
            if endpoint.role == HOUSEHOLD:
                browsers[endpoint.role].household_sign_in()
            else:
                browsers[endpoint.role].login(endpoint.role)
    for endpoint in [CEILING, *chosen]:
        check(browsers[endpoint.role], endpoint)
        for _ in range(20):  # warm: each worker has its connections, caches and templates
            browsers[endpoint.role].request("GET", endpoint.path, headers=endpoint.headers)
    figures: dict[str, list[Figure]] = {endpoint.name: [] for endpoint in [CEILING, *chosen]}
    for number in range(1, rounds + 1):
        for endpoint in [CEILING, *chosen, CEILING]:
            cookies = browsers[endpoint.role].cookie_header() if endpoint.role else ""
            figure = wrk(base_url, endpoint, cookies, seconds)
            figures[endpoint.name].append(figure)
            print(
                f"  round {number}: {endpoint.name:10} {figure.rate:8.1f} req/s  "
                f"p50 {figure.p50_ms:7.2f} ms  p99 {figure.p99_ms:7.2f} ms"
                + (f"  {figure.errors} errors" if figure.errors else ""),
                flush=True,
            )
    return figures


def in_process(endpoint: Endpoint, requests: int = 50) -> float:
    """Median milliseconds of the endpoint through Django's test client in this process, one
    request at a time (what the other benchmarks measure), for the table beside the served."""
    client = signed_in_client(endpoint)
    for _ in range(10):
        client.get(endpoint.path)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(endpoint.path)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def summarise(chosen: list[Endpoint], figures: dict) -> bool:
    ceiling = statistics.median(figure.rate for figure in figures[CEILING.name])
    print()
    print(
        f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>8} {'target':>8}"
        f"        {'in-process ms':>13}"
    )
    ok = True
    for endpoint in [CEILING, *chosen]:
        runs = figures[endpoint.name]
        rate = statistics.median(figure.rate for figure in runs)
        p50 = statistics.median(figure.p50_ms for figure in runs)
        p99 = statistics.median(figure.p99_ms for figure in runs)
        errors = sum(figure.errors for figure in runs)
        ratio = rate / ceiling
        shown = "1/" + format(1 / ratio, ".1f")
        line = f"{endpoint.label:34} {rate:8.1f} {p50:8.2f} {p99:8.2f} {shown:>8}"
        if endpoint.target is not None:
            met = ratio >= endpoint.target and not errors
            if endpoint.p99_target_ms is not None:
                met &= p99 < endpoint.p99_target_ms
            ok &= met
            line += f" {'1/' + format(1 / endpoint.target, '.2g'):>8} {'OK' if met else 'MISSED':6}"
        else:
            line += " " * 16
        line += f" {in_process(endpoint):13.2f}"
        if errors:
            line += f"  ({errors} failed requests)"
        if endpoint.p99_target_ms is not None:
            line += f"  (p99 target < {endpoint.p99_target_ms:.0f} ms)"
        print(line, flush=True)
        if endpoint.role == HOUSEHOLD:
            from django.test import override_settings

            with override_settings(HOUSEHOLD_STATUS_SECONDS=0):
                built = in_process(endpoint)
            print(
                f"{'  … its record read on every request':34} {'':>8} {'':>8} {'':>8}"
                f" {'':>8} {'':>16} {built:13.2f}",
                flush=True,
            )
    return ok


def confirmations(base_url: str) -> list[int]:
    """The clerk's real confirm request at desk 1 of the demo's selection day: call, present
    and lock the first flat offered (untimed), then confirm (timed: the htmx POST that confirms
    and answers with the re-rendered panel)."""
    from resettlement.selection.models import SelectionEvent

    event = SelectionEvent.objects.filter(project__code="ZHZ").order_by("pk").first()
    clerk = Browser(base_url)
    clerk.login("clerk")
    desk = f"/selection/{event.pk}/desks/1"
    clerk.request("GET", f"{desk}/")
    htmx = {"HX-Request": "true"}
    times, ceiling, selections = [], [], []
    for _ in range(CONFIRMS):
        for step in ("call", "present"):
            clerk.request("POST", f"{desk}/{step}/", {}, htmx)
        _status, _headers, panel = clerk.request("GET", f"{desk}/", headers=htmx)
        offered = re.search(rb'name="flats" value="(\d+)"', panel)
        if offered is None:
            raise RuntimeError("no flat offered at desk 1")
        clerk.request("POST", f"{desk}/hold/", {"flats": offered.group(1).decode()}, htmx)
        start = time.perf_counter()
        status, _headers, body = clerk.request(
            "POST", f"{desk}/confirm/", {"idempotency_key": str(uuid.uuid4())}, htmx
        )
        times.append(time.perf_counter() - start)
        printed = re.search(rb"/selections/(\d+)/confirmation.pdf", body)
        if status != 200 or printed is None:
            raise RuntimeError(f"the confirmation failed ({status})")
        selections.append(int(printed.group(1)))
        start = time.perf_counter()
        clerk.request("GET", CEILING.path)
        ceiling.append(time.perf_counter() - start)
    print()
    print(
        f"desk's confirm request, served, {CONFIRMS} in a row: median "
        f"{statistics.median(times) * 1000:.1f} ms, p95 {percentile(times, 0.95) * 1000:.1f} ms "
        f"(ceiling one at a time: median {statistics.median(ceiling) * 1000:.1f} ms)"
    )
    return selections


def worker_memory(master: int) -> list[float]:
    """Resident memory (MiB) of each gunicorn worker: the children of its master process."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:  # the process ended meanwhile
            continue
        if int(fields["PPid"]) == master and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def papers(env: dict[str, str], selections: list[int]) -> bool:
    """A fresh server: how long its first PDF takes (the 选房确认书 of a selection just
    confirmed, which no worker has rendered yet: rendered and stored in the request), then its
    workers' memory after PDFS such PDFs."""
    with gunicorn(env) as (base_url, server):
        clerk = Browser(base_url)
        clerk.login("clerk")
        booted = worker_memory(server.pid)
        times = []
        for pk in selections[:PDFS]:
            start = time.perf_counter()
            status, _headers, body = clerk.request("GET", f"/selections/{pk}/confirmation.pdf")
            times.append(time.perf_counter() - start)
            if status != 200 or not body.startswith(b"%PDF"):
                raise RuntimeError(f"confirmation {pk} answered {status}")
        after = worker_memory(server.pid)
    print()
    print(
        f"first PDF of a fresh server: {times[0]:.2f} s (the next: median "
        f"{statistics.median(times[1:]):.2f} s) (target < {FIRST_PDF_TARGET_S} s) "
        + ("OK" if times[0] < FIRST_PDF_TARGET_S else "MISSED")
    )
    print(
        f"workers' memory: {', '.join(f'{size:.0f}' for size in booted)} MiB once booted, "
        f"{', '.join(f'{size:.0f}' for size in after)} MiB after {len(times)} PDFs "
        f"(target < {MEMORY_TARGET_MIB} MiB) "
        + ("OK" if max(after) < MEMORY_TARGET_MIB else "MISSED")
    )
    return times[0] < FIRST_PDF_TARGET_S and max(after) < MEMORY_TARGET_MIB


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", action="append", help="an endpoint's name (api, detail, …)")
    parser.add_argument("--profile", action="append", default=[], help="profile this endpoint")
    parser.add_argument("database_url", nargs="?")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: run `make system-packages` (Debian's package wrk).")

    with temporary_database("served", arguments.database_url) as database_url:
        env = environment(database_url)
        env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
        if arguments.database_url:  # its stored files are where it was loaded, if named here
            env.update({name: os.environ[name] for name in FILE_ROOTS if name in os.environ})
        if _redis_answers():
            env["REDIS_URL"] = REDIS_URL
        started = time.perf_counter()
        migrate(env)
        print(f"migrated and static files collected in {time.perf_counter() - started:.0f} s")
        setup_django(env)
        from resettlement.projects.models import Project

        if not Project.objects.exists():  # a database given on the command line may have it
            started = time.perf_counter()
            result = manage("load_demo", "--allow-production", env=env)
            if result.returncode:
                sys.exit(result.stderr[-3000:])
            print(f"demo loaded in {time.perf_counter() - started:.0f} s")
        print(
            f"cache: {'Redis' if 'REDIS_URL' in env else 'locmem (Redis does not answer)'}; "
            f"wrk -t{THREADS} -c{CONNECTIONS} -d{arguments.duration}s, {arguments.rounds} rounds",
            flush=True,
        )
        with gunicorn(env) as (base_url, _server):
            chosen = endpoints(base_url)
            if arguments.only:
                chosen = [endpoint for endpoint in chosen if endpoint.name in arguments.only]
            figures = load(base_url, chosen, arguments.rounds, arguments.duration)
            ok = summarise(chosen, figures)
            selections = [] if arguments.only else confirmations(base_url)
            everything = (
                {e.name: e for e in [CEILING, *endpoints(base_url)]} if arguments.profile else {}
            )
        if selections:
            ok &= papers(env, selections)
        for name in arguments.profile:
            profile(everything[name])
    return ok


def profile(endpoint: Endpoint, requests: int = 200) -> None:
    """Where an endpoint's time goes: cProfile over `requests` warm requests through Django's
    test client in this process (the same settings and database as the server)."""
    client = signed_in_client(endpoint)
    for _ in range(20):
        client.get(endpoint.path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(endpoint.path)
    profiler.disable()
    each = (time.perf_counter() - started) / requests * 1000
    print(f"\n== profile of {endpoint.label}: {each:.2f} ms per request in-process (profiled)")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    print(text.getvalue())


def _redis_answers() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()
        return True
    except redis.RedisError:
        return False


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
