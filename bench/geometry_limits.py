"""How fast the geodata upload refuses what it must not read: a 50 MB file (over the 20 MB
limit: refused by the page while it is read), a 100 MB one (over REQUEST_MAX_MB, 60: refused
with 413 before it is read) and a GeoPackage of 230,000 unmatched features (over the
20,000-feature limit). Before issue 7 all were read: a 60 MB file was accepted, and 229,999
unmatched features made a 10.9 MB page in 19 s.

A fresh SQLite database gets one project with 2 buildings and a project-team user; gunicorn
(2 workers, DEBUG off, default limits) serves it on 127.0.0.1. Each file is posted to the
project's geodata page as that user, through a real socket, 5 times; the time is from sending
the request to the whole answer, and the answer must be the refusal and a small page. The
command line is timed on the 230,000-feature file too. Target: each refusal under 2 s.
Run: .venv/bin/python bench/geometry_limits.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import environment, fresh_sqlite, gunicorn, manage, migrate, report, setup_django

USERNAME, PASSWORD = "bench-team", "bench-geodata-password"
PROJECT = "BENCH"
UPLOAD_MB = 50
BODY_MB = 100
FEATURES = 230_000
RUNS = 5
TARGET_SECONDS = 2.0


def seed() -> None:
    import seed_buildings
    from django.contrib.auth.models import Group
    from django.db import connections

    from resettlement.accounts.models import Role, User

    project = seed_buildings.project(PROJECT)
    seed_buildings.buildings_add(project, 2, footprints=False)
    user = User.objects.create_user(USERNAME, password=PASSWORD)
    user.groups.add(Group.objects.get(name=Role.PROJECT_TEAM))
    user.projects.add(project)
    connections.close_all()


def big_geojson(folder: Path, megabytes: int = UPLOAD_MB) -> Path:
    """A GeoJSON of one feature, padded to 60 MB with a long property."""
    path = folder / f"big-{megabytes}.geojson"
    head = b'{"type": "FeatureCollection", "note": "'
    tail = (
        b'", "features": [{"type": "Feature", "properties": {"code": "1#"}, '
        b'"geometry": {"type": "Point", "coordinates": [108.98, 34.23]}}]}'
    )
    path.write_bytes(head + b"x" * (megabytes * 1024 * 1024 - len(head) - len(tail)) + tail)
    return path


def many_features(folder: Path) -> Path:
    """230,000 points in Xi'an whose codes match no building, without a spatial index (the
    file stays under the size limit, so the feature limit is what refuses it)."""
    import geopandas
    import numpy
    import shapely

    x = 108.98 + (numpy.arange(FEATURES) % 500) * 1e-5
    y = 34.23 + (numpy.arange(FEATURES) // 500) * 1e-5
    frame = geopandas.GeoDataFrame(
        {"code": [f"X{n}" for n in range(FEATURES)]},
        geometry=shapely.points(x, y),
        crs="EPSG:4326",
    )
    path = folder / "many.gpkg"
    frame.to_file(path, driver="GPKG", engine="pyogrio", layer="points", SPATIAL_INDEX="NO")
    return path


def session(base_url: str):
    """A logged-in requests session; cookies are sent by hand, as they are Secure (DEBUG off)
    and requests keeps Secure cookies off plain http even on 127.0.0.1."""
    import requests

    client = requests.Session()
    client.get(f"{base_url}/accounts/login/", timeout=30)
    token = client.cookies["csrftoken"]
    answer = client.post(
        f"{base_url}/accounts/login/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/accounts/login/", "Cookie": f"csrftoken={token}"},
        allow_redirects=False,
        timeout=30,
    )
    cookies = {**client.cookies.get_dict(), **answer.cookies.get_dict()}
    if "sessionid" not in cookies:
        raise RuntimeError("logging in failed")
    return client, cookies


def post(base_url: str, client, cookies: dict, path: Path) -> tuple[float, int, str]:
    """The multipart body is built before the clock starts: only sending it and the server's
    answer are timed."""
    from urllib3 import encode_multipart_formdata

    url = f"{base_url}/projects/{PROJECT}/geodata/"
    body, content_type = encode_multipart_formdata(
        {"csrfmiddlewaretoken": cookies["csrftoken"], "file": (path.name, path.read_bytes())}
    )
    header = {
        "Content-Type": content_type,
        "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "Referer": url,
    }
    started = time.perf_counter()
    answer = client.post(url, data=body, headers=header, timeout=120)
    return time.perf_counter() - started, answer.status_code, answer.text


def main() -> bool:
    env = environment(fresh_sqlite())
    migrate(env)
    setup_django(env)
    seed()
    from maps.formats import too_large_message
    from maps.importing import ERROR_TOO_MANY_FEATURES
    from resettlement.request_check import ERROR_BODY_TOO_LARGE

    folder = Path(tempfile.mkdtemp(prefix="bench-geodata-"))
    big, huge, many = big_geojson(folder), big_geojson(folder, BODY_MB), many_features(folder)
    print(
        f"{big.name}: {big.stat().st_size / 2**20:.1f} MB; {many.name}: "
        f"{many.stat().st_size / 2**20:.1f} MB, {FEATURES:,} features"
    )
    cases = [
        (f"{UPLOAD_MB} MB upload", big, 200, too_large_message()),
        (f"{BODY_MB} MB upload", huge, 413, str(ERROR_BODY_TOO_LARGE % {"limit": 60})),
        (
            f"{FEATURES:,}-feature upload",
            many,
            200,
            str(ERROR_TOO_MANY_FEATURES % {"count": FEATURES, "limit": 20_000}),
        ),
    ]
    ok = True
    with gunicorn(env) as (base_url, _server):
        client, cookies = session(base_url)
        for name, path, expected, message in cases:
            times = []
            for _ in range(RUNS):
                elapsed, status, page = post(base_url, client, cookies, path)
                if status != expected or message not in page:
                    print(f"{name}: answer {status}, refusal missing:\n{page[:2000]}")
                    return False
                times.append(elapsed)
            print(f"  {name}: {', '.join(f'{t:.2f} s' for t in times)}; page {len(page):,} bytes")
            ok &= report(
                f"{name} refused, median of {RUNS}", statistics.median(times), "s", TARGET_SECONDS
            )
    return ok & command(env, many, cases[-1][3], folder)


def command(env: dict[str, str], many: Path, message: str, folder: Path) -> bool:
    """The command refusing the 230,000 features, against the same command on a two-feature
    file (its start-up: Django, GDAL and PROJ, and the checks of the file)."""
    import geopandas
    import shapely

    small = folder / "small.gpkg"
    geopandas.GeoDataFrame(
        {"code": ["1#", "2#"]},
        geometry=shapely.points([108.98, 108.99], [34.23, 34.24]),
        crs="EPSG:4326",
    ).to_file(small, driver="GPKG", engine="pyogrio")
    timings = {}
    for path in (small, many):
        started = time.perf_counter()
        result = manage("import_geometry", PROJECT, str(path), "--dry-run", env=env)
        timings[path] = time.perf_counter() - started
        print(f"  import_geometry {path.name}: {timings[path]:.2f} s, exit {result.returncode}")
    refused = result.returncode != 0 and message in result.stderr
    return refused and report(
        f"import_geometry of {FEATURES:,} features refused, beyond a two-feature import",
        timings[many] - timings[small],
        "s",
        TARGET_SECONDS,
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
