"""The `rotation` command line, end to end on the emulator, as a user runs it."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.settings import settings_env
from warehouse.db import connect

pytestmark = pytest.mark.flow
runner = CliRunner()


def expected_net_liquidity(con) -> pl.DataFrame:
    """Net liquidity recomputed from the raw tables in Polars, independently of the SQL marts.

    walcl: latest WALCL (USD mn) dated within the last 13 days; tga: latest DTS TGA close
    (USD mn, the era's account and column) within 5 days;
    rrp: latest RRPONTSYD (USD bn) within 5 days.
    """
    fred = con.sql("select series_id, date, value from raw.fred__observations").pl()
    dts = con.sql(
        "select record_date as date, account_type, close_today_bal, open_today_bal "
        "from raw.treasury__operating_cash_balance"
    ).pl()
    tga = dts.filter(
        (
            (pl.col("date") <= date(2021, 9, 30))
            & (pl.col("account_type") == "Federal Reserve Account")
        )
        | (
            (pl.col("date") >= date(2021, 10, 1))
            & (pl.col("date") < date(2022, 4, 18))
            & (pl.col("account_type") == "Treasury General Account (TGA)")
        )
        | (
            (pl.col("date") >= date(2022, 4, 18))
            & (pl.col("account_type") == "Treasury General Account (TGA) Closing Balance")
        )
    ).select(
        "date",
        (
            pl.when(pl.col("date") >= date(2022, 4, 18))
            .then(pl.col("open_today_bal"))
            .otherwise(pl.col("close_today_bal"))
            / 1000
        ).alias("tga"),
    )
    walcl = fred.filter(series_id="WALCL").select("date", (pl.col("value") / 1000).alias("walcl"))
    rrp = fred.filter(series_id="RRPONTSYD").select("date", pl.col("value").alias("rrp"))
    days = con.sql("select date from marts.fct_net_liquidity").pl().sort("date")
    out = days
    for frame, name, limit in ((walcl, "walcl", 13), (tga, "tga", 5), (rrp, "rrp", 5)):
        frame = frame.drop_nulls().sort("date").with_columns(pl.col("date").alias(f"{name}_at"))
        out = out.join_asof(frame, on="date", strategy="backward", tolerance=timedelta(days=limit))
    return out.with_columns(net=pl.col("walcl") - pl.col("tga") - pl.col("rrp"))


class TestRun:
    def test_run_with_a_window_loads_the_servers_data_and_marts_follow_the_definitions(
        self, prefect_harness, emulator, tmp_path
    ):
        """`run --start --end` on a server: each daily net value follows the definition."""
        warehouse = tmp_path / "x.duckdb"
        env = {**emulator.settings_overrides(), "warehouse": warehouse}
        with settings_env(env):
            result = runner.invoke(app, ["run", "--start", "2023-01-01", "--end", "2024-03-31"])
        assert result.exit_code == 0, result.output
        assert "success" in result.output
        with connect(warehouse, read_only=True) as con:
            expected = expected_net_liquidity(con)
            got = con.sql(
                "select date, net_liquidity_usd_bn as net from marts.fct_net_liquidity"
            ).pl()
            span = con.execute("select min(date), max(date) from raw.binance__klines").fetchone()
        both = got.join(expected.select("date", pl.col("net").alias("want")), on="date")
        assert both.height == got.height > 400
        mismatched = both.filter(
            (pl.col("net").is_null() != pl.col("want").is_null())
            | ((pl.col("net") - pl.col("want")).abs() > 1e-9)
        )
        assert mismatched.height == 0, mismatched
        assert span == (date(2023, 1, 1), date(2024, 3, 31))

    def test_start_after_end_is_refused_with_a_one_line_reason(self):
        """A reversed window exits 2 before anything runs."""
        result = runner.invoke(app, ["run", "--start", "2024-02-01", "--end", "2024-01-01"])
        assert result.exit_code == 2
        assert "error: --start 2024-02-01 is after --end 2024-01-01" in result.output

    def test_without_a_fred_key_the_run_reads_fredgraph_csv_and_skips_vintages(
        self, prefect_harness, emulator, tmp_path
    ):
        """Keyless mode: FRED comes from fredgraph.csv (no realtime columns) and no vintages."""
        warehouse = tmp_path / "w.duckdb"
        env = {**emulator.settings_overrides(), "warehouse": warehouse, "fred_api_key": ""}
        with settings_env(env):
            result = runner.invoke(app, ["run", "--start", "2024-01-01", "--end", "2024-03-31"])
        assert result.exit_code == 0, result.output
        with connect(warehouse, read_only=True) as con:
            fred = con.execute(
                "select count(*), count(realtime_start) from raw.fred__observations "
                "where series_id = 'WALCL'"
            ).fetchone()
            vintages = con.execute(
                "select count(*) from raw.fred__observations_vintages"
            ).fetchone()
            net = con.execute(
                "select count(net_liquidity_usd_bn) from marts.fct_net_liquidity"
            ).fetchone()
        assert fred == (13, 0)  # 13 Wednesdays in 2024Q1, no vintage columns in CSV mode
        assert vintages == (0,)
        assert net[0] > 80


class TestDemo:
    def test_demo_builds_every_mart_from_the_emulator_and_says_where_the_data_is(
        self, prefect_harness, tmp_path
    ):
        """`rotation demo`: exit 0, synthetic label, counts, warehouse path, example query."""
        warehouse = tmp_path / "rotation.duckdb"
        with settings_env({"warehouse": warehouse}):
            result = runner.invoke(app, ["demo"])
        assert result.exit_code == 0, result.output
        assert "SYNTHETIC" in result.output
        assert f"warehouse: {warehouse}" in result.output
        assert 'uv run rotation query "select date, net_liquidity_usd_bn' in result.output
        with connect(warehouse, read_only=True) as con:
            first, origin = con.execute(
                "select window_start, data_origin from meta.runs"
            ).fetchone()
            for mart in ("fct_net_liquidity", "fct_net_liquidity_weekly", "fct_asset_daily"):
                assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0
        assert (first, origin) == (date(2015, 1, 1), "synthetic")
