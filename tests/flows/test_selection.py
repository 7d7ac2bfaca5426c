"""ROTATION_SOURCES, ROTATION_BINANCE_SYMBOLS and ROTATION_LOOKBACK_DAYS choose what a run does."""

from __future__ import annotations

from datetime import date

import duckdb

from flows.nightly import plan_windows
from rotation_kernel.settings import load_settings, settings_env
from sources.catalog import contracts, fred_unit_rows, streams
from warehouse.db import bootstrap


def test_sources_and_symbols_narrow_the_planned_streams():
    settings = load_settings(
        fred_api_key="k", sources=("fred_rates", "binance"), binance_symbols=("ETHUSDT",)
    )
    assert streams(settings) == [
        ("fred_rates", "DFF"),
        ("fred_rates", "DGS10"),
        ("fred_rates", "DTB3"),
        ("binance", "ETHUSDT"),
    ]


def test_no_selection_plans_every_stream_of_every_source():
    planned = streams(load_settings(fred_api_key="k"))
    assert len(planned) > 40 and ("yahoo", "^RUT") in planned and ("binance", "BNBUSDT") in planned


def test_a_lookback_override_moves_every_incremental_start():
    con = duckdb.connect()
    bootstrap(con, contracts(), fred_unit_rows())
    con.execute(
        "insert into meta.load_state values ('fred', 'observations', 'WALCL', '2024-06-30', 35, "
        "now(), 'r1')"
    )
    planned = [("fred", "WALCL")]
    with settings_env({"lookback_days": 0}):
        assert plan_windows(con, planned, None, date(2024, 7, 31))[planned[0]][0] == date(
            2024, 6, 30
        )
    default = plan_windows(con, planned, None, date(2024, 7, 31))[planned[0]][0]
    assert default == date(2024, 5, 26)  # the contract's own 35 days
