"""Shared set-up for the benchmarks: a fresh database in a temporary folder, production-like
settings (DEBUG off), and a synthetic project."""

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DOTENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
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


def background_tasks_queued_only() -> None:
    """Background tasks (documents rendered after a commit) are recorded, not run: in
    production a worker runs them, and they are no part of the figure measured. Call after
    setup_django(), before anything is enqueued."""
    from django.test.utils import override_settings

    # Through override_settings: django-tasks reads TASKS once (when the tasks modules are
    # imported, at setup) and forgets it only on the setting_changed signal this sends.
    override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ).enable()


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2):
    """gunicorn serving the project on a free local port (DEBUG off, as in production); yields
    its base URL and the server process. The server is always stopped; its log is printed if
    anything fails meanwhile."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                GUNICORN,
                "resettlement.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--no-control-socket",  # one per user by default: benchmarks may run side by side
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "resettlement.settings"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"{base_url}/accounts/login/", server, seconds=120)
            yield base_url, server
        except Exception:
            log.flush()
            print(f"gunicorn log ({log_path}):\n{log_path.read_text(encoding='utf-8')[-3000:]}")
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
