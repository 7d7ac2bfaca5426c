"""Failures: a dead source makes the run partial, a blocked venue falls back, a failed build
leaves the published file alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import flows.tasks
from flows.nightly import nightly
from rotation_kernel.errors import PipelineError
from tests.conftest import FLOW_START
from warehouse.db import connect

pytestmark = pytest.mark.flow

ALTS_ON_COINBASE = ("BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "AVAX", "LINK")


def today():
    return datetime.now(UTC).date()


@pytest.fixture
def outage(emulator):
    """Make every request under a path prefix fail with a status for the whole test."""
    prefixes = []

    def down(prefix: str, status: int) -> None:
        prefixes.append(prefix)
        emulator.fail_next(prefix, status, times=100_000)

    yield down
    for prefix in prefixes:
        emulator.fail_next(prefix, 503, times=0)


class TestSourceOutage:
    def test_a_source_down_for_the_whole_run_is_flagged_stale_and_the_rest_loads(
        self, pipeline_env, outage
    ):
        """Yahoo answering 503 to every attempt: others load, marts build, the run is partial."""
        outage("/yahoo/", 503)
        summary = nightly(start=FLOW_START, end=today(), mode="test")
        assert summary.status == "partial"
        assert sorted(summary.failed_streams) == [
            "yahoo/IWM",
            "yahoo/SPY",
            "yahoo/^GSPC",
            "yahoo/^RUT",
        ]
        assert "503" in summary.failed_streams["yahoo/^RUT"]
        with connect(pipeline_env, read_only=True) as con:
            status, stale = con.execute("select status, stale_sources from meta.runs").fetchone()
            fred_rows = con.execute("select count(*) from raw.fred__observations").fetchone()[0]
            liquidity = con.execute(
                "select count(*) from marts.fct_net_liquidity"
                " where net_liquidity_usd_bn is not null"
            ).fetchone()[0]
        assert (status, stale) == ("partial", ["yahoo"])
        assert fred_rows > 0 and liquidity > 0


class TestVenueFallback:
    def test_a_geo_blocked_binance_is_filled_from_coinbase_with_the_venue_recorded(
        self, pipeline_env, outage
    ):
        """451 from Binance spot: every asset Coinbase lists comes from Coinbase; BNB (not listed
        on Coinbase or Kraken) is the only stale stream."""
        outage("/binance/api/v3/klines", 451)
        summary = nightly(start=FLOW_START, end=today(), mode="test")
        assert summary.fallbacks == {
            f"binance/{a}USDT": f"coinbase/{a}-USD" for a in ALTS_ON_COINBASE
        }
        assert list(summary.failed_streams) == ["binance/BNBUSDT"]
        assert "451" in summary.failed_streams["binance/BNBUSDT"]
        with connect(pipeline_env, read_only=True) as con:
            venues = dict(
                con.execute(
                    "select asset, string_agg(distinct venue || ':' || quote_currency, ',') "
                    "from marts.fct_asset_daily group by asset"
                ).fetchall()
            )
            binance_rows = con.execute("select count(*) from raw.binance__klines").fetchone()[0]
        assert binance_rows == 0
        assert {a: venues[a] for a in ALTS_ON_COINBASE} == {
            a: "coinbase:USD" for a in ALTS_ON_COINBASE
        }
        assert "BNB" not in venues
        assert venues["RUT"] == "yahoo:USD"


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
