# Every target sets up what it needs: a fresh clone runs `make test` or `make plan` directly.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit docs test-pythons portable-tests plan bench clean

EXTRAS ?= dev

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $(STAMP)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check braketkit tests benchmarks examples mkdocs_hooks.py

# The package strictly; the tests too (pyproject.toml relaxes what test code need not say), among them
# tests/typing/promises.py, the typing promises of the public API: its `# type: ignore[code]` lines are errors
# mypy must still report (warn_unused_ignores), so a promise that stops holding fails here.
typecheck: $(STAMP)
	$(BIN)/mypy --strict braketkit
	$(BIN)/mypy tests

# The whole suite, one worker per core (pytest-xdist): most of it waits on loopback servers and child processes.
# TEST_WORKERS=0 runs it in this process, one test after another (for --pdb or a single test: call pytest directly).
TEST_WORKERS ?= auto
unit: $(STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS)

# The documentation site (mkdocs.yml): docs/ with the README as its home page and the API reference made from the
# docstrings, into site/. --strict: a broken link or anchor, a page missing from the nav, or a docstring describing
# a parameter the function lacks fails the build. Not --quiet: mkdocs 1.6 then drops the warnings before --strict
# counts them, and builds broken pages with exit status 0. (NO_MKDOCS_2_WARNING: Material's notice about MkDocs 2.0.)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The tests that must hold on every Python we support (extraction, results, the job-side runtime, captured
# scripts), under each other interpreter this machine has: Debian's python3 (3.11.2, no tarfile extraction
# filter) and pyenv's newest 3.10, 3.12 and 3.13. Each gets a venv of its own, .venv-ci-<version>, made
# from nothing when missing, with the test extras only (no linters, no PennyLane: quicker to install); they run
# side by side, each one's output shown whole once all have ended. An interpreter this machine lacks is skipped
# with a line saying so.
PYTHONS ?= /usr/bin/python3 3.10 3.12 3.13
PORTABLE_TESTS := tests/test_extract.py $(wildcard tests/test_results.py) tests/test_runtime.py tests/test_capture.py \
                  tests/test_capture_fidelity.py

test-pythons:
	@passed=""; skipped=""; failed=""; started=""; logs=$$(mktemp -d); \
	for want in $(PYTHONS); do \
	  case "$$want" in \
	    */*) python="$$want" ;; \
	    *) python=$$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/$$want.*/bin/python$$want 2>/dev/null \
	                 | sort -V | tail -n 1); \
	       python="$${python:-$$(command -v python$$want || true)}" ;; \
	  esac; \
	  version=$$("$${python:-/nonexistent}" -c 'import platform; print(platform.python_version())' 2>/dev/null); \
	  if [ -z "$$version" ]; then \
	    echo "test-pythons: skipped Python $$want: no such interpreter on this machine"; \
	    skipped="$$skipped $$want"; continue; \
	  fi; \
	  if ! "$$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then \
	    echo "test-pythons: skipped $$python: Python $$version is older than 3.10"; \
	    skipped="$$skipped $$want"; continue; \
	  fi; \
	  echo "test-pythons: Python $$version ($$python) in .venv-ci-$$version"; \
	  ( $(MAKE) --no-print-directory portable-tests VENV=.venv-ci-$$version PYTHON="$$python" EXTRAS=test \
	      > "$$logs/$$version.log" 2>&1; echo $$? > "$$logs/$$version.status" ) & \
	  started="$$started $$version"; \
	done; \
	wait; \
	for version in $$started; do \
	  echo "test-pythons: Python $$version:"; cat "$$logs/$$version.log"; \
	  if [ "$$(cat "$$logs/$$version.status")" = 0 ]; then passed="$$passed $$version"; \
	  else failed="$$failed $$version"; fi; \
	done; \
	rm -rf "$$logs"; \
	echo "test-pythons: passed:$${passed:- none}; failed:$${failed:- none}; skipped:$${skipped:- none}"; \
	test -z "$$failed"

portable-tests: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(PORTABLE_TESTS)

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
	$(BIN)/python benchmarks/secrets_scan.py --no-detectors
	$(BIN)/python benchmarks/replan_cached.py
	$(BIN)/python benchmarks/local_overhead.py
	$(BIN)/python benchmarks/submit_twice.py
	$(BIN)/python benchmarks/loopback_requests.py
	$(BIN)/python benchmarks/fifty_calls.py
	$(BIN)/python benchmarks/hundred_jobs.py
	$(BIN)/python benchmarks/upload_memory.py
	$(BIN)/python benchmarks/notebook_plan.py
	$(BIN)/python benchmarks/metrics_parse.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site
