"""No look-ahead in marts.fct_net_liquidity_pit: data published after D leaves rows up to D alone.

The warehouse as it stood on D holds the FRED vintages the emulator's ALFRED would have served
on D, and the FRED and DTS rows dated up to D. Later loads add what was published after D:
new observations, and revisions of observations dated before D (which also close the old
value's real-time period). Neither may change a row dated D or earlier.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest

from emulator.fred_series import MISSING, series_history
from emulator.fred_vintages import periods
from emulator.market import DEFAULT_SEED
from rotation_cli.market_warehouse import market_warehouse
from warehouse.transform import run_transforms

HISTORY_START = date(2019, 1, 1)
CUTOFF = date(2020, 9, 30)  # D, a Wednesday: its H.4.1 comes out on Thursday 2020-10-01
LATER = date(2021, 6, 30)  # the day the later loads happened
VINTAGE_SERIES = ("WALCL", "RRPONTSYD")
PIT_ROWS = "select * from marts.fct_net_liquidity_pit where date <= $cutoff order by date"
LATER_INPUTS = (
    ("raw.fred__observations", "date", "value"),
    ("raw.treasury__operating_cash_balance", "record_date", "close_today_bal"),
    ("raw.treasury__operating_cash_balance", "record_date", "open_today_bal"),
)


def load_vintages(con: duckdb.DuckDBPyConnection, today: date) -> None:
    """Replace the vintages table with every real-time period the emulator serves on ``today``."""
    con.execute("delete from raw.fred__observations_vintages")
    window = (HISTORY_START, today)
    rows = [
        (series_id, day, None if value == MISSING else float(value), start, end)
        for series_id in VINTAGE_SERIES
        for start, end, day, value in periods(
            series_history(DEFAULT_SEED, series_id), window, window, today
        )
    ]
    con.executemany(
        "insert into raw.fred__observations_vintages "
        "(series_id, date, value, realtime_start, realtime_end) values (?, ?, ?, ?, ?)",
        rows,
    )


def warehouse_on(today: date) -> duckdb.DuckDBPyConnection:
    """The warehouse as loaded on ``today``: rows dated up to it, vintages published by it."""
    con = market_warehouse(HISTORY_START, today)
    load_vintages(con, today)
    return con


def built(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    run_transforms(con)
    return con.execute(PIT_ROWS, {"cutoff": CUTOFF}).fetchall()


def later_loads_appended(con: duckdb.DuckDBPyConnection) -> None:
    """Nothing more: the warehouse of LATER already holds everything published after D."""


def later_values_scaled(con: duckdb.DuckDBPyConnection) -> None:
    """Multiply every value published after D by 1.5, as if later releases said otherwise."""
    con.execute(
        "update raw.fred__observations_vintages set value = value * 1.5 "
        "where realtime_start > $cutoff",
        {"cutoff": CUTOFF},
    )
    for table, date_column, column in LATER_INPUTS:
        con.execute(
            f"update {table} set {column} = {column} * 1.5 where {date_column} > $cutoff",
            {"cutoff": CUTOFF},
        )


def first_difference(before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]) -> str | None:
    """The first row that differs (floats compared to 1e-9), or None."""
    if len(before) != len(after):
        return f"{len(before)} rows before, {len(after)} after"
    for old, new in zip(before, after, strict=True):
        same = all(
            math.isclose(a, b, rel_tol=1e-9)
            if isinstance(a, float) and isinstance(b, float)
            else a == b
            for a, b in zip(old, new, strict=True)
        )
        if not same:
            return f"{old} became {new}"
    return None


@pytest.fixture(scope="module")
def rows_known_on_d() -> list[tuple[Any, ...]]:
    return built(warehouse_on(CUTOFF))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(later_loads_appended, id="later_vintages_and_observations_appended"),
        pytest.param(later_values_scaled, id="everything_published_after_D_scaled_by_1.5"),
    ],
)
def test_no_row_up_to_d_changes_when_data_published_after_d_arrives(
    rows_known_on_d: list[tuple[Any, ...]],
    change: Callable[[duckdb.DuckDBPyConnection], None],
) -> None:
    later = warehouse_on(LATER)
    change(later)

    assert first_difference(rows_known_on_d, built(later)) is None
    # not vacuous: most days up to D have a net, and later releases revised WALCL weeks
    # dated before D (their first prints' real-time periods now end after D)
    assert sum(row[4] is not None for row in rows_known_on_d) > 500
    (revised_before_d,) = later.execute(
        "select count(*) from raw.fred__observations_vintages "
        "where series_id = 'WALCL' and date <= $cutoff and realtime_start > $cutoff",
        {"cutoff": CUTOFF},
    ).fetchall()[0]
    assert revised_before_d > 0


def test_every_wednesday_uses_the_previous_weeks_walcl(
    rows_known_on_d: list[tuple[Any, ...]],
) -> None:
    # columns: date, walcl, tga, rrp, net, walcl_observation_date, tga_record_date, rrp_...
    wednesdays = [row for row in rows_known_on_d if row[0].isoweekday() == 3 and row[1]]
    thursdays = [row for row in rows_known_on_d if row[0].isoweekday() == 4 and row[1]]

    assert len(wednesdays) > 80
    assert {row[0] - row[5] for row in wednesdays} == {timedelta(days=7)}
    assert {row[0] - row[5] for row in thursdays} == {timedelta(days=1)}


def test_d_itself_reads_only_what_was_published_by_d(
    rows_known_on_d: list[tuple[Any, ...]],
) -> None:
    (last,) = [row for row in rows_known_on_d if row[0] == CUTOFF]

    # Wednesday D: last week's WALCL, Tuesday's DTS (out on D) and Tuesday's RRP (out on D)
    assert last[5:] == (
        CUTOFF - timedelta(days=7),
        CUTOFF - timedelta(days=1),
        CUTOFF - timedelta(days=1),
    )
