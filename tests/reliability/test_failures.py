"""Failures: a dead source makes the run partial; a failed build leaves the published file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import flows.tasks
from flows.errors import PipelineError
from flows.nightly import nightly
from tests.conftest import FLOW_START
from warehouse.db import connect

pytestmark = pytest.mark.flow


def today():
    return datetime.now(UTC).date()


class TestSourceOutage:
    def test_a_source_down_for_the_whole_run_is_flagged_stale_and_the_rest_loads(
        self, pipeline_env, emulator
    ):
        """Binance answering 503 to every attempt: others load, marts build, the run is partial."""
        emulator.fail_next("/binance/", 503, times=10_000)
        try:
            summary = nightly(start=FLOW_START, end=today(), mode="test")
        finally:
            emulator.fail_next("/binance/", 503, times=0)
        assert summary.status == "partial"
        assert sorted(summary.failed_streams) == sorted(
            f"binance/{s}USDT"
            for s in ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "AVAX", "LINK")
        )
        assert "503" in summary.failed_streams["binance/BTCUSDT"]
        with connect(pipeline_env, read_only=True) as con:
            status, stale = con.execute("select status, stale_sources from meta.runs").fetchone()
            fred_rows = con.execute("select count(*) from raw.fred__observations").fetchone()[0]
            liquidity = con.execute(
                "select count(*) from marts.fct_net_liquidity"
                " where net_liquidity_usd_bn is not null"
            ).fetchone()[0]
        assert (status, stale) == ("partial", ["binance"])
        assert fred_rows > 0 and liquidity > 0


class TestFailedBuild:
    def test_a_run_that_fails_in_transform_leaves_the_published_warehouse_byte_identical(
        self, pipeline_env, monkeypatch
    ):
        """An exception after loading abandons the build: the published bytes do not change."""
        nightly(start=FLOW_START, end=today(), mode="test")
        before = pipeline_env.read_bytes()

        def broken_transforms(con):
            raise PipelineError("transform exploded")

        monkeypatch.setattr(flows.tasks, "run_transforms", broken_transforms)
        with pytest.raises(PipelineError, match="transform exploded"):
            nightly(start=FLOW_START, end=today(), mode="test")
        assert pipeline_env.read_bytes() == before
        assert not pipeline_env.with_name("rotation.duckdb.next").exists()
