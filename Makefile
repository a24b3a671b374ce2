# Two commands on a fresh machine with Python >= 3.10: `make lab` starts the course, `make test`
# runs every test. Both create and fill the project-local virtual environment .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
WORKERS ?= 2

.PHONY: lab test lint unit notebooks browser install clean-venv

lab: $(STAMP)
	$(BIN)/msa-course lab

test: lint unit notebooks browser

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

# Reinstall when the declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check msa_course tests benchmarks conftest.py
	$(BIN)/ruff format --check msa_course tests benchmarks conftest.py

unit: $(STAMP)
	$(PYTEST) -n $(WORKERS) --dist loadfile -m "not browser and not hub" tests

notebooks: $(STAMP)
	$(PYTEST) -n $(WORKERS) --dist loadfile --nbval-lax course solutions

browser: $(STAMP)
	$(PYTEST) -m "browser or hub" tests

clean-venv:
	rm -rf $(VENV)
