"""The mart suites on small DuckDB tables: plausible net liquidity, sane returns, no gaps."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from expectations import validate_marts
from tests.expectations.conftest import RUN_ID, days

RUN_DATE = date(2024, 3, 20)


@pytest.fixture
def con():
    """Clean marts: 10 days of net liquidity, 2 weeks of Wednesdays, one equity, one coin."""
    con = duckdb.connect()
    con.execute("create schema marts")
    for table in ("fct_net_liquidity", "fct_net_liquidity_weekly"):
        con.execute(
            f"create table marts.{table} (date date, walcl_usd_bn double, tga_usd_bn double,"
            " rrp_usd_bn double, net_liquidity_usd_bn double)"
        )
    daily = [(d, 7500.0, 750.0, 500.0, 6250.0) for d in days(date(2024, 3, 1), 10)]
    con.executemany("insert into marts.fct_net_liquidity values (?, ?, ?, ?, ?)", daily)
    con.executemany(
        "insert into marts.fct_net_liquidity_weekly values (?, ?, ?, ?, ?)",
        [(date(2024, 3, 6), 7500.0, 750.0, 500.0, 6250.0), (date(2024, 3, 13), None, 1, 1, None)],
    )
    con.execute(
        "create table marts.fct_asset_daily (date date, asset varchar, close_usd double,"
        " ret_1d double)"
    )
    con.execute("create table marts.dim_asset (asset varchar, asset_class varchar)")
    con.execute("insert into marts.dim_asset values ('RUT', 'equity_index'), ('BTC', 'crypto')")
    rows = [(d, "RUT", 2000.0, 0.01) for d in days(date(2024, 3, 1), 10, weekdays_only=True)]
    rows += [(d, "BTC", 60000.0, -0.02) for d in days(date(2024, 3, 1), 14)]
    con.executemany("insert into marts.fct_asset_daily values (?, ?, ?, ?)", rows)
    yield con
    con.close()


def failures(results) -> dict[tuple[str, str], tuple[str | None, int]]:
    return {
        (r.suite, r.expectation.split("(")[0]): (r.stream, r.rows_failed)
        for r in results
        if not r.success
    }


class TestMartSuites:
    def test_clean_marts_pass_every_expectation(self, con):
        """Three suites, seven expectations, all passing; nulls in the weekly mart are fine."""
        results = validate_marts(con, run_id=RUN_ID, run_date=RUN_DATE)

        assert sorted({r.suite for r in results}) == [
            "marts.fct_asset_daily",
            "marts.fct_net_liquidity",
            "marts.fct_net_liquidity_weekly",
        ]
        assert len(results) == 7
        assert failures(results) == {}
        assert {r.severity for r in results} == {"block"}

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(13_000.0, id="above_12000"),  # a 1000x TGA or RRP error upstream
            pytest.param(900.0, id="below_1000"),
            pytest.param(6_250_000.0, id="walcl_in_usd_mn"),  # WALCL not divided by 1000
        ],
    )
    def test_implausible_net_liquidity_blocks_the_publish(self, con, value):
        con.execute(
            "update marts.fct_net_liquidity set net_liquidity_usd_bn = ? where date = ?",
            [value, date(2024, 3, 5)],
        )

        results = validate_marts(con, run_id=RUN_ID, run_date=RUN_DATE)

        key = ("marts.fct_net_liquidity", "expect_column_values_to_be_between")
        assert failures(results) == {key: (None, 1)}

    @pytest.mark.parametrize(
        ("ret_1d", "fails"),
        [
            pytest.param(-0.9, True, id="minus_90_percent"),  # the bound itself is excluded
            pytest.param(-0.89, False, id="minus_89_percent"),
            pytest.param(10.0, True, id="plus_1000_percent"),
            pytest.param(9.9, False, id="plus_990_percent"),
        ],
    )
    def test_one_day_returns_lie_strictly_between_minus_90_and_plus_1000_percent(
        self, con, ret_1d, fails
    ):
        con.execute(
            "update marts.fct_asset_daily set ret_1d = ? where asset = 'BTC' and date = ?",
            [ret_1d, date(2024, 3, 5)],
        )

        results = validate_marts(con, run_id=RUN_ID, run_date=RUN_DATE)

        key = ("marts.fct_asset_daily", "expect_column_values_to_be_between")
        assert failures(results) == ({key: ("BTC", 1)} if fails else {})

    @pytest.mark.parametrize(
        ("asset", "dropped", "expected"),
        [
            # RUT: Fri 03-01 -> Mon 03-11 is 6 sessions
            pytest.param("RUT", days(date(2024, 3, 4), 5), [("RUT", 1)], id="equity_six_sessions"),
            # RUT: Fri 03-01 -> Fri 03-08 is 5 sessions, like the 9/11 closure
            pytest.param("RUT", days(date(2024, 3, 4), 4), [], id="equity_five_sessions"),
            # BTC: 03-08 -> 03-10
            pytest.param("BTC", [date(2024, 3, 9)], [("BTC", 1)], id="crypto_one_day"),
        ],
    )
    def test_gaps_are_charged_to_the_asset(self, con, asset, dropped, expected):
        for day in dropped:
            con.execute(
                "delete from marts.fct_asset_daily where asset = ? and date = ?", [asset, day]
            )

        results = validate_marts(con, run_id=RUN_ID, run_date=RUN_DATE)

        bad = [r for r in results if not r.success]
        assert [(r.stream, r.rows_failed) for r in bad] == expected
        assert all(r.expectation.startswith("expect_dates_to_have_no_gaps") for r in bad)

    def test_a_missing_mart_is_a_blocking_failure_not_a_crash(self, con):
        con.execute("drop table marts.fct_net_liquidity_weekly")

        results = validate_marts(con, run_id=RUN_ID, run_date=RUN_DATE)

        missing = [r for r in results if r.suite == "marts.fct_net_liquidity_weekly"]
        assert [(r.expectation, r.success, r.severity) for r in missing] == [
            ("table_is_readable", False, "block")
        ]
        assert missing[0].reason.startswith("could not read the mart: Catalog Error")
        assert len(results) == 6  # the other two suites still ran
