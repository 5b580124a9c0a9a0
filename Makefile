PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The accessibility engine the browser tests run on every page (tests/e2e/test_accessibility.py), from npm.
AXE_CORE := 4.14.1

.DEFAULT_GOAL := help
.PHONY: help install install-test run test test-fast lint format bench screenshots messages compile-messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/handover: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Handover needs Python >= 3.11; run make with PYTHON=/path/to/python3.11 or newer." >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
		|| { echo "$(PYTHON) cannot create a virtual environment: apt-get install python3-venv (Debian, Ubuntu)." >&2; exit 1; }
	@echo "Installing Handover into $(VENV) (the first time takes a minute or two)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.test-installed: $(BIN)/handover
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

$(VENV)/axe-core/.installed-$(AXE_CORE): | $(BIN)/handover
	@command -v npm >/dev/null || { echo "The accessibility tests need npm: apt-get install npm" >&2; exit 1; }
	rm -rf $(VENV)/axe-core
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe-core axe-core@$(AXE_CORE)
	@touch $@

install: $(BIN)/handover ## Create .venv and install Handover into it

install-test: $(VENV)/.test-installed $(VENV)/axe-core/.installed-$(AXE_CORE) ## Install the test dependencies too (axe-core from npm)

run: install ## Serve the demo on http://$(HOST):$(PORT) (SQLite and a local mailbox unless DATABASE_URL/EMAIL_URL say otherwise; webhooks may go to local receivers)
	HANDOVER_WEBHOOK_ALLOW_PRIVATE=$${HANDOVER_WEBHOOK_ALLOW_PRIVATE:-1} $(BIN)/handover serve --host $(HOST) --port $(PORT) --demo

# The checks before the tests, the same for `test` and `test-fast` (a few seconds).
define CHECKS
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	HANDOVER_DATA_DIR=var/test $(BIN)/mypy src
	HANDOVER_DATA_DIR=var/test $(BIN)/handover check --fail-level WARNING
	HANDOVER_DATA_DIR=var/test $(BIN)/handover makemigrations --check --dry-run
endef

test: install-test ## Run every test: lint, checks, unit, integration, browser (PostgreSQL too when DATABASE_URL points to it)
	$(CHECKS)
	HANDOVER_DATA_DIR=var/test $(BIN)/pytest $(PYTEST_ARGS)

test-fast: install-test ## The same checks, then every test not marked slow (no server, subprocess, browser or long random run)
	$(CHECKS)
	HANDOVER_DATA_DIR=var/test $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: install-test ## ruff, the import contracts and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	HANDOVER_DATA_DIR=var/test $(BIN)/mypy src

format: install-test ## Format the code with ruff
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install-test ## Run the benchmarks (timings, reported as ratios)
	HANDOVER_DATA_DIR=var/bench $(BIN)/python bench/run.py

screenshots: install-test ## Retake the screenshots in docs/screenshots/ (the demo's products, the guide's steps)
	$(BIN)/python docs/screenshots/take.py
	HANDOVER_SCREENSHOTS=1 HANDOVER_DATA_DIR=var/test $(BIN)/pytest -q tests/e2e/test_transfer_guide.py

# The catalogs: English is the source (en/django.po lists the messages); fr, de, it and es translate them.
# The compiled .mo files are committed: installing Handover needs no gettext.
LANGUAGE_CODES := en fr de it es

messages: install ## Extract the English messages of the code and templates into src/handover/locale/*/django.po
	cd src/handover && ../../$(BIN)/handover makemessages --no-obsolete $(addprefix -l ,$(LANGUAGE_CODES))

compile-messages: install ## Compile the catalogs (src/handover/locale and locale_overrides) into their .mo files
	cd src/handover && ../../$(BIN)/handover compilemessages

clean: ## Remove .venv and var/
	rm -rf $(VENV) var
