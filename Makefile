# The two commands of the README's quick start. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The suite on every core (pytest-xdist), a test file per worker at a time, so that a module's
# shared sandbox process starts once. PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run test fuzz lint bench clean

$(BIN)/mock-server: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/mock-server
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/mock-server
	$(BIN)/mock-server $(ARGS)

test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The property-based suite (1,000 examples per provider and property) and schemathesis (200 cases
# per operation, unsigned and signed) with their long budgets: minutes, not part of `make test`.
fuzz: $(VENV)/.test-extras
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/contract/test_properties.py tests/contract/test_schemathesis.py $(PYTEST_ARGS)

lint: $(VENV)/.test-extras
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(BIN)/mock-server
	$(BIN)/python bench/run.py $(ARGS)
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info mock.db mock.db-*
