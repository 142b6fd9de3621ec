# hwsnn: two-command set-up. `make demo` and `make test` first install whatever is missing, idempotently,
# into .venv (Debian packages when root, torch==2.13.0 CPU, lava-nc 0.10.0, hwsnn with its extras).
# Each install step leaves a stamp in .venv/.stamps; a changed pyproject.toml re-runs the hwsnn step.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
STAMPS := $(VENV)/.stamps
CONSTRAINTS := scripts/constraints.txt
LAVA_REQUIREMENTS := scripts/lava-requirements.txt
PIN := -c $(CONSTRAINTS) -c $(LAVA_REQUIREMENTS)
TORCH_VERSION := 2.13.0
LAVA_VERSION := 0.10.0
TORCH_SPEC := torch==$(TORCH_VERSION)
LAVA_SPEC := lava-nc==$(LAVA_VERSION)
SPIKINGJELLY_SPEC := spikingjelly==2.0.0
EXTRAS := all,dev,bench

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup demo test bench clean distclean

help:
	@echo "make demo   - set up .venv if needed, then run the main job: hwsnn pipeline --out reports"
	@echo "make test   - set up .venv if needed, then ruff, mypy and the whole pytest suite"
	@echo "make bench  - set up .venv if needed, then run every benchmarks/bench_*.py"
	@echo "make setup  - only the set-up (idempotent)"
	@echo "make clean  - remove caches and build outputs; make distclean also removes .venv"

setup: $(STAMPS)/hwsnn

$(STAMPS)/debian: scripts/setup-debian.sh
	scripts/setup-debian.sh
	@mkdir -p $(STAMPS) && touch $@

$(BIN)/python:
	python=$$(scripts/find-python.sh) && $$python -m venv $(VENV)

$(STAMPS)/torch-$(TORCH_VERSION): | $(BIN)/python
	$(PIP) install $(TORCH_SPEC)
	@mkdir -p $(STAMPS) && touch $@

# lava-nc declares Requires-Python <3.11; hwsnn.backends.lava makes it import on 3.11 (README).
# Its dependencies first (a normal resolve), then lava-nc alone with --ignore-requires-python.
$(STAMPS)/lava-nc-$(LAVA_VERSION): $(STAMPS)/torch-$(TORCH_VERSION) $(CONSTRAINTS) $(LAVA_REQUIREMENTS)
	$(PIP) install $(PIN) -r $(LAVA_REQUIREMENTS)
	$(PIP) install --no-deps --ignore-requires-python $(LAVA_SPEC)
	@touch $@

# spikingjelly (benchmarks only) without dependencies: see the bench extra in pyproject.toml.
$(STAMPS)/hwsnn: $(STAMPS)/debian $(STAMPS)/lava-nc-$(LAVA_VERSION) pyproject.toml
	$(PIP) install $(PIN) -e '.[$(EXTRAS)]'
	$(PIP) install --no-deps $(SPIKINGJELLY_SPEC)
	scripts/pip-check.sh $(BIN)/python
	@touch $@

demo: setup
	$(BIN)/hwsnn pipeline --out reports

test: setup
	$(BIN)/ruff check hwsnn tests benchmarks
	$(BIN)/mypy hwsnn
	$(BIN)/python -m pytest -q

bench: setup
	for script in benchmarks/bench_*.py; do \
		[[ -e "$$script" ]] || continue; \
		echo "== $$script"; \
		$(BIN)/python "$$script"; \
	done

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
	find hwsnn tests benchmarks -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
