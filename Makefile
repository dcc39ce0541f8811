# Every target sets up what it needs: a fresh clone runs `make test` or `make plan` directly.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit plan bench clean

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

# The main job: run the Bell example on this machine (no Docker, no AWS account) and print its counts.
run: $(STAMP)
	cd examples/bell && ../../$(BIN)/braketkit run bell.py:bell --local --shots 1000

# The same job's CreateJob request for Amazon Braket's SV1, planned offline.
plan: $(STAMP)
	cd examples/bell && ../../$(BIN)/braketkit plan bell.py:bell --profile cloud --shots 1000 --offline

bench: $(STAMP)
	$(BIN)/python benchmarks/import_time.py
	$(BIN)/python benchmarks/plan_offline.py
	$(BIN)/python benchmarks/package_vs_tar.py
	$(BIN)/python benchmarks/local_overhead.py
	$(BIN)/python benchmarks/submit_twice.py
	$(BIN)/python benchmarks/hundred_jobs.py
	$(BIN)/python benchmarks/upload_memory.py
	$(BIN)/python benchmarks/notebook_plan.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
