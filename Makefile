# Two commands on a fresh machine with Python 3.11+:
#   make run   — install into .venv and start the bot (the console when no platform is configured)
#   make test  — install into .venv with the test extra and run ruff, mypy and the whole test suite
# Both install the dependencies from the hashed lock files (`make lock` refreshes them), then
# seminarbot itself with --no-deps; pip check then proves the locked set satisfies pyproject.toml.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint typecheck pytest content-check lock docker-check bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-pip.lock

# pip compiles an installed wheel's modules to bytecode (the Docker image's `seminarbot` starts
# from it); an editable checkout under PYTHONDONTWRITEBYTECODE would compile all of src/ from
# source at every start instead (about 0.1 s of CPU: benchmarks/matrix_bench.py). COMPILE does
# for the checkout what pip does for the wheel; stale files are recompiled, others skipped.
COMPILE = $(BIN)/python -m compileall -q src >/dev/null

$(VENV)/.installed-run: pyproject.toml requirements.lock requirements-build.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-build.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	$(COMPILE)
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements-test.lock requirements-build.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-test.lock \
	  -r requirements-build.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	$(COMPILE)
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(COMPILE)
	$(BIN)/seminarbot run

test: $(VENV)/.installed-test lint typecheck content-check pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# pytest exits 5 when it collects no tests: a suite that lost its tests is a failure, said plainly.
pytest: $(VENV)/.installed-test
	@status=0; $(BIN)/python -m pytest -q || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: the suite is missing" >&2; fi; \
	exit $$status

# The shipped content against the texts themselves (kept outside the repo, in ../shared/seeds).
SEEDS ?= ../shared/seeds
content-check: $(VENV)/.installed-test
	@if [ -d "$(SEEDS)" ]; then $(BIN)/seminarbot content check --texts "$(SEEDS)"; \
	else echo "content-check: no $(SEEDS); checking structure only"; \
	$(BIN)/seminarbot content check; fi

# The lock files, resolved afresh by uv for every platform and Python >= 3.11, with the hashes
# of every file: what ships (requirements.lock, the Dockerfile's), what the tests run
# (requirements-test.lock: the same pins plus the test extra's) and what builds seminarbot itself
# (requirements-build.lock: [build-system] requires, plus editables for hatchling's `pip install -e`)
# and the pip that installs them (requirements-pip.lock: a pip older than 23.3, as Debian's, refuses
# a hashed lock whose packages ask for another's extra, `python-socks[asyncio]`).
# LOCK_UPGRADE= keeps the current pins where pyproject.toml still allows them.
UV_VERSION   ?= 0.13.9
LOCK_UPGRADE ?= --upgrade
LOCK_FLAGS    = --universal --generate-hashes --quiet --custom-compile-command 'make lock' $(LOCK_UPGRADE)
BUILD_REQUIRES = $(BIN)/python -c 'import tomllib; \
  print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test -c requirements.lock $(LOCK_FLAGS) \
	  -o requirements-test.lock
	{ $(BUILD_REQUIRES); echo editables; } | $(BIN)/uv pip compile - -c requirements-test.lock \
	  $(LOCK_FLAGS) -o requirements-build.lock
	echo pip | $(BIN)/uv pip compile - $(LOCK_FLAGS) -o requirements-pip.lock

# Builds the image with podman and checks it from outside (not part of `make test`).
docker-check:
	bash tests/docker/check.sh

# Every benchmark (Synapse and the fake Discord included, on loopback); regenerates the README's
# table and benchmarks/results.md (how long it took is in the README).
bench: $(VENV)/.installed-test
	$(COMPILE)
	$(BIN)/python benchmarks/run_all.py

# Tiny sizes, only to show that every benchmark runs (writes benchmarks/results-quick.md).
bench-quick: $(VENV)/.installed-test
	$(COMPILE)
	$(BIN)/python benchmarks/run_all.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
