"""The real nightly flow on the emulator, under the session-wide Prefect harness."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from flows.nightly import nightly
from tests.conftest import FLOW_START
from warehouse.db import connect, list_tables, table_checksum

pytestmark = pytest.mark.flow

MARTS = ("marts.fct_net_liquidity", "marts.fct_net_liquidity_weekly", "marts.fct_asset_daily")


def checksums(path) -> dict[str, tuple[int, int]]:
    with connect(path, read_only=True) as con:
        return {t: table_checksum(con, t) for t in list_tables(con, ("raw", "marts"))}


def today():
    return datetime.now(UTC).date()


class TestNightly:
    def test_a_run_publishes_all_marts_with_rows_and_labels_the_data_synthetic(self, baseline):
        """One run over the emulator (the session's clean run, FLOW_START to today, which
        succeeded) fills every raw table and mart and records data_origin."""
        with connect(baseline.warehouse, read_only=True) as con:
            for mart in MARTS:
                assert con.execute(f"select count(*) from {mart}").fetchone()[0] > 0, mart
            assets = {
                a
                for (a,) in con.execute(
                    "select distinct asset from marts.fct_asset_daily"
                ).fetchall()
            }
            origin = con.execute("select data_origin, status from meta.runs").fetchall()
            streams = con.execute("select count(*) from meta.load_state").fetchone()[0]
        assert assets == {
            "RUT",
            "GSPC",
            "IWM",
            "SPY",
            "BTC",
            "ETH",
            "SOL",
            "BNB",
            "XRP",
            "ADA",
            "DOGE",
            "AVAX",
            "LINK",
        }
        assert origin == [("synthetic", "success")]
        # FRED USD series + rates + vintages + DTS + Yahoo + Binance spot, funding, mark/index
        assert streams == 5 + 3 + 5 + 1 + 4 + 9 + 9 + 9

    def test_a_second_run_over_the_same_window_leaves_identical_tables(
        self, baseline, pipeline_env
    ):
        """Idempotency: same window twice gives the same row counts and content checksums."""
        shutil.copyfile(baseline.warehouse, pipeline_env)  # the first run
        first = checksums(pipeline_env)
        summary = nightly(start=FLOW_START, end=today(), mode="test")
        assert checksums(pipeline_env) == first
        assert sum(r.rows_inserted + r.rows_updated for r in summary.loads) == 0

    def test_an_incremental_run_starts_from_the_watermarks(self, pipeline_env):
        """With no dates, each stream re-reads only watermark - lookback .. today."""
        nightly(start=FLOW_START, end=today() - timedelta(days=20), mode="test")
        summary = nightly(mode="test")
        assert summary.status == "success"
        windows = {(r.source, r.stream): r for r in summary.loads}
        # 20 new days (today-19 .. today) minus today's unfinished candle;
        # the 3-day lookback re-reads today-22 .. today-20 and changes nothing.
        assert windows[("binance", "BTCUSDT")].rows_inserted == 19
        assert windows[("binance", "BTCUSDT")].rows_updated == 0
        with connect(pipeline_env, read_only=True) as con:
            (first_start,) = con.execute(
                "select min(window_start) from meta.load_results where run_id = ?", [summary.run_id]
            ).fetchone()
        assert first_start > FLOW_START
