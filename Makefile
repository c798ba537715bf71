# 回迁安置管理系统 — everything a fresh Debian/Ubuntu machine needs, from Python, make and apt.
#   make run    set up, load the demo data, serve http://127.0.0.1:8000 on SQLite, with one
#               background worker beside the server (bulk printing, stored documents)
#   make worker run one background worker (TASKS_BACKEND: database by default, or rq)
#   make test   set up, lint, run the whole suite on SQLite and on PostgreSQL
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PY)

.PHONY: setup system-packages venv fonts migrate demo run worker test test-fast lint format messages bench bench-served clean

setup: system-packages venv fonts .env migrate

system-packages:
	@scripts/install-system-packages.sh

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

venv: $(UV)
	$(UV) sync --locked --inexact --quiet

# The papers' cut of Noto Sans CJK (resettlement/fonts.py): PDFs 2-3 times smaller and faster.
fonts: system-packages venv
	DEBUG=true $(PY) manage.py build_paper_fonts

.env:
	$(PY) scripts/write-dotenv.py

migrate: venv .env
	$(PY) manage.py migrate --noinput

demo: setup
	$(PY) manage.py load_demo

# One worker runs in the background beside the server and is stopped with it (Ctrl-C).
run: demo
	@echo "Serving http://127.0.0.1:8000 with one background worker (stop with Ctrl-C)"
	@$(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Background tasks (bulk printing, stored documents, large imports) wait for a worker: in the
# database (TASKS_BACKEND=database, the default) or in Redis (TASKS_BACKEND=rq, REDIS_URL).
# Start as many as wanted, on any machine that reaches the database (and Redis).
worker: setup
	$(PY) manage.py run_worker

test: system-packages venv fonts lint
	scripts/test.sh

test-fast: venv
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest -n 2 -m "not browser"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true DOTENV_FILE= $(PY) manage.py makemigrations --check --dry-run
	DEBUG=true DOTENV_FILE= $(PY) -m mypy

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: venv
	DEBUG=true $(PY) manage.py makemessages --locale zh_Hans --ignore ".venv/*" --ignore "bench/*" --ignore "tests/*" --no-obsolete
	DEBUG=true $(PY) manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

bench: venv
	$(PY) bench/run_all.py

# Served as people meet it (issue 12): gunicorn, PostgreSQL, Redis, the demo, wrk; every
# endpoint's req/s beside the /healthz ceiling of the same run, its ratio and target.
bench-served: system-packages venv fonts
	$(PY) bench/served.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
