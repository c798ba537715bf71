"""Shared set-up for the benchmarks: a fresh database in a temporary folder, production-like
settings (DEBUG off), and a synthetic project."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DOTENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "PRIVATE_ROOT": tempfile.mkdtemp(prefix="bench-private-"),
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
        "LOG_LEVEL": "WARNING",
    }


def fresh_sqlite() -> str:
    folder = tempfile.mkdtemp(prefix="resettlement-bench-")
    return f"sqlite:///{folder}/bench.sqlite3"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def migrate(env: dict[str, str]) -> None:
    """Migrate the fresh database and collect static files, as a deployment does."""
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        result = manage(*command, env=env)
        if result.returncode:
            sys.exit(result.stderr)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "resettlement.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def report(
    name: str, value: float, unit: str, target: float, *, lower_is_better: bool = True
) -> bool:
    ok = value < target if lower_is_better else value > target
    verdict = "OK" if ok else "MISSED"
    print(f"{name}: {value:.3f} {unit} (target < {target} {unit}) {verdict}")
    return ok


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.1f} ms, "
        f"p95 {percentile(values, 0.95) * 1000:.1f} ms, n={len(values)}"
    )
