# `make paper` rebuilds the paper on config.yaml; `make test` runs the test suite.
# Both create .venv (Python 3.11) with the pinned dependencies on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all

# The PDF's only needs outside Python (pdflatex through latexmk; pdftoppm for the tests that
# look at its pages), from Debian's packages.
TEX_PACKAGES := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended poppler-utils

.PHONY: install tex paper arxiv bundle restore quick smoke test test-fast lint bench gpu-check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Installs LaTeX when it is missing and we are root; otherwise says what to install, and
# everything but the PDF still builds.
tex:
	@if command -v latexmk >/dev/null && command -v pdflatex >/dev/null && command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing LaTeX for the PDF: $(TEX_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null; \
	else echo "LaTeX is missing, so results/paper.pdf will not build: run 'sudo apt-get install $(TEX_PACKAGES)'"; fi

paper: install tex
	$(BIN)/snakemake --cores $(CORES)

# The paper's source, macros, .bbl and figures as arXiv takes them.
arxiv: install tex
	$(BIN)/snakemake --cores $(CORES) results/arxiv.tar.gz

# What training and evaluation made, in one archive with a manifest (CONFIGFILE: the config
# files the build used); `make restore BUNDLE=...` unpacks one after checking every file.
bundle: install
	$(BIN)/snakemake --cores $(CORES) bundle $(if $(CONFIGFILE),--configfile $(CONFIGFILE))

restore: install
	@test -n "$(BUNDLE)" || { echo "usage: make restore BUNDLE=path/to/bundle.tar.gz [CONFIGFILE=...]"; exit 2; }
	$(BIN)/python -m rnnstudy.bundle restore $(BUNDLE) $(if $(CONFIGFILE),--configfile $(CONFIGFILE))

quick: install
	$(BIN)/snakemake --cores $(CORES) --configfile workflow/presets/quick.yaml

smoke: install
	$(BIN)/snakemake --cores $(CORES) --configfile workflow/presets/smoke.yaml

# The suite on every core (pytest-xdist), with a worker more than there are cores for the
# SLURM tests, which mostly wait for the cluster; xdist's groups keep the SLURM and the
# GPU-slot tests each on one worker, and tests/conftest.py orders the work. `make test-fast`
# is the part without builds, for the edit-test loop.
WORKERS := $(shell echo $$(( $$(nproc) + 1 )))
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup --no-loadscope-reorder
FAST := not build and not slurm and not slow

test: install tex
	$(PYTEST)

test-fast: install
	$(PYTEST) -m "$(FAST)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile workflow/rules

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/speed.py

# On a machine with CUDA: the tests marked `cuda` (torch.nn equality on the GPU, the smoke
# preset built with device=cuda) and the benchmark's GPU rows, in under 8 minutes.
gpu-check: install
	@$(BIN)/python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'gpu-check: torch sees no CUDA device on this machine')"
	$(BIN)/python -m pytest -m cuda -rs
	$(BIN)/python benchmarks/speed.py --device cuda --out benchmarks/out/speed-cuda.csv

clean:
	rm -rf results .snakemake
