"""Run every benchmark; each prints its figure next to its target. Exit 1 if any misses."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "import_households.py",
    "load_demo.py",
    "household_list.py",
    "geojson.py",
    "import_geometry.py",
    "map_page.py",
]

failed = []
for bench in BENCHES:
    print(f"== {bench}")
    if subprocess.run([sys.executable, str(HERE / bench)], cwd=HERE, check=False).returncode:
        failed.append(bench)
print("all targets met" if not failed else f"missed: {', '.join(failed)}")
sys.exit(1 if failed else 0)
