"""Run every benchmark; each prints its figure next to its target. Exit 1 if any misses.

An entry may carry arguments after the script's name ("board.py postgres": the board on a
throw-away PostgreSQL database as well as on SQLite)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "import_households.py",
    "import_households.py postgres",
    "register_readers.py",
    "import_limits.py",
    "load_demo.py",
    "household_list.py",
    "household_list.py postgres",
    "district_scale.py",
    "geojson.py",
    "geojson.py postgres",
    "import_geometry.py",
    "geometry_limits.py",
    "map_page.py",
    "lottery.py",
    "confirmation.py",
    "board.py",
    "board.py postgres",
    "notice.py postgres",
    "handover_printing.py",
    "progress_report.py",
    "progress_report.py postgres",
    "household_sign_in.py",
    "household_sign_in.py postgres",
]

failed = []
for bench in BENCHES:
    print(f"== {bench}")
    script, *arguments = bench.split()
    command = [sys.executable, str(HERE / script), *arguments]
    if subprocess.run(command, cwd=HERE, check=False).returncode:
        failed.append(bench)
print("all targets met" if not failed else f"missed: {', '.join(failed)}")
sys.exit(1 if failed else 0)
