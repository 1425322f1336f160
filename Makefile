# Tandem's two set-up commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format messages clean

$(BIN)/python:
	bash scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Front-end libraries (htmx, icons) from the npm registry, as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	bash scripts/system-deps.sh base
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt node_modules/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	bash scripts/system-deps.sh test
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,mysql]'
	touch $@

## Set up and serve Tandem on http://127.0.0.1:8000 (SQLite under ./var unless DATABASE_URL).
run: $(VENV)/.installed
	$(BIN)/tandem setup
	exec $(BIN)/tandem serve

## Install the test dependencies and run the whole suite (SQLite, PostgreSQL, MariaDB).
test: $(VENV)/.test-installed
	$(BIN)/python scripts/run_tests.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

## Regenerate the French catalogue after changing user-facing strings.
messages: $(VENV)/.installed
	cd src/tandem && ../../$(BIN)/tandem makemessages -l fr --no-obsolete && ../../$(BIN)/tandem compilemessages -l fr

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
