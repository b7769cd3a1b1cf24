# Two commands: `make run` (set up everything and serve on http://127.0.0.1:8000)
# and `make test` (lint, migration check and the whole suite). Nothing else to install.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS_STAMP := $(VENV)/.deps-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint suite setup demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEPS_STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEPS_STAMP)

setup: $(DEPS_STAMP)

# Development server: DEBUG on, SQLite file in var/, local-memory cache (unless the
# environment says otherwise).
run: export DJANGO_DEBUG ?= 1
run: $(DEPS_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(DEPS_STAMP)
	$(BIN)/ruff check .
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

suite: $(DEPS_STAMP)
	$(BIN)/pytest

test: lint suite

clean:
	rm -rf $(VENV) var staticfiles
