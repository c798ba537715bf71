"""`manage.py import_geometry` of 2,000 building footprints from a GeoPackage in EPSG:4524
(CGCS2000 Gauss-Krüger zone 36, as survey offices send them), on SQLite. Target: under 10 s.

The database is fresh: migrated, one project with buildings "1#" to "2000#" and no geometry.
The command is timed as a user runs it (a subprocess: start-up, reading and reprojecting the
file, matching, validation and the write); afterwards every building must have a footprint.
Run: .venv/bin/python bench/import_geometry.py
"""

import sys
import tempfile
import time
from pathlib import Path

from common import environment, fresh_sqlite, manage, migrate, report, setup_django

BUILDINGS = 2_000
TARGET_SECONDS = 10.0


def geopackage(path: Path, codes: list[str], footprints: list[dict]) -> Path:
    """The footprints, built in WGS84 and reprojected to EPSG:4524, with a "code" column."""
    import geopandas
    from shapely.geometry import shape

    frame = geopandas.GeoDataFrame(
        {"code": codes}, geometry=[shape(footprint) for footprint in footprints], crs="EPSG:4326"
    ).to_crs("EPSG:4524")
    frame.to_file(path, layer="footprints", driver="GPKG", engine="pyogrio")
    return path


def main() -> bool:
    env = environment(fresh_sqlite())
    migrate(env)
    setup_django(env)
    import seed_buildings as seed
    from shapely.geometry import shape

    from resettlement.housing.models import Building

    project = seed.project()
    buildings = seed.buildings_add(project, BUILDINGS, footprints=False)
    path = geopackage(
        Path(tempfile.mkdtemp()) / "footprints.gpkg",
        [building.code for building in buildings],
        [seed.footprint(index) for index in range(BUILDINGS)],
    )

    start = time.perf_counter()
    result = manage("import_geometry", project.code, str(path), env=env)
    elapsed = time.perf_counter() - start
    if result.returncode:
        print(result.stderr[-2000:])
        return False
    print(result.stdout.strip())
    imported = dict(
        Building.objects.filter(project=project, footprint__isnull=False).values_list(
            "code", "footprint"
        )
    )
    got = shape(imported["1#"]).bounds if "1#" in imported else (0, 0, 0, 0)
    built = shape(seed.footprint(0)).bounds
    in_place = all(abs(a - b) < 1e-6 for a, b in zip(got, built, strict=True))
    complete = len(imported) == BUILDINGS and in_place
    print(
        f"buildings with a footprint afterwards: {len(imported):,} of {BUILDINGS:,}; "
        f"1# in place ({', '.join(f'{value:.6f}' for value in got)}): "
        f"{'OK' if complete else 'MISSED'}"
    )
    ok = report(
        f"import_geometry, {BUILDINGS:,} footprints from a GeoPackage in EPSG:4524",
        elapsed,
        "s",
        TARGET_SECONDS,
    )
    return ok and complete


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
