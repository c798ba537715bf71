"""`manage.py import_households` of a 10,000-row register with full validation, on SQLite.

Target (issue 2): under 15 s. The register also has a members sheet (2 per household, so
20,000 more validated rows), and the database is fresh: migrated, one project, no households.
Run: .venv/bin/python bench/import_households.py [ROWS]
"""

import sys
import tempfile
import time
from pathlib import Path

from common import environment, fresh_sqlite, manage, migrate, report, setup_django

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
TARGET_SECONDS = 15.0


def main() -> bool:
    env = environment(fresh_sqlite())
    migrate(env)
    setup_django(env)
    from synthetic import household_workbook

    from resettlement.projects.models import District, StreetOffice, Village
    from resettlement.projects.services import project_create

    district = District.objects.create(code="610113", name="雁塔区")
    office = StreetOffice.objects.create(district=district, code="BENCH", name="基准街道")
    villages = [
        Village.objects.create(street_office=office, code=f"BV{i}", name=f"基准{i}村")
        for i in range(4)
    ]
    project_create(code="BENCH", name="基准项目", street_office=office, villages=villages)
    path = Path(tempfile.mkdtemp()) / "register.xlsx"
    path.write_bytes(household_workbook(ROWS, [v.name for v in villages]))

    start = time.perf_counter()
    result = manage("import_households", "BENCH", str(path), env=env)
    elapsed = time.perf_counter() - start
    if result.returncode:
        print(result.stderr[-2000:])
        return False
    print(result.stdout.strip())
    return report(
        f"import_households, {ROWS:,} households + {2 * ROWS:,} members",
        elapsed,
        "s",
        TARGET_SECONDS,
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
