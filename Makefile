# The two commands of the README's quick start. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The suite on every core (pytest-xdist; auto is a worker per core and one more, see
# tests/conftest.py). worksteal: each worker starts on a contiguous run of the tests, so a
# module's shared sandbox mostly starts once, and an idle worker takes tests off a busy one's
# queue; with a whole file per worker (loadfile) the last long files ran on one worker while
# the others were idle (145 s against 123 s, same hour). PYTEST_ARGS="-n 0" runs it in one
# process.
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: run test fuzz lint lock bench clean

# The locked dependencies, checked against their hashes, then the package itself: every machine
# installs the same versions (`make lock` refreshes the locks from pyproject.toml). Each step says
# what it does, so a first run on a cold machine is never silent.
#
# INSTALLER=uv (the default) installs the locks with uv, itself pinned with its hashes in
# requirements-uv.lock: 1 s a lock where pip took 3-5 s (a fresh clone's install: 14 s with pip).
# uv does not read pip's configuration: where it cannot reach the index (a mirror named only in
# pip.conf, a proxy with a CA of its own), each step falls back to this Python's pip, which does
# (set UV_DEFAULT_INDEX to skip the failed try, or run `make INSTALLER=pip ...`).
INSTALLER ?= uv
ifeq ($(INSTALLER),pip)
INSTALL := $(BIN)/python -m pip install --no-compile
else
INSTALL := $(BIN)/uv pip install --python $(BIN)/python
endif
# `$(call install,ARGS)`: with uv, then (uv mode only) with pip: the venv's own where ensurepip
# put one there, else the system Python's.
install = $(INSTALL) $(1) $(if $(filter pip,$(INSTALLER)),,|| { if [ -x $(BIN)/pip ]; \
	then $(BIN)/python -m pip install --no-compile $(1); \
	else $(PYTHON) -m pip --python $(BIN)/python install --no-compile $(1); fi; })

$(BIN)/mock-server: pyproject.toml requirements.lock requirements-uv.lock
	@# Made afresh whenever the lock changes: a package the lock dropped must not linger and
	@# let this machine pass where a clean one fails.
	@echo "--- creating $(VENV) with $(PYTHON), installer: $(INSTALLER)"
	rm -rf $(VENV)
	@# The installer goes in uncompiled, by this Python's own pip (1 s; ensurepip compiled pip
	@# and setuptools, 6 s). A pip too old for --python (before 22.3) falls back to ensurepip.
	$(PYTHON) -m venv --without-pip $(VENV)
ifeq ($(INSTALLER),pip)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --no-compile pip \
		|| $(BIN)/python -m ensurepip
else
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --no-compile --no-deps \
		--require-hashes -r requirements-uv.lock \
		|| { $(BIN)/python -m ensurepip && $(BIN)/python -m pip install --quiet --no-deps \
			--require-hashes -r requirements-uv.lock; }
endif
	@# --no-deps: the lock names every package with its hash, so there is nothing to resolve
	@# (resolving it anyway took pip ~1.5 s here and ~2.5 s for the test tools).
	@echo "--- installing the locked dependencies (requirements.lock)"
	$(call install,--no-deps --require-hashes -r requirements.lock)
	@echo "--- installing mock-server itself (editable)"
	$(call install,--no-deps -e .)
	@# Bytecode on every core at once, rather than one file after another: a start with
	@# PYTHONDONTWRITEBYTECODE set would otherwise compile every module it imports, each time.
	@echo "--- compiling the dependencies' bytecode"
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	touch $@

$(VENV)/.test-extras: $(BIN)/mock-server requirements-test.lock
	@# Not compiled ahead: the suite runs with bytecode writing on and compiles the few modules
	@# of these it imports (compiling all of them, one after another, took pip ~8 s).
	@echo "--- installing the locked test tools (requirements-test.lock)"
	$(call install,--no-deps --require-hashes -r requirements-test.lock)
	touch $@

# Re-resolve the locks from pyproject.toml: the runtime, the test tools, and the runtime with
# PostgreSQL's driver (the scale-out image); and uv's own. Newest versions allowed by the
# ranges, every platform, with hashes. tests/test_packaging.py fails while they disagree with
# pyproject.toml.
lock: $(BIN)/mock-server
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	@# uv itself, the installer `make` uses: its newest release, with every platform's hashes.
	echo uv | $(BIN)/uv pip compile - --universal --python-version 3.11 --generate-hashes \
		--upgrade --quiet --custom-compile-command "make lock" -o requirements-uv.lock
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--upgrade --quiet --custom-compile-command "make lock" -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes --upgrade --quiet --custom-compile-command "make lock" \
		-o requirements-test.lock
	$(BIN)/uv pip compile pyproject.toml --extra postgres --universal --python-version 3.11 \
		--generate-hashes --upgrade --quiet --custom-compile-command "make lock" \
		-o requirements-postgres.lock

run: $(BIN)/mock-server
	$(BIN)/mock-server $(ARGS)

test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# Bytecode first: with PYTHONDONTWRITEBYTECODE set (CI machines set it), every sandbox and
	@# command a test starts would compile the package from source again (~0.1 s each).
	$(BIN)/python -m compileall -q mock_server
	@# mypy runs beside pytest, its report after pytest's: mypy's first run (no .mypy_cache)
	@# keeps one core busy for ~8 s, and alone it left the other idle. On a clean clone, three
	@# runs each way, paired (farm-bench): a median of 99.5 s, against 103.0 s one after the
	@# other. pytest may keep its assertion-rewritten modules (the tests, and the plugins it
	@# rewrites): otherwise each test process rewrites and compiles ~500 of them again (~4 s).
	@# A non-interactive shell's background job ignores Ctrl-C: the trap stops mypy with pytest.
	$(BIN)/mypy > $(VENV)/mypy.out 2>&1 & mypy=$$!; trap 'kill $$mypy 2>/dev/null' INT TERM; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(PYTEST_ARGS); tests=$$?; \
	wait $$mypy; typed=$$?; echo "--- mypy"; cat $(VENV)/mypy.out; \
	[ $$tests = 0 ] && [ $$typed = 0 ]

# The property-based suite (1,000 examples per provider and property) and schemathesis (200 cases
# per operation, unsigned and signed) with their long budgets: minutes, not part of `make test`.
fuzz: $(VENV)/.test-extras
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/contract/test_properties.py tests/contract/test_schemathesis.py $(PYTEST_ARGS)

lint: $(VENV)/.test-extras
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# bench/scale.py starts a throwaway PostgreSQL server (psycopg comes with the test tools).
bench: $(VENV)/.test-extras
	$(BIN)/python bench/run.py $(ARGS)
	$(BIN)/python bench/in_process.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/kyc.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info build dist mock.db mock.db-*
