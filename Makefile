# Two commands do all set-up on a fresh machine with Python 3.11:
#   make run   — create .venv, install, migrate SQLite, load the demo, serve http://127.0.0.1:8000/ (and run the job worker)
#   make test  — create .venv if needed and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint format messages check clean mutation prod-check

$(DEPS): requirements/base.txt requirements/production.txt requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $(DEPS)

setup: $(DEPS)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo

# The background-job worker (imports, notification e-mail and SMS, the tender clock) runs beside the
# web server and stops with it: Ctrl+C reaches both (the worker finishes the job in hand first);
# if the server ends otherwise, the worker gets one SIGTERM. Restart `make run` to give the worker
# new code (it does not reload: a reload would cut the job in hand).
run: setup
	$(PY) manage.py jobs_worker --queue-name='*' --no-reload & worker=$$!; \
	trap 'wait $$worker' INT; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# One pytest worker per core (pytest-xdist); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto

# Tests marked serial time themselves under load (500 sockets through a Redis restart): they run
# alone afterwards. Exit 5 (nothing collected) fails either run. On PostgreSQL the test database is
# migrated once per run (TEST_DB_RUN, a new id each time) and each worker and the serial run start
# from a copy of it (tests/testdb.py); the template is dropped at the end, failed or not.
# Default distribution (--dist load): each worker keeps pytest-django's order, every transactional
# test after the others, so no flush wipes the page tree under a test that expects the migrated one
# (--dist loadfile broke that order: 38 tests lost their site tree in CI).
# The 25 slowest tests are listed at the end of each run, so CI's log says where the time goes.
test: $(DEPS)
	export TEST_DB_RUN=$$$$; status=0; \
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not serial" --durations=25 || status=$$?; \
	if [ $$status = 0 ]; then $(PY) -m pytest -m serial || status=$$?; fi; \
	$(PY) -m tests.testdb drop "$$TEST_DB_RUN"; \
	exit $$status

lint: $(DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) manage.py makemigrations --check --dry-run

# Mutation testing of the figures' calculations and the seal (tests/mutation/targets.toml); only
# targets whose module, tests or tool changed since results.json was written are run again.
mutation: $(DEPS)
	$(PY) -m tests.mutation.run

# Production as deployed (issue 13): nginx, two app nodes (gunicorn + uvicorn), PostgreSQL, Redis,
# the task worker and the object store, brought up from the files in deploy/ on loopback ports and
# checked through nginx; then backup and restore. tests/prodcheck/README.md says what it checks.
prod-check: $(DEPS)
	$(PY) -m tests.prodcheck

format: $(DEPS)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Translations: English message ids, Simplified Chinese catalogue in locale/zh_Hans.
messages: $(DEPS)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=static --no-obsolete
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm static
