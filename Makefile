# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := node_modules/.installed
BENCH_INSTALLED := $(VENV)/.bench-installed

.PHONY: run run-distributed test test-embedded lint format install assets bench clean

$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(INSTALLED) assets

# The benchmarks' own packages (the load generator), kept out of the platform's install.
$(BENCH_INSTALLED): $(INSTALLED) bench/requirements.lock
	$(BIN)/pip install --quiet -r bench/requirements.lock
	touch $@

bench: install $(BENCH_INSTALLED)

assets: $(INSTALLED) $(ASSETS)
	$(BIN)/python -m learnhub.web.assets

run: install
	$(BIN)/learnhub up

run-distributed: install
	$(BIN)/learnhub up --distributed

test: install
	$(BIN)/python -m pytest

test-embedded: install
	$(BIN)/python -m pytest -m "not postgres and not rabbitmq and not redis and not browser and not nginx"

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) node_modules src/learnhub/web/static/vendor .pytest_cache .ruff_cache
