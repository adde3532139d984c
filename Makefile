# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: run test setup assets migrate demo lint serve worker worker-documents worker-mail worker-default beat clean bench backup restore test-e2e

$(BIN)/activate: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 ou plus récent est requis (python3.12 introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The service worker (Workbox, from node_modules), served at /sw.js.
build/sw/sw.js: node_modules/.installed assets/build-service-worker.mjs
	node assets/build-service-worker.mjs

setup: $(BIN)/activate node_modules/.installed build/sw/sw.js

assets: node_modules/.installed build/sw/sw.js

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py loaddemo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	TESTING=1 $(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "Migrations manquantes : lancez manage.py makemigrations."; exit 1; }

test: setup lint
	TESTING=1 $(BIN)/pytest $(PYTEST_ARGS)

# Only the browser journeys (Playwright on the system's Chromium, axe-core from node_modules).
test-e2e: setup
	TESTING=1 $(BIN)/pytest -m e2e $(PYTEST_ARGS)

# The read replica's tests against a streaming replica of the local PostgreSQL (.ci/replica.sh,
# port 5433; `.ci/replica.sh destroy` removes it).
REPLICA_DATABASE ?= arras_quartiers_replica
.PHONY: test-replica
test-replica: setup
	.ci/replica.sh start
	TESTING=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(REPLICA_DATABASE) \
	  DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/$(REPLICA_DATABASE) \
	  $(BIN)/pytest -m replica $(PYTEST_ARGS)

# Benchmark on a synthetic city (PostgreSQL required): `make bench BENCH_ARGS=--quick`.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# One worker for every queue (development, small sites). Production runs one worker per queue
# (worker-documents, worker-mail, worker-default below): renders never hold up an email.
QUEUES := documents,mail,default
worker: setup
	$(BIN)/celery -A arras_quartiers worker -l info -Q $(QUEUES)

# PDF renders: few at once (CPU, up to ~200 MiB each), a process recycled past 400 MB or 50 renders.
DOCUMENTS_CONCURRENCY ?= 2
worker-documents: setup
	$(BIN)/celery -A arras_quartiers worker -l info -Q documents -n documents@%h \
		--concurrency $(DOCUMENTS_CONCURRENCY) --max-memory-per-child 400000 --max-tasks-per-child 50

# Emails and reminders: waiting on the mail server, so more at once; recycled past 200 MB.
MAIL_CONCURRENCY ?= 4
worker-mail: setup
	$(BIN)/celery -A arras_quartiers worker -l info -Q mail -n mail@%h \
		--concurrency $(MAIL_CONCURRENCY) --max-memory-per-child 200000 --max-tasks-per-child 1000

# Periodic sweeps and requests (beat's), short.
DEFAULT_CONCURRENCY ?= 1
worker-default: setup
	$(BIN)/celery -A arras_quartiers worker -l info -Q default -n default@%h \
		--concurrency $(DEFAULT_CONCURRENCY) --max-memory-per-child 200000 --max-tasks-per-child 1000

beat: setup
	$(BIN)/celery -A arras_quartiers beat -l info

# Backup of the database and the media into var/sauvegardes/ (DIR=... to choose), and restore:
# make restore ARCHIVE=var/sauvegardes/sauvegarde-AAAAMMJJ-HHMMSS.tar
backup: setup
	$(PY) manage.py backup $(if $(DIR),--output-dir "$(DIR)")

restore: setup
	@test -n "$(ARCHIVE)" || { echo "Usage : make restore ARCHIVE=var/sauvegardes/sauvegarde-....tar"; exit 1; }
	$(PY) manage.py restore "$(ARCHIVE)"

clean:
	rm -rf $(VENV) node_modules var staticfiles build
