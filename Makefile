# The README contract: `make demo` and `make test` work on a fresh machine.
# uv is bootstrapped with pip when missing; everything else comes from the committed uv.lock.
SHELL := /bin/bash
# Recursive (=): expanded when a recipe runs, i.e. after the `uv` target has installed it.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: demo test check lint uv sync sync-dev browser

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv

# Bytecode is compiled at install (--compile-bytecode; about 1 s when already done). Where
# PYTHONDONTWRITEBYTECODE is set (it is on this machine), Python never writes .pyc files, so every
# process of the demo and the suite (the CLI, servers, workers, subprocesses) would compile the
# ~2,700 modules it imports from source: importing Prefect, GX and the flows takes 11 s of CPU
# that way and 6 s from bytecode. sync-dev also compiles this tree (hidden folders excluded).

# The runtime dependencies only: what `make demo` and `make serve` need (`uv run --no-dev` keeps uv
# from adding the dev group when it runs the command). --inexact leaves a developer's test and
# bench packages installed; a fresh machine gets the runtime and nothing else.
sync: uv
	@$(UV) sync --frozen --no-dev --inexact --compile-bytecode --quiet

# Everything the tests import: the runtime, the dev group (uv's default) and the bench group, since
# tests/bench imports bench/ modules that import dlt and psutil. `--group bench` rather than
# `--all-groups`: a group added later reaches CI only when a test needs it and it is named here.
sync-dev: uv
	@$(UV) sync --frozen --group bench --compile-bytecode --quiet
	@$(UV) run --frozen python -m compileall -q -j0 -x '/[.]' .

demo: sync
	@$(UV) run --frozen --no-dev rotation demo

# Local orchestration in the foreground: Prefect server (database in warehouse/.prefect), the
# rotation-pool, `prefect deploy --all` and a worker. Ctrl-C stops the worker, then the server.
.PHONY: serve
serve: sync
	@$(UV) run --frozen python -m rotation_cli.serve

# The report's browser test drives Debian's chromium; install it when missing (needs root and the
# Debian mirror). A failure is tolerated: that test then skips, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "chromium not installed: the browser test will be skipped"

# On every core (pytest-xdist); --dist loadfile keeps a test file's module fixtures (one shared
# flow run) on one worker. Each worker starts its own Prefect test server. Files are handed out in
# the order tests/conftest.py sorts them (longest first): xdist would otherwise reorder them by
# their count of tests, and start the soak (4 tests, its fixture 2 minutes) last.
PYTEST = $(UV) run --frozen pytest -q -n auto --dist loadfile --no-loadscope-reorder

test: sync-dev browser
	@$(PYTEST)

# The inner loop (about 1.5 minutes): everything but the slow, integration and Prefect-flow tests.
check: sync-dev
	@$(PYTEST) -m "not slow and not integration and not flow"

lint: sync-dev
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@$(UV) run --frozen lint-imports

# Load benchmark (bench/run.py): writes bench/RESULTS.md; about 9-10 minutes on 2 cores, 10 GB of temporary pages.
.PHONY: bench
# The runtime and the bench group (dlt, the comparison; psutil, the RSS probe); nothing from dev.
bench: uv
	@$(UV) sync --frozen --no-dev --group bench --inexact --quiet
	@$(UV) run --frozen --no-dev --group bench python -m bench.run
