"""The household import of a 20,000-row register (20,000 households and 20,000 members) with full
validation, as the background task runs it: read, check, write.

Target (issue 8): under 15 s in all, on SQLite and on PostgreSQL. The database is fresh: migrated,
one project, no households. The figure is the whole import; the time to the write and the write
itself are printed beside it.
Run: .venv/bin/python bench/import_households.py [ROWS] [DATABASE_URL | postgres]
(SQLite by default; `postgres` for a throw-away PostgreSQL database on the local server.)
"""

import io
import sys
import time

from common import environment, fresh_sqlite, migrate, report, setup_django
from postgres import temporary_database

TARGET_SECONDS = 15.0


def main(database_url: str, rows: int) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    from synthetic import household_workbook

    from resettlement.imports.registers import households_import
    from resettlement.progress.setup import project_create
    from resettlement.projects.models import District, StreetOffice, Village

    district = District.objects.create(code="610113", name="雁塔区")
    office = StreetOffice.objects.create(district=district, code="BENCH", name="基准街道")
    villages = [
        Village.objects.create(street_office=office, code=f"BV{i}", name=f"基准{i}村")
        for i in range(4)
    ]
    project = project_create(code="BENCH", name="基准项目", street_office=office, villages=villages)
    content = household_workbook(rows, [v.name for v in villages], members_per_household=1)

    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        stages.setdefault(stage, time.perf_counter())

    start = time.perf_counter()
    result = households_import(
        project=project, file=io.BytesIO(content), filename="register.xlsx", progress=progress
    )
    elapsed = time.perf_counter() - start
    if not result.ok:
        print("\n".join(str(error) for error in result.errors[:10]))
        return False
    writing = stages.get("writing", start + elapsed) - start
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(
        f"{backend}: {result.created:,} households imported; read and checked in {writing:.1f} s, "
        f"written in {elapsed - writing:.1f} s"
    )
    return report(
        f"import of {rows:,} households + {rows:,} members ({backend})",
        elapsed,
        "s",
        TARGET_SECONDS,
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    count = next((int(a) for a in arguments if a.isdigit()), 20_000)
    database = next((a for a in arguments if not a.isdigit()), None)
    if database == "postgres":
        with temporary_database("import_households") as url:
            met = main(url, count)
    else:
        met = main(database or fresh_sqlite(), count)
    sys.exit(0 if met else 1)
