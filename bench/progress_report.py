"""The leadership report (issue 11 §Numbers): the PDF and the workbook, each, for 50,000
households, 500 buildings and two years of milestone history, in under 20 s on SQLite and on
PostgreSQL; and the JSON endpoint for the demo in under 300 ms.

A throw-away database gets one project of four villages with 500 buildings (footprints, about
40,000 flats, the 19-node template at varied progress: bench/seed_buildings.py) and 50,000
households (bench/seed_selection.py), written in bulk. Their history is then written as the
services would have written it over two years: each milestone one row a month from its creation
(its percent as of that month), each household a row when registered, signed and (for 30 %) when
it chose its flats, each flat a row when created and (5 %) when chosen. The figures are then
read as of today, and the PDF and the workbook timed separately (each includes reading the
figures, as `export_progress` does).

The JSON endpoint is timed on the demo (`load_demo`), served in-process to a signed-in leader:
median and p95 of 20 requests.

Run: .venv/bin/python bench/progress_report.py [postgres]
"""

import datetime
import statistics
import sys
import time
from pathlib import Path

from common import environment, fresh_sqlite, migrate, percentile, report, setup_django
from postgres import temporary_database

HOUSEHOLDS = 50_000
BUILDINGS = 500
MONTHS = 24
TARGET_SECONDS = 20.0
TARGET_ENDPOINT_S = 0.3


def history_rows(model, objects, versions):
    """Historical rows of `objects`: `versions(obj)` yields (date, {field: value}) changes."""
    history = model.history.model
    fields = [field.attname for field in model._meta.fields]
    rows = []
    for obj in objects:
        values = {name: getattr(obj, name) for name in fields}
        first = True
        for when, changes in versions(obj):
            values.update(changes)
            moment = datetime.datetime.combine(when, datetime.time(10), tzinfo=datetime.UTC)
            rows.append(history(**values, history_date=moment, history_type="+" if first else "~"))
            first = False
    history.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def seed() -> dict[str, int]:
    import seed_buildings
    import seed_selection
    from django.utils import timezone

    from resettlement.households.models import Household, HouseholdStatus
    from resettlement.housing.models import Building, Flat, FlatStatus
    from resettlement.progress.models import BuildingMilestone

    today = timezone.localdate()
    start = today - datetime.timedelta(days=30 * MONTHS)
    project = seed_buildings.project("RPT", "基准组团")
    buildings = seed_buildings.buildings_add(project, BUILDINGS)
    seed_buildings.flats_add(buildings)
    seed_buildings.progress_vary(buildings)
    seed_selection.households_add(project, HOUSEHOLDS)
    counts = {}
    counts["buildings"] = history_rows(
        Building, Building.objects.filter(project=project), lambda b: [(start, {})]
    )

    def milestone_versions(node):
        month = start
        while month <= today:
            if node.actual_finish and node.actual_finish <= month:
                percent = 100
            elif node.actual_start and node.actual_start <= month:
                percent = min(node.percent or 50, 90)
            else:
                percent = 0
            yield (
                month,
                {
                    "percent": percent,
                    "actual_start": node.actual_start if percent else None,
                    "actual_finish": node.actual_finish if percent == 100 else None,
                },
            )
            month += datetime.timedelta(days=30)

    counts["milestones"] = history_rows(
        BuildingMilestone,
        BuildingMilestone.objects.filter(building__project=project),
        milestone_versions,
    )

    def household_versions(household):
        yield start, {"status": HouseholdStatus.REGISTERED}
        yield (
            start + datetime.timedelta(days=household.pk % 300),
            {"status": HouseholdStatus.SIGNED},
        )
        if household.pk % 10 < 3:
            chosen = today - datetime.timedelta(days=household.pk % 120)
            yield chosen, {"status": HouseholdStatus.ALLOCATED}

    households = Household.objects.filter(project=project)
    counts["households"] = history_rows(Household, households, household_versions)
    chosen_ids = [pk for pk in households.values_list("pk", flat=True) if pk % 10 < 3]
    Household.objects.filter(pk__in=chosen_ids).update(status=HouseholdStatus.ALLOCATED)

    def flat_versions(flat):
        yield start, {"status": FlatStatus.AVAILABLE}
        if flat.status == FlatStatus.SELECTED:
            yield today - datetime.timedelta(days=flat.pk % 120), {"status": FlatStatus.SELECTED}

    counts["flats"] = history_rows(
        Flat, Flat.objects.filter(building__project=project), flat_versions
    )
    return counts


def time_report(kind: str) -> tuple[float, int, int]:
    """(seconds, bytes, queries) for one report of every project as of today."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from resettlement.projects.models import Project
    from resettlement.reports.figures import progress_figures
    from resettlement.reports.pdf import progress_pdf
    from resettlement.reports.workbook import progress_workbook

    write = progress_pdf if kind == "pdf" else progress_workbook
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        figures = progress_figures(Project.objects.all(), timezone.localdate())
        content = write(figures, scope="基准组团")
    return time.perf_counter() - started, len(content), len(queries)


def endpoint_on_demo(env: dict) -> list[float]:
    """Seconds per request of the JSON endpoint on a fresh SQLite demo, signed in as leader."""
    import subprocess

    from common import PYTHON, ROOT

    demo_env = {**env, "DATABASE_URL": fresh_sqlite(), "DEBUG": "true"}
    for command in (("migrate", "--noinput"), ("load_demo",)):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=demo_env, check=True, capture_output=True
        )
    script = (
        "import time, statistics\n"
        "from django.test import Client\n"
        "from resettlement.accounts.models import User\n"
        "client = Client(); client.force_login(User.objects.get(username='leader'))\n"
        "client.get('/api/v1/reports/progress/')\n"
        "times = []\n"
        "for _ in range(20):\n"
        "    start = time.perf_counter(); response = client.get('/api/v1/reports/progress/')\n"
        "    assert response.status_code == 200, response.status_code\n"
        "    times.append(time.perf_counter() - start)\n"
        "print(' '.join(f'{t:.4f}' for t in times))\n"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=demo_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [float(value) for value in result.stdout.split()[-20:]]


def main() -> int:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    results = []
    with temporary_database("report", None) if backend == "postgres" else _sqlite() as url:
        env = environment(url)
        migrate(env)
        setup_django(env)
        print(
            f"Seeding {HOUSEHOLDS:,} households, {BUILDINGS} buildings, {MONTHS} months of history…"
        )
        started = time.perf_counter()
        counts = seed()
        print(f"  seeded in {time.perf_counter() - started:.0f} s; history rows: {counts}")
        for kind in ("pdf", "xlsx"):
            seconds, size, queries = time_report(kind)
            print(f"  {kind}: {size / 1_000_000:.1f} MB, {queries} queries")
            results.append(report(f"report as {kind} ({backend})", seconds, "s", TARGET_SECONDS))
        times = endpoint_on_demo(env)
        print(
            f"JSON endpoint on the demo (in-process, signed in as leader): "
            f"median {statistics.median(times) * 1000:.0f} ms"
        )
        results.append(
            report("JSON endpoint, demo, p95", percentile(times, 0.95), "s", TARGET_ENDPOINT_S)
        )
    return 0 if all(results) else 1


class _sqlite:
    def __enter__(self) -> str:
        return fresh_sqlite()

    def __exit__(self, *exc) -> None:
        return None


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
