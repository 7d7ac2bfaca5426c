# The README contract: `make demo` and `make test` work on a fresh machine.
# uv is bootstrapped with pip when missing; everything else comes from the committed uv.lock.
SHELL := /bin/bash
# Recursive (=): expanded when a recipe runs, i.e. after the `uv` target has installed it.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: demo test lint uv sync

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv

sync: uv
	@$(UV) sync --frozen --quiet

demo: sync
	@$(UV) run --frozen rotation demo

test: sync
	@$(UV) run --frozen pytest -q

lint: sync
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
