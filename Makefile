# backchannel: the two commands of the Quick start, and the checks CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUTPUT ?= demo-output
# Exact versions for every platform and Python from 3.11 on; `make lock` re-resolves them
# within pyproject.toml's lower bounds.
LOCK := constraints.txt

.PHONY: demo test test-fast lint check clean model vendor lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "backchannel needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	@touch $@

$(VENV)/.dev: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	@touch $@ $(VENV)/.runtime

## demo: load the example cases into a fresh encrypted store and write HTML briefs (offline)
demo: $(VENV)/.runtime
	$(BIN)/backchannel demo --output $(DEMO_OUTPUT)

## test: install the development tools and run the whole test suite (one worker per core;
## a file's tests stay on one worker, so its module fixtures are built once), with the
## thorough, repeatable Hypothesis profile
test: $(VENV)/.dev
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n auto --dist loadfile

## test-fast: the quick loop: no PDF, Spark, demo or browser test, SQLite only, few examples
test-fast: $(VENV)/.dev
	HYPOTHESIS_PROFILE=dev $(BIN)/python -m pytest -n auto --dist loadfile \
		-m "not slow and not browser and not postgres"

## model: rebuild the packaged forecast artifacts from the EWP data (pulled, or the mirror)
model: $(VENV)/.runtime
	$(BIN)/backchannel data pull ewp $(if $(BACKCHANNEL_MIRROR),--mirror $(BACKCHANNEL_MIRROR),)
	$(BIN)/backchannel forecast build

## lint: ruff, mypy and the import-layer contracts
lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src tests benchmarks
	$(BIN)/lint-imports

check: lint test

## lock: re-resolve the pinned versions in constraints.txt (needs the package index)
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --extra spark \
		--universal --python-version 3.11 --output-file $(LOCK)

clean:
	rm -rf $(VENV) $(DEMO_OUTPUT) .pytest_cache .mypy_cache .ruff_cache

## vendor: refresh the front-end libraries served from our static folder (needs npm)
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	cp node_modules/cytoscape/dist/cytoscape.min.js src/backchannel/web/static/vendor/
	cp node_modules/cytoscape/LICENSE src/backchannel/web/static/vendor/cytoscape.LICENSE
	cp node_modules/htmx.org/dist/htmx.min.js src/backchannel/web/static/vendor/
	cp node_modules/htmx.org/LICENSE src/backchannel/web/static/vendor/htmx.LICENSE
