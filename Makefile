PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench browse clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,browse]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tracker demo

test: $(STAMP) lint
	$(BIN)/pytest -q -n 2

# Everything but the end-to-end tests (marked e2e), in one process: quicker than starting workers.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

browse: $(STAMP)
	TRACKER_DB=demo-output/tracker.db $(BIN)/tracker browse

clean:
	rm -rf $(VENV) demo-output .pytest_cache
