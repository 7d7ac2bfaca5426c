"""The nightly flow on a null market: the wiring behind `rotation demo --market null`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from emulator import serve_emulator
from emulator.market import build_market
from flows.nightly import nightly
from rotation_kernel.settings import settings_env
from tests.conftest import pipeline_overrides
from warehouse.db import connect

pytestmark = pytest.mark.flow

NULL_SEED = 7
START = date(2019, 1, 1)  # long enough for 200-session means, episodes and their returns


def test_a_run_on_a_null_market_builds_the_thesis_marts_and_says_which_market(
    prefect_harness, tmp_path
) -> None:
    warehouse = tmp_path / "rotation.duckdb"
    with (
        serve_emulator(market="null", seed=NULL_SEED) as emulator,
        settings_env(pipeline_overrides(emulator, warehouse)),
    ):
        summary = nightly(start=START, end=datetime.now(UTC).date(), mode="test")

    assert summary.status == "success", summary.failed_streams
    with connect(warehouse, read_only=True) as con:
        origin = con.execute("select data_origin from meta.runs").fetchall()
        verdicts = con.execute(
            "select count(*), count(verdict) from marts.fct_thesis_test"
        ).fetchall()
        sessions = con.execute("select count(*) from marts.fct_thesis_setup").fetchall()
        closes = con.execute(
            "select close_usd from marts.fct_asset_daily "
            "where asset = 'BTC' and date = '2024-02-01'"
        ).fetchall()
    assert origin == [(f"synthetic (null market, seed {NULL_SEED})",)]
    assert verdicts == [(24, 24)]  # 6 legs x 4 horizons, each with a verdict
    assert sessions[0][0] > 1000
    # the null market's BTC, not the default market's, reached the warehouse
    null_btc = build_market(NULL_SEED, "null").crypto["BTCUSDT"]
    expected = null_btc.filter(null_btc["date"] == date(2024, 2, 1))["close"][0]
    assert closes == [(pytest.approx(expected, abs=0.005),)]
