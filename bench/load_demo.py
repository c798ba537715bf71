"""`manage.py load_demo` on an empty (migrated) SQLite database. Target (issue 2): under 60 s.
Run: .venv/bin/python bench/load_demo.py
"""

import sys
import time

from common import environment, fresh_sqlite, manage, migrate, report

TARGET_SECONDS = 60.0


def main() -> bool:
    env = {**environment(fresh_sqlite()), "DEBUG": "true"}
    migrate(env)
    start = time.perf_counter()
    result = manage("load_demo", env=env)
    elapsed = time.perf_counter() - start
    if result.returncode:
        print(result.stderr[-2000:])
        return False
    print("\n".join(result.stdout.splitlines()[:2]))
    return report("load_demo on an empty SQLite database", elapsed, "s", TARGET_SECONDS)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
