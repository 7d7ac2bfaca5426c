"""One Prefect test harness and one emulator for every flow test in the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from emulator import serve_emulator
from rotation_kernel.settings import settings_env
from sources.catalog import SOURCES

# Short enough to keep the suite fast, long enough to cross the 2022-04-18 DTS era boundary.
FLOW_START = date(2022, 1, 1)

# The Binance archive's backfill from FLOW_START is about 2,900 small files (13 s a run). The
# flow tests about other things leave that source out; tests/flows/test_archive_run.py, the
# demo test and the null-market run load it.
WITHOUT_ARCHIVE = {"sources": ",".join(name for name in SOURCES if name != "binance_archive")}


# The harness server's background services these tests do not use: the task-run recorder and
# the event persister (no test reads task runs or events; flow runs, states, logs, artifacts and
# concurrency limits go through the API and are recorded as usual), automations' triggers, and
# the loops that schedule, mark late, cancel or reclaim deployment runs (the harness has no
# deployment). The recorder alone was 64% of the server's CPU (~1.6 s a nightly run); the rest
# another fifth of what was left (tests/flows/test_quality_gate.py: 16.5 -> 13.2 CPU-s). The
# deployment test runs a real `prefect server start`, with every service. A test that reads
# task runs or events must turn its service back on.
HARNESS_SERVER_ENV = {
    f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false"
    for service in (
        "TASK_RUN_RECORDER",
        "EVENT_PERSISTER",
        "TRIGGERS",
        "SCHEDULER",
        "LATE_RUNS",
        "FOREMAN",
        "CANCELLATION_CLEANUP",
        "PAUSE_EXPIRATIONS",
        "REPOSSESSOR",
    )
}


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's temporary server takes ~12 s to start: start it once per session."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in HARNESS_SERVER_ENV.items():
            patch.setenv(name, value)  # read by the server subprocess the harness starts
        with prefect_test_harness(server_startup_timeout=120):
            yield


@pytest.fixture(scope="session")
def emulator():
    with serve_emulator() as emu:
        yield emu


def pipeline_overrides(emulator, warehouse) -> dict:
    """Settings aimed at an emulator and a warehouse path, with retries that do not wait."""
    return {
        **emulator.settings_overrides(),
        **WITHOUT_ARCHIVE,
        "warehouse": warehouse,
        "http_max_attempts": 2,
        "http_backoff_base_s": 0,
        "http_backoff_cap_s": 0,
        "task_retry_delay_s": 0,
    }


@pytest.fixture
def pipeline_env(prefect_harness, emulator, tmp_path):
    """Settings aimed at the emulator, a fresh warehouse path, and retries without waiting."""
    warehouse = tmp_path / "rotation.duckdb"
    with settings_env(pipeline_overrides(emulator, warehouse)):
        yield warehouse


def base_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Qualified names of the base tables (not views) of one schema."""
    from warehouse.db import list_tables

    return list_tables(con, (schema,), views=False)


@dataclass(frozen=True)
class Baseline:
    """One clean full run (FLOW_START to today) against the session emulator.

    Attributes:
        warehouse: its published file; tests copy it, never change it.
        raw: content checksums of every raw table.
        marts: content checksums of every mart table.
    """

    warehouse: Path
    raw: dict[str, tuple]
    marts: dict[str, tuple]


@pytest.fixture(scope="session")
def baseline(prefect_harness, emulator, tmp_path_factory) -> Baseline:
    """One clean run from FLOW_START to today, once per session (per xdist worker): the
    reliability cases compare with it, and the nightly tests read it instead of running it."""
    from flows.nightly import nightly
    from warehouse.db import connect, content_checksums, list_tables

    emulator.clear_faults()
    warehouse = tmp_path_factory.mktemp("baseline") / "rotation.duckdb"
    with settings_env(pipeline_overrides(emulator, warehouse)):
        summary = nightly(start=FLOW_START, end=datetime.now(UTC).date(), mode="test")
    assert (summary.status, summary.failed_streams) == ("success", {})
    with connect(warehouse, read_only=True) as con:
        raw = content_checksums(con, tables=list_tables(con, ("raw",)))
        marts = content_checksums(con, tables=base_tables(con, "marts"))
    return Baseline(warehouse, raw, marts)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """A published warehouse with synthetic-market marts and demo meta rows, shared read-only by
    the analyst and connection tests (do not write to it)."""
    from tests.rotation_analyst.demo_warehouse import build_demo_warehouse

    return build_demo_warehouse(tmp_path_factory.mktemp("analyst") / "rotation.duckdb")


# Longest first: pytest-xdist hands out whole files in collection order, so the slow files (the
# soak, the null markets, the chunked backfill) start at once and the rest fill in around them,
# instead of one of them starting last while the other worker idles.
RUN_ORDER = ("slow", "integration", "flow")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return next(
            (i for i, mark in enumerate(RUN_ORDER) if item.get_closest_marker(mark)),
            len(RUN_ORDER),
        )

    items.sort(key=rank)  # stable: each file keeps its own order
