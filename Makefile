# The two commands in README.md: `make run` and `make test`. Everything else is for developers
# (CONTRIBUTING.md says what each target is for).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every package, runtime and development, at one version with its hashes: `make lock` writes it.
LOCK := requirements.lock

.PHONY: run test test-fast lint lock hooks bench screenshots clean

# Installs the lock's packages alone, each checked against its hashes (--no-deps: the lock holds
# every dependency already, and the pip a new venv comes with misreads a pinned package that is
# also asked for with an extra), then Casefile itself, built by the locked setuptools. pip check
# fails if pyproject.toml asks for a version the lock does not have (run `make lock`). Again
# whenever the lock or pyproject.toml changes.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Casefile needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/casefile gui --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

test: lint
	$(BIN)/pytest

# The edit-test loop: the suite less the tests marked slow, in under a minute; no lint.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow" -q

# Resolves pyproject.toml's pins for every Python from 3.11 on every OS, keeping the lock's other
# versions where they still fit. To move one: make lock LOCK_ARGS="--upgrade-package NAME";
# all: LOCK_ARGS=--upgrade. It needs only uv (in .venv), not an install that matches the lock.
lock: | $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --group pyproject.toml:build \
		--universal --python-version 3.11 --generate-hashes --no-strip-extras --quiet \
		--custom-compile-command "make lock" $(LOCK_ARGS) -o $(LOCK)

# What `make lint` runs, and a large-file check, before each commit; from .venv, fetching nothing.
hooks: $(STAMP)
	$(BIN)/pre-commit install

$(BIN)/uv:
	$(MAKE) $(STAMP)

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info
