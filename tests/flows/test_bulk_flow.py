"""The 1-minute klines in the real flow: loaded the bulk way (warehouse.bulk), validated part
by part as they land, a blocked stream rolled back whole and quarantined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import expectations
import flows.nightly
from expectations.results import BatchValidation
from flows.nightly import nightly
from rotation_kernel.settings import settings_env
from sources.binance import CONTRACT_1M
from tests.conftest import WITHOUT_ARCHIVE
from warehouse.db import connect
from warehouse.quarantine import quarantine_table

pytestmark = pytest.mark.flow

SYMBOLS = ("BTCUSDT", "ETHUSDT")
SUITE = CONTRACT_1M.table


def today():
    return datetime.now(UTC).date()


def content(con) -> tuple[int, int]:
    """Row count and an order-independent hash of the contract's columns (not load stamps)."""
    columns = ", ".join(CONTRACT_1M.schema)
    return con.execute(
        f"select count(*), sum(hash({columns})::hugeint) from {CONTRACT_1M.table}"
    ).fetchone()


@pytest.fixture
def run_minutes(prefect_harness, emulator, tmp_path):
    """Run the flow for the 1-minute klines of two symbols over the three days before today
    (whole days: two runs a minute apart get the same candles)."""

    def run(name: str):
        path = tmp_path / name / "rotation.duckdb"
        path.parent.mkdir()
        overrides = {
            **emulator.settings_overrides(),
            **WITHOUT_ARCHIVE,
            "warehouse": path,
            "binance_minute_klines": True,
            "sources": "binance_klines_1m",
            "binance_symbols": ",".join(SYMBOLS),
        }
        with settings_env(overrides):
            summary = nightly(
                start=today() - timedelta(days=3), end=today() - timedelta(days=1), mode="test"
            )
        return summary, path

    return run


def test_the_bulk_way_loads_what_the_nightly_way_loads(run_minutes, monkeypatch):
    """Same rows and content either way; validation results and load records are kept."""
    bulk, bulk_path = run_minutes("bulk")
    monkeypatch.setattr(flows.nightly, "BULK_SOURCES", frozenset())
    staged, staged_path = run_minutes("staged")

    assert (bulk.status, staged.status) == ("success", "success")
    with connect(bulk_path, read_only=True) as con:
        loaded = content(con)
        per_symbol = dict(
            con.execute(f"select symbol, count(*) from {CONTRACT_1M.table} group by 1").fetchall()
        )
        (checked,) = con.execute(
            "select count(*) from meta.validation_results where run_id = ? and suite = ?",
            [bulk.run_id, SUITE],
        ).fetchone()
        loads = con.execute(
            "select stream, rows_inserted from meta.load_results where run_id = ? order by 1",
            [bulk.run_id],
        ).fetchall()
    with connect(staged_path, read_only=True) as con:
        assert content(con) == loaded
    assert set(per_symbol) == set(SYMBOLS)
    assert per_symbol == {s: 3 * 1440 for s in SYMBOLS}
    assert checked > 0
    assert loads == sorted((s, per_symbol[s]) for s in SYMBOLS)


def test_a_blocked_stream_leaves_no_row_and_is_quarantined(run_minutes, monkeypatch):
    """The gate blocks ETHUSDT: none of its rows reach the raw table, all of them go to
    quarantine, BTCUSDT loads, and the run is partial."""
    real = expectations.validate_batch

    def blocks_eth(contract, batch, **kwargs) -> BatchValidation:
        verdict = real(contract, batch, **kwargs)
        if "ETHUSDT" in batch.column("symbol").to_pylist():
            verdict.blocked_streams["ETHUSDT"] = ["test: a bad bar"]
        return verdict

    monkeypatch.setattr(expectations, "validate_batch", blocks_eth)
    summary, path = run_minutes("blocked")

    assert summary.status == "partial"
    assert set(summary.quarantined) == {"binance_klines_1m/ETHUSDT"}
    with connect(path, read_only=True) as con:
        symbols = con.execute(f"select distinct symbol from {CONTRACT_1M.table}").fetchall()
        (held,) = con.execute(
            f"select count(*) from {quarantine_table(CONTRACT_1M)} where symbol = 'ETHUSDT'"
        ).fetchone()
    assert symbols == [("BTCUSDT",)]
    assert held == summary.quarantined["binance_klines_1m/ETHUSDT"] == 3 * 1440
