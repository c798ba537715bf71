#!/usr/bin/env bash
# The whole test suite, twice: on SQLite (the embedded default) and on PostgreSQL (production),
# each on a fresh database. Extra arguments go to pytest (e.g. -k household).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_SERVER=${PG_SERVER:-postgres://postgres@127.0.0.1:5432/postgres}
PG_TEST_URL=${PG_TEST_URL:-postgres://postgres@127.0.0.1:5432/resettlement_ci_$$}
status=0

echo "=== Test suite on SQLite ==="
DATABASE_URL="sqlite:///:memory:" $PY -m pytest -n 2 --dist loadfile "$@" || status=1

if $PY scripts/postgres-available.py "$PG_SERVER"; then
  echo "=== Test suite on PostgreSQL (${PG_TEST_URL%/*}/test_${PG_TEST_URL##*/}) ==="
  DATABASE_URL="$PG_TEST_URL" $PY -m pytest -n 2 --dist loadfile --create-db "$@" || status=1
else
  echo
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!  PostgreSQL did not answer at ${PG_SERVER}: the PostgreSQL pass was SKIPPED."
  echo "!!  Concurrency tests only run there. Start a server or set PG_SERVER / PG_TEST_URL."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi
exit $status
