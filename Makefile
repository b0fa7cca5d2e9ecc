# The two commands a newcomer needs: `make run` and `make test`. Everything else is here for them.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: install dev run test migrate seed-demo bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when a requirements file changed (the stamp is older than it).
$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	$(PY) -m core up

# Two pytest workers by default (one per core): each has its own embedded PostgreSQL and template database.
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

test: dev
	$(PY) -m ruff check .
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

migrate: install
	$(PY) -m core migrate

seed-demo: install
	$(PY) -m core seed-demo

clean:
	rm -rf $(VENV) .pytest_cache
