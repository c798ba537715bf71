"""A throw-away PostgreSQL database for the benchmarks that measure PostgreSQL behaviour (row
locks, concurrent desks, bulk writes): created on the local server, dropped at the end even when
the benchmark fails. A DATABASE_URL given on the command line is used as it is (never dropped).
"""

import contextlib
import os
import sys

SERVER = "postgres://postgres@127.0.0.1:5432"


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)


@contextlib.contextmanager
def temporary_database(name: str, database_url: str | None = None):
    """Yield a database URL: `database_url`, or a fresh resettlement_bench_<name>_<pid> that is
    dropped afterwards. Exit 0 with "SKIPPED" when the local PostgreSQL does not answer."""
    if database_url:
        yield database_url
        return
    import psycopg

    database = f"resettlement_bench_{name}_{os.getpid()}"
    try:
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
    except psycopg.OperationalError as error:
        print("=" * 72)
        print(f"SKIPPED: PostgreSQL at {SERVER} does not answer: {' '.join(str(error).split())}")
        print("=" * 72)
        sys.exit(0)
    try:
        yield f"{SERVER}/{database}"
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
