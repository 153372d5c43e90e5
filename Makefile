PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint pytest bench clean

# Python 3.11+ is required; check before creating anything, and remove a
# half-built .venv if the install fails so the next run starts clean.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "syncd needs Python 3.11 or newer; found $$($(PYTHON) --version 2>&1). Set PYTHON=python3.11." >&2; exit 2; }
	@$(PYTHON) -m venv $(VENV) && \
	  $(BIN)/pip install -q --upgrade pip && \
	  $(BIN)/pip install -q -e '.[dev,predictive]' || { rm -rf $(VENV); echo "install failed; .venv removed" >&2; exit 2; }
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/syncd demo

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check syncd connectors tests bench
	$(BIN)/ruff format --check syncd connectors tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_predictive.py

clean:
	rm -rf $(VENV) build *.egg-info
