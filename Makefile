# `make paper` rebuilds the paper on config.yaml; `make test` runs the test suite.
# Both create .venv (Python 3.11) with the pinned dependencies on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all

.PHONY: install paper quick smoke test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

paper: install
	$(BIN)/snakemake --cores $(CORES)

quick: install
	$(BIN)/snakemake --cores $(CORES) --configfile workflow/presets/quick.yaml

smoke: install
	$(BIN)/snakemake --cores $(CORES) --configfile workflow/presets/smoke.yaml

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile workflow/rules

bench: install
	$(BIN)/python benchmarks/speed.py

clean:
	rm -rf results .snakemake
