"""Shared pieces of the fault matrix: the session emulator without leftover faults, clients on
a fake clock, and a warehouse comparison that ignores load bookkeeping."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from emulator import Emulator
from flows.nightly import nightly
from rotation_kernel.settings import Settings, load_settings, settings_env
from sources._http import HttpClient
from tests.conftest import FLOW_START
from tests.conftest import pipeline_overrides as flow_overrides
from tests.sources.conftest import FakeClock
from warehouse.db import connect, list_tables

# A quarter of daily candles: one page of klines, a dozen H.4.1 Wednesdays, ~60 DTS days.
WINDOW = (date(2024, 1, 1), date(2024, 3, 31))
# Load bookkeeping differs between two runs that loaded the same data.
LOAD_COLUMNS = ("_load_id", "_loaded_at")


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator; every fault a test planned is cancelled when it ends."""
    emulator.clear_faults()
    yield emulator
    emulator.clear_faults()


@pytest.fixture
def emu_settings(emu: Emulator) -> Settings:
    """Settings aimed at the emulator (its FRED key included)."""
    return load_settings(**emu.settings_overrides())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> Callable[..., HttpClient]:
    """Build an HttpClient that waits on the fake clock: every wait is recorded, none is slept.

    Three attempts, a 0.5 s backoff base and a 30 s cap, as a production client would use,
    with a read timeout that a test may shorten.
    """

    def build(read_timeout_s: float = 5.0, secrets: list[str] | None = None) -> HttpClient:
        return HttpClient(
            connect_timeout_s=2.0,
            read_timeout_s=read_timeout_s,
            max_attempts=3,
            backoff_base_s=0.5,
            backoff_cap_s=30.0,
            secrets=secrets or [],
            sleep=clock.sleep,
            clock=clock,
        )

    return build


def content_checksums(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, tuple]:
    """Row count and order-independent hash of each table, load bookkeeping left out.

    Args:
        con: an open warehouse.
        tables: qualified table names.

    Returns:
        table -> (rows, hash) over every column but ``_load_id`` and ``_loaded_at``.
    """
    sums = {}
    for table in tables:
        columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        keep = ", ".join(c for c in columns if c not in LOAD_COLUMNS)
        sums[table] = con.execute(
            f"select count(*), coalesce(sum(hash({keep})::hugeint), 0) from {table}"
        ).fetchone()
    return sums


def pipeline_overrides(emulator: Emulator, warehouse: Path, **extra: object) -> dict[str, object]:
    """Settings for a flow run against ``emulator`` into ``warehouse``, retrying without waits.

    Args:
        emulator: the running emulator.
        warehouse: the published warehouse path.
        **extra: more settings (e.g. ``fred_api_key``).

    Returns:
        The overrides for :func:`rotation_kernel.settings.settings_env`.
    """
    return {**flow_overrides(emulator, warehouse), **extra}


def today() -> date:
    return datetime.now(UTC).date()


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
def baseline(prefect_harness, emulator: Emulator, tmp_path_factory) -> Baseline:
    """The clean run every fault case is compared with (built once per session: ~8 s)."""
    emulator.clear_faults()
    warehouse = tmp_path_factory.mktemp("baseline") / "rotation.duckdb"
    with settings_env(pipeline_overrides(emulator, warehouse)):
        summary = nightly(start=FLOW_START, end=today(), mode="test")
    assert (summary.status, summary.failed_streams) == ("success", {})
    with connect(warehouse, read_only=True) as con:
        raw = content_checksums(con, list_tables(con, ("raw",)))
        marts = content_checksums(con, base_tables(con, "marts"))
    return Baseline(warehouse, raw, marts)


def base_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Qualified names of the base tables (not views) of one schema."""
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture
def copied_warehouse(baseline: Baseline, tmp_path: Path) -> Path:
    """A private copy of the baseline warehouse, as a published file to run on top of."""
    warehouse = tmp_path / "rotation.duckdb"
    shutil.copyfile(baseline.warehouse, warehouse)
    return warehouse


@pytest.fixture(scope="session")
def faulty_run(baseline: Baseline, emulator: Emulator, tmp_path_factory):
    """The shared run with a fault on many streams (see ``faulty_run.py``)."""
    from tests.reliability.faulty_run import run_with_faults

    warehouse = tmp_path_factory.mktemp("faulty") / "rotation.duckdb"
    shutil.copyfile(baseline.warehouse, warehouse)
    return run_with_faults(emulator, warehouse)
