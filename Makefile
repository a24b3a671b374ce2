# Two commands on a fresh machine with Python >= 3.10: `make lab` starts the course, `make test`
# runs every test. Each has its own project-local virtual environment, created when missing and
# refreshed when pyproject.toml changes:
#   .venv      the learner's: the course and its runtime dependencies (`pip install -e .`), so
#              JupyterLab shows what a learner needs and nothing else
#   .venv-dev  the developer's: the same plus the test toolchain, nbgrader and the workshop
#              server (`pip install -e '.[test]'`)
PYTHON ?= python3
VENV ?= .venv
DEV ?= .venv-dev
PYTEST := $(DEV)/bin/python -m pytest -p no:cacheprovider
WORKERS ?= 2

.PHONY: lab test lint unit notebooks browser proxy headless suites install learner clean-venv

# COURSE_LANG=ko opens the Korean edition (msa-course lab --lang ko); default: the locale's
lab: $(VENV)/.installed
	$(VENV)/bin/msa-course lab $(if $(COURSE_LANG),--lang $(COURSE_LANG))

# The browser and hub tests spend most of their time waiting on pages, servers and kernels,
# so they run beside the unit and notebook tests rather than after them: two cores kept busy.
# Each suite's report prints when it ends.
test: lint
	@echo "==> unit + notebook tests and browser + hub tests, side by side; each report prints when its suite ends"
	@$(MAKE) --no-print-directory -j2 --output-sync=target suites

suites: headless browser

headless: $(DEV)/.installed
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory notebooks

# $(call venv,FOLDER,PIP-TARGET,WHAT): create FOLDER and install PIP-TARGET into it, one line per
# step and pip's own progress; a failed step is named with its likely fix, and a venv that could
# not be created is removed so the next run starts clean.
define venv
	@command -v $(PYTHON) >/dev/null || { \
	  echo "*** no Python found as $(PYTHON): install Python >= 3.10, or name it: make PYTHON=/path/to/python3 $(MAKECMDGOALS)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 $(MAKECMDGOALS)")'
	@test -x $(1)/bin/python || { \
	  echo "==> [1/3] creating the virtual environment $(1) ($(3))"; \
	  $(PYTHON) -m venv $(1) || { rm -rf $(1); \
	    echo "*** step 1/3 failed: could not create $(1). On Debian/Ubuntu: apt install python3-venv" >&2; exit 1; }; }
	@echo "==> [2/3] updating pip in $(1)"
	@$(1)/bin/python -m pip install --disable-pip-version-check --upgrade pip || { \
	  echo "*** step 2/3 failed: could not update pip in $(1). Check the network (or proxy) and run make again" >&2; exit 1; }
	@echo "==> [3/3] installing the course (pip install -e '$(2)') into $(1); the first time takes a few minutes"
	@$(1)/bin/python -m pip install --disable-pip-version-check -e '$(2)' || { \
	  echo "*** step 3/3 failed: could not install the course into $(1) (pip's message is above). Check the network (or proxy) and run make again; make clean-venv starts over" >&2; exit 1; }
	@touch $(1)/.installed
	@echo "==> $(1) is ready"
endef

$(VENV)/.installed: pyproject.toml
	$(call venv,$(VENV),.,the learner's environment)

$(DEV)/.installed: pyproject.toml
	$(call venv,$(DEV),.[test],the developer's environment)

learner: $(VENV)/.installed
install: $(DEV)/.installed

lint: $(DEV)/.installed
	$(DEV)/bin/ruff check msa_course tests benchmarks conftest.py
	$(DEV)/bin/ruff format --check msa_course tests benchmarks conftest.py

unit: $(DEV)/.installed
	$(PYTEST) -n $(WORKERS) --dist loadfile -m "not browser and not hub" tests

notebooks: $(DEV)/.installed
	$(PYTEST) -n $(WORKERS) --dist loadfile --nbval-lax course solutions

browser: $(DEV)/.installed proxy
	$(PYTEST) -m "browser or hub" tests

# The hub tests' proxy (configurable-http-proxy, from npm) is installed here, before the tests,
# so that no test writes into the checkout; without npm the hub tests skip (CI installs Node.js).
proxy:
	@if command -v npm >/dev/null 2>&1; then sh deploy/install_proxy.sh; \
	else echo "==> npm not found: the hub tests will skip (they need configurable-http-proxy)"; fi

clean-venv:
	rm -rf $(VENV) $(DEV)
