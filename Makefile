# Two commands: `make run` (set up everything and serve on http://127.0.0.1:8000, or
# HOST= and PORT=)
# and `make test` (lint, migration check and the whole suite). Nothing else to install.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS_STAMP := $(VENV)/.deps-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint suite e2e e2e-deps system-deps clients-deps setup demo worker clean bench bench-smoke bench-deps bench-sqlite

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEPS_STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEPS_STAMP)

setup: $(DEPS_STAMP)

# Development server: DEBUG on, SQLite file in var/, local-memory cache (unless the
# environment says otherwise). The first run writes .env (DJANGO_DEBUG=1, read by
# cms/settings.py) so later manage.py commands in this checkout need no variable;
# an existing .env is left as it is.
DEV_ENV := .env
$(DEV_ENV):
	printf '%s\n' '# Development settings for this checkout, written by `make run` and read by' \
	  '# cms/settings.py (real environment variables win). Never copy it to production.' \
	  'DJANGO_DEBUG=1' > $@

# The task worker runs beside it, as in production: image renditions and notification
# emails are made outside the request (stopping `make run` stops both). Links to "the
# site" point at this server unless SITE_URL says otherwise.
run: export DJANGO_DEBUG ?= 1
run: export TASKS_BACKEND ?= database
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(DEPS_STAMP) $(DEV_ENV)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py ensure_admin --host '$(HOST)' --port '$(PORT)'
	$(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The background task worker alone (image renditions, notification emails, privacy
# requests, metadata purge), for a server started otherwise: `make run` starts its own.
worker: export DJANGO_DEBUG ?= 1
worker: export TASKS_BACKEND ?= database
worker: $(DEPS_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py db_worker

lint: $(DEPS_STAMP)
	$(BIN)/ruff check .
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# What the suite needs beyond Python, from Debian (installed with apt when missing; the
# tests fail, naming this target, when it is still missing): Chromium for the browser
# tests (tests/e2e/, driven by Playwright; `playwright install` is not used) and nginx
# for the production-server tests (tests/security/test_production_server.py runs
# deploy/nginx.conf), Varnish for tests/test_cluster_scripts.py (runs deploy/varnish.vcl).
# E2E_CHROMIUM: another Chromium binary.
E2E_CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@missing=""; \
	test -x $(E2E_CHROMIUM) || missing="$$missing chromium"; \
	test -x $(NGINX) || missing="$$missing nginx-light"; \
	test -x /usr/sbin/varnishd || missing="$$missing varnish"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's$$missing for the test suite"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	  $(SUDO) service nginx stop >/dev/null 2>&1 || true; $(SUDO) service varnish stop >/dev/null 2>&1 || true; \
	fi
e2e-deps: system-deps

# The API client generators a frontend team uses (tests/clients/): openapi-python-client
# in its own virtualenv, openapi-typescript + openapi-fetch + TypeScript from npm (pinned
# by package-lock.json; node comes with the machine).
CLIENTS_VENV := var/clients-venv
CLIENTS_STAMP := $(CLIENTS_VENV)/.installed
$(CLIENTS_STAMP): tests/clients/requirements.txt tests/clients/package-lock.json
	$(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/python -m pip install --quiet -r tests/clients/requirements.txt
	cd tests/clients && npm ci --no-audit --no-fund --loglevel=error
	touch $@
clients-deps: $(CLIENTS_STAMP)

suite: $(DEPS_STAMP) system-deps clients-deps
	$(BIN)/pytest

# Only the browser tests (screenshots in var/test-artifacts/e2e/).
e2e: $(DEPS_STAMP) e2e-deps
	$(BIN)/pytest -m e2e

test: lint suite

# Benchmarks (bench/README.md), not part of `make test`: `make bench` seeds PostgreSQL
# (127.0.0.1:5432, databases bench*) with 100,000 articles and 1,000,000 comments, serves
# the project with gunicorn and Redis, drives wrk and writes bench/results/latest.md
# (about 10 minutes). `make bench-sqlite`: the same rows on the embedded default (a SQLite
# file in var/bench/, the local-memory cache, one worker), 5,000 articles, a few minutes,
# bench/results/sqlite.md. `make bench-smoke`: both on tiny data, a few seconds per row
# (.ci/run runs it). More flags: make bench BENCH_ARGS="--help".
BENCH_ARGS ?=
BENCH_STAMP := $(VENV)/.bench-deps-installed
$(BENCH_STAMP): $(DEPS_STAMP) bench/requirements.txt
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

bench-deps:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the benchmarks (bench/)"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }

bench: $(BENCH_STAMP) bench-deps
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: $(DEPS_STAMP) bench-deps
	$(BIN)/python -m bench --smoke $(BENCH_ARGS)
	$(BIN)/python -m bench --smoke --sqlite $(BENCH_ARGS)

bench-sqlite: $(BENCH_STAMP) bench-deps
	$(BIN)/python -m bench --sqlite $(BENCH_ARGS)

# The suspect/banned word steps: 5,000 words each against a 5,000-character comment,
# µs per comment, next to regex approaches (docs/moderation.md). No database needed.
.PHONY: bench-wordlist
bench-wordlist: export DJANGO_DEBUG ?= 1
bench-wordlist: $(DEPS_STAMP)
	$(BIN)/python bench/wordlist_bench.py

# A cluster on this machine (docs/deployment.md, "A cluster on one machine"): a PostgreSQL
# primary and streaming replica, Redis, two gunicorn nodes, a task worker and Varnish on
# http://127.0.0.1:8100, all under var/cluster/. `make cluster-check` starts it when it is
# down and runs the scenario (one line ending in PASS or FAIL); `make cluster-stop` keeps
# the data, `make cluster-stop CLEAN=1` removes it.
.PHONY: cluster cluster-stop cluster-check cluster-deps
cluster-deps:
	@missing=""; command -v varnishd >/dev/null || missing="$$missing varnish"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then echo "Installing Debian's$$missing for make cluster"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; fi

cluster: $(DEPS_STAMP) cluster-deps
	$(BIN)/python deploy/cluster/cluster.py start

cluster-stop:
	$(BIN)/python deploy/cluster/cluster.py stop $(if $(CLEAN),--clean)

cluster-check: cluster
	$(BIN)/python deploy/cluster/check.py

clean:
	rm -rf $(VENV) var staticfiles
