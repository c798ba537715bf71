"""What an app server process (a gunicorn worker importing resettlement.wsgi) carries once it
has served its first page: its PDF renderer warm, and not the GIS and charting libraries that
only a geodata import, export or a report uses (geopandas, pandas, pyogrio, pyproj and
matplotlib weigh some 100 MiB per process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys, time
started = time.perf_counter()
from resettlement import wsgi
booted = time.perf_counter() - started
from django.test import Client
Client().get("/accounts/login/")
from resettlement.documents import render_pdf
started = time.perf_counter()
render_pdf("documents/warm_up.html", {"qr": ""})
first = time.perf_counter() - started
heavy = ["pandas", "geopandas", "pyogrio", "pyproj", "matplotlib"]
print(json.dumps({"loaded": [name for name in heavy if name in sys.modules],
                  "weasyprint": "weasyprint" in sys.modules, "first_pdf": first}))
"""


def _probe(**environment) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "resettlement.settings",
        "DATABASE_URL": "sqlite:///:memory:",
        "DEBUG": "true",
        "DOTENV_FILE": "",
        "ALLOWED_HOSTS": "testserver",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_served_page_loads_no_gis_or_charting_library():
    assert _probe(PDF_WARM_UP="false")["loaded"] == []


def test_the_pdf_renderer_is_warm_when_the_server_starts():
    warm = _probe(PDF_WARM_UP="true")
    assert warm["loaded"] == []
    cold = _probe(PDF_WARM_UP="false")
    # Fonts and WeasyPrint loaded at start: the first paper takes what any later one does.
    assert warm["first_pdf"] < cold["first_pdf"] / 2
