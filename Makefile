# Two commands on a fresh machine with Python 3.11+:
#   make run   — install into .venv and start the bot (the console when no platform is configured)
#   make test  — install into .venv with the test extra and run ruff, mypy and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint typecheck pytest content-check bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
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

# Every benchmark (Synapse and the fake Discord included, on loopback); regenerates the README's
# table and benchmarks/results.md. About an hour on two shared cores.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_all.py

# Tiny sizes, only to show that every benchmark runs (writes benchmarks/results-quick.md).
bench-quick: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_all.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
