# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in emails point at the address the site is served on, unless SITE_URL says otherwise.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run serve test lint messages bench load load-faults install install-dev clean

run: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_admin
	SITE_URL='$(SITE_URL)' $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production settings on this machine (DEBUG off, gunicorn); see deploy/serve.
serve: $(VENV)/.runtime-installed
	PORT=$(PORT) deploy/serve

test: $(VENV)/.dev-installed lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# After marking new strings: add them to every catalogue in locale/ and compile them (GNU
# gettext's xgettext and msgfmt). Commit the .po and .mo files; `make run` needs neither tool.
messages: $(VENV)/.runtime-installed
	$(BIN)/python manage.py makemessages --all --no-location $(foreach dir,media staticfiles tests bench artifacts,--ignore=$(dir))
	$(BIN)/python manage.py compilemessages --ignore=.venv

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.12.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt requirements-schemas.txt $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-schemas.txt
	@touch $@ $(VENV)/.runtime-installed

# Not part of `make test`: seeds BENCH_REPORTS reports (10,000 unless set; one database per
# size) and measures with wrk (see bench/run.py).
bench: $(VENV)/.runtime-installed
	$(BIN)/python bench/run.py

# A bounded load run: 64 connections for 60 s while an editor saves and publishes. With
# FAULTS=1 (or `make load-faults`), on servers of its own while PostgreSQL restarts, Redis
# stops for 10 s and a gunicorn worker is killed (bench/faults.py).
load: $(VENV)/.runtime-installed
	$(BIN)/python bench/$(if $(filter 1,$(FAULTS)),faults,load).py

load-faults: $(VENV)/.runtime-installed
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
