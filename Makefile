# The commands people type. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test faults load soak install lint format check bench messages icons backup restore clean
SCALE ?= 10

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Serve the app at http://127.0.0.1:8000 (SQLite and in-process tasks unless
## DATABASE_URL / REDIS_URL are set). Seeds the demo data into an empty database.
run: export DEBUG ?= true
run: install
	scripts/system-deps run
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver $(HOST):$(PORT)

## Every check and every test, browser tests included, twice, the clock started at two hours
## that break things in the program's time zone (tests/clock.py): at 20:00, when the UTC date
## is already tomorrow's (TEST_EVENING=HH:MM picks another time), then just after midnight,
## when an hour ago was yesterday (TEST_CLOCK=HH:MM), so a run's result never depends on the
## hour it happens to start at; then the
## fault tests, which start, kill and restart throwaway Redis, PostgreSQL and Celery workers
## of their own; last a minute of load (`make load`).
## TEST_WORKERS: test processes (pytest-xdist) for the two passes; each takes a database of
## its own and a Redis database of its own (PSP_TEST_REDIS_DB, then the ones below it).
TEST_EVENING ?= 20:00
TEST_CLOCK ?= 00:30
TEST_WORKERS ?= 2

test: install
	scripts/system-deps test
	$(MAKE) check
	$(PY) -m pytest -m "not faults" -n $(TEST_WORKERS) --dist worksteal --clock=$(TEST_EVENING)
	$(PY) -m pytest -m "not faults" -n $(TEST_WORKERS) --dist worksteal --clock=$(TEST_CLOCK)
	$(MAKE) faults
	$(MAKE) load

faults: install
	$(PY) -m pytest -m faults

## Load and soak (scripts/load.py): gunicorn, a Celery worker, PostgreSQL and Redis under
## simulated people who sign in and work; prints each page's 95th percentile and the worker's
## memory, and fails on any failed request or report or on the worker's memory growing.
## Needs DATABASE_URL (PostgreSQL) and REDIS_URL, and uses a database and a Redis database
## of its own; without them it says so and passes (CI must have them).
load: install
	$(PY) scripts/load.py --users 10 --duration 60

soak: install
	$(PY) scripts/load.py --users 50 --duration 600

## Lint, format, the layers (import-linter contracts in pyproject.toml), types, migrations
## in step with the models.
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(VENV)/bin/mypy
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

lint: check

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Measure over HTTP, as production serves (gunicorn, PostgreSQL, Redis), on demo data at
## SCALE (10, 100, 1000): every page of every role, the lists against the Django admin and
## SQL, throughput, the quarterly report, the tablet's first visit (scripts/bench.py). Needs
## DATABASE_URL (a PostgreSQL server) and REDIS_URL; seeds psp_bench_SCALE once (RESEED=1
## again). REQUESTS: answers timed per page (default 10). Prints the table and writes
## var/bench/scale-SCALE.json.
bench: install
	$(PY) scripts/bench.py --scale $(SCALE) $(if $(RESEED),--reseed) $(if $(REQUESTS),--requests $(REQUESTS))

## Cut the icon font down to the Bootstrap Icons the templates use, after using a new one.
icons: install
	$(PY) scripts/icons.py

## Regenerate the catalogues after changing strings (needs gettext): Spanish, and Hmong, whose
## translations are still to come (docs/translating.md).
messages: install
	DEBUG=true $(PY) manage.py makemessages -l es -l hmn --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=var --no-obsolete
	DEBUG=true $(PY) manage.py compilemessages -l es -l hmn --ignore=.venv

## The database (with the audit log) and the stored reports in one archive, in BACKUP_DIR
## (default var/backups); and back: make restore FILE=var/backups/psp-backup-....tar.gz into an
## empty database and media folder (FORCE=1 replaces what is there). See the README, "Backups".
backup: export DEBUG ?= true
backup: install
	$(PY) manage.py backup $(if $(BACKUP_DIR),--output-dir "$(BACKUP_DIR)")

restore: export DEBUG ?= true
restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/psp-backup-....tar.gz" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
