# Every target sets up what it needs: a fresh clone runs `make test` or `make plan` directly.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit plan bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check braketkit tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy --strict braketkit

unit: $(STAMP)
	$(BIN)/pytest

# The main job: plan the Bell example without an AWS account.
plan: $(STAMP)
	cd examples/bell && ../../$(BIN)/braketkit plan bell.py:bell --shots 100 --offline

bench: $(STAMP)
	$(BIN)/python benchmarks/import_time.py
	$(BIN)/python benchmarks/plan_offline.py
	$(BIN)/python benchmarks/package_vs_tar.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
