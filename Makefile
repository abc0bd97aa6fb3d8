# Two commands: `make run` and `make test` (contract.md). Everything else is a step they take.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-clock install install-dev vendor translations translations-extract translations-update migrate seed lint check-migrations pytest bench clean

# Prometheus counts of both workers live in instance/prometheus (emptied at each start), summed by /metrics.
run: install vendor translations migrate seed
	rm -rf instance/prometheus && mkdir -p instance/prometheus
	PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/instance/prometheus $(BIN)/gunicorn -c deploy/gunicorn.conf.py \
	  --workers 2 --bind 127.0.0.1:$(PORT) wsgi:app

test: install-dev vendor translations lint check-migrations pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Front-end packages come from the npm registry at setup and are served from static/vendor/.
vendor: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

translations: install
	$(BIN)/pybabel -q compile --use-fuzzy -d stations/translations

# msgids are Chinese (the source language); only the English catalogue is translated.
# `make translations-update`, translate the new entries in the .po, then `python -m tests.check_translations`.
translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel update -i messages.pot -d stations/translations -l en --no-fuzzy-matching

migrate: install
	$(FLASK) db upgrade

# Loads the demo data only when the database is still empty (seed-demo is idempotent anyway).
seed: install
	$(FLASK) seed-demo --if-empty

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# A fresh database upgraded to head must match the models exactly.
check-migrations: install-dev
	$(BIN)/python -m tests.check_migrations

pytest: install-dev
	$(BIN)/python -m pytest

# The time-sensitive tests (deadlines, colours, roll-ups, board, hand-off limits, tracking, notifications, jobs,
# exports) once more with the clock pinned (STATIONS_TEST_NOW, see tests/conftest.py) at instants where the
# business date, working days or year differ from the wall clock's. .ci/run calls it after `make test`.
CLOCK_INSTANTS ?= 2026-12-05T03:30+08:00 2026-12-31T23:30+08:00
CLOCK_TESTS ?= tests/test_clock.py tests/domain tests/dashboard tests/cases/test_queue.py tests/cases/test_pages.py tests/cases/test_track.py \
	tests/cases/test_services.py tests/notifications tests/jobs/test_jobs.py tests/crossregion/test_xr_cases.py tests/appeals

test-clock: install-dev
	@set -e; for instant in $(CLOCK_INSTANTS); do \
		echo "== clock pinned at $$instant"; \
		STATIONS_TEST_NOW=$$instant $(BIN)/python -m pytest -q $(CLOCK_TESTS); \
	done

bench: install-dev
	$(BIN)/python -m tests.bench.run_all

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .ruff_cache
