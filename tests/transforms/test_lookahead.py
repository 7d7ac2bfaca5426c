"""No look-ahead: changing or deleting every input after D leaves every signal up to D alone."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest

from rotation_cli.market_warehouse import market_warehouse
from tests.transforms.conftest import MARKET_HISTORY
from warehouse.transform import run_transforms

CUTOFF = date(2020, 9, 30)  # D, a Wednesday: the H.4.1 for it comes out on 2020-10-01

# The marts whose every column is a signal (known at the end of its date), with their date column.
SIGNAL_MARTS = {
    "marts.fct_liquidity_impulse": "date",
    "marts.fct_alt_basket": "date",
    "marts.fct_risk_ladder": "date",
    "marts.fct_regime": "date",
    "marts.fct_rotation_signal": "date",
    "marts.fct_thesis_setup": "date",
}
# Breakout detection is known on the event date; the forward returns beside it are outcomes.
EVENT_DETECTION = """
    select distinct event_date, event_number, breakout_rule, rut_close_usd, reference_level_usd,
        days_below, liquidity_state, r2k_trend_state
    from marts.fct_r2k_breakout_events where event_date <= $cutoff order by all
"""
# An episode that has entered by D is known by D (its forward returns are outcomes).
THESIS_EPISODES = """
    select episode_id, start_date, entry_date, walcl_observation_date, impulse_13w_usd_bn,
        impulse_13w_pct_walcl, net_liquidity_usd_bn, rut_close_usd, r2k_uptrend_sessions
    from marts.fct_thesis_episodes where entry_date <= $cutoff order by all
"""
# A rolling window that ends by D only reads weeks up to D.
ROLLING_LEAD_LAG = """
    select * from marts.fct_lead_lag
    where window_kind = 'rolling_2y' and window_end_date <= $cutoff order by all
"""
# Every raw input: (table, date column, value columns).
RAW_INPUTS = (
    ("raw.fred__observations", "date", ("value",)),
    ("raw.treasury__operating_cash_balance", "record_date", ("close_today_bal", "open_today_bal")),
    ("raw.yahoo__chart", "date", ("close", "adjclose")),
    ("raw.binance__klines", "date", ("close",)),
)


def scale_after(con: duckdb.DuckDBPyConnection, cutoff: date) -> None:
    """Multiply every input value dated after ``cutoff`` by a day-varying factor in [0.8, 1.6]."""
    for table, date_column, values in RAW_INPUTS:
        factor = f"(1.2 + 0.4 * sin(date_diff('day', $cutoff, {date_column})))"
        assignments = ", ".join(f"{v} = {v} * {factor}" for v in values)
        con.execute(
            f"update {table} set {assignments} where {date_column} > $cutoff", {"cutoff": cutoff}
        )


def cut_after(con: duckdb.DuckDBPyConnection, cutoff: date) -> None:
    """Delete every input row dated after ``cutoff``: the warehouse as it stood on that day."""
    for table, date_column, _ in RAW_INPUTS:
        con.execute(f"delete from {table} where {date_column} > $cutoff", {"cutoff": cutoff})


def rebuilt(change: Callable[[duckdb.DuckDBPyConnection, date], None]) -> duckdb.DuckDBPyConnection:
    con = market_warehouse(*MARKET_HISTORY)
    change(con, CUTOFF)
    run_transforms(con)
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str, cutoff: date = CUTOFF) -> list[tuple[Any, ...]]:
    return con.execute(sql, {"cutoff": cutoff}).fetchall()


def first_difference(before: list[tuple], after: list[tuple]) -> str | None:
    """A description of the first row that differs (floats compared to 1e-9), or None."""
    if len(before) != len(after):
        return f"{len(before)} rows before, {len(after)} after"
    for old, new in zip(before, after, strict=True):
        same = all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
            if isinstance(a, float) and isinstance(b, float)
            else a == b
            for a, b in zip(old, new, strict=True)
        )
        if not same:
            return f"{old} became {new}"
    return None


def signal_queries() -> dict[str, str]:
    queries = {
        table: f"select * from {table} where {column} <= $cutoff order by all"
        for table, column in SIGNAL_MARTS.items()
    }
    queries["breakout detection"] = EVENT_DETECTION
    queries["rolling lead-lag"] = ROLLING_LEAD_LAG
    queries["thesis episodes"] = THESIS_EPISODES
    return queries


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(scale_after, id="inputs_after_D_scaled_by_0.8_to_1.6"),
        pytest.param(cut_after, id="inputs_after_D_deleted"),
    ],
)
def test_no_signal_on_or_before_D_changes_when_inputs_after_D_do(
    market_marts: duckdb.DuckDBPyConnection,
    change: Callable[[duckdb.DuckDBPyConnection, date], None],
) -> None:
    changed = rebuilt(change)

    differences = {
        name: first_difference(rows(market_marts, sql), rows(changed, sql))
        for name, sql in signal_queries().items()
    }

    assert {name: diff for name, diff in differences.items() if diff} == {}
    # not vacuous: there are signal rows on or before D, and the days after D did change
    assert len(rows(market_marts, signal_queries()["marts.fct_rotation_signal"])) > 1500
    later = "select * from marts.fct_rotation_signal where date > $cutoff order by all"
    assert first_difference(rows(market_marts, later), rows(changed, later)) is not None


def test_a_wednesday_walcl_reaches_the_signal_on_thursday_not_before() -> None:
    wednesday, thursday = CUTOFF, CUTOFF + timedelta(days=1)

    def raise_walcl(con: duckdb.DuckDBPyConnection, day: date) -> None:
        con.execute(
            "update raw.fred__observations set value = value * 1.5 "
            "where series_id = 'WALCL' and date = $day",
            {"day": day},
        )

    base, changed = rebuilt(lambda con, day: None), rebuilt(raise_walcl)
    signal = (
        "select date, liquidity_as_of_date, impulse_13w_usd_bn, impulse_z_13w, rotation_score "
        "from marts.fct_rotation_signal where date = $cutoff"
    )

    assert rows(changed, signal, wednesday) == rows(base, signal, wednesday)
    (before,), (after,) = rows(base, signal, thursday), rows(changed, signal, thursday)
    # Thursday reads Wednesday's H.4.1, now with 50% more Fed assets: a much bigger impulse
    assert before[1] == after[1] == wednesday
    assert after[2] > before[2] + 1000


def _with_walcl_vintages(con: duckdb.DuckDBPyConnection) -> None:
    """ALFRED-style vintages of WALCL: each value first published the day after its date."""
    con.execute(
        "insert into raw.fred__observations_vintages by name "
        "select series_id, date, value, date + 1 as realtime_start, date '9999-12-31' as "
        "realtime_end from raw.fred__observations where series_id = 'WALCL'"
    )


def _revise_after(con: duckdb.DuckDBPyConnection, cutoff: date) -> None:
    """Every WALCL published by D is revised by +20% in a vintage released on D + 1."""
    con.execute(
        "insert into raw.fred__observations_vintages by name "
        "select series_id, date, value * 1.2 as value, $next as realtime_start, "
        "date '9999-12-31' as realtime_end from raw.fred__observations_vintages "
        "where series_id = 'WALCL' and realtime_start <= $cutoff",
        {"cutoff": cutoff, "next": cutoff + timedelta(days=1)},
    )
    con.execute(
        "update raw.fred__observations_vintages set realtime_end = $cutoff "
        "where series_id = 'WALCL' and realtime_start <= $cutoff",
        {"cutoff": cutoff},
    )


def test_a_walcl_revision_released_after_D_changes_no_setup_on_or_before_D() -> None:
    base = market_warehouse(*MARKET_HISTORY)
    _with_walcl_vintages(base)
    revised = market_warehouse(*MARKET_HISTORY)
    _with_walcl_vintages(revised)
    _revise_after(revised, CUTOFF)
    for con in (base, revised):
        run_transforms(con, select=["marts.fct_thesis_setup"])
    setup = "select * from marts.fct_thesis_setup where date <= $cutoff order by date"
    later = (
        "select date, walcl_usd_bn, impulse_13w_usd_bn from marts.fct_thesis_setup "
        "where date between $cutoff + 1 and $cutoff + 30 order by date"
    )

    assert first_difference(rows(base, setup), rows(revised, setup)) is None
    # not vacuous: from D + 1 the far end of the impulse (WALCL 13 weeks earlier, revised +20%,
    # about +1,400 bn) is read in the new vintage; the latest WALCL (first out on D + 1) is not
    (before, after) = rows(base, later)[0], rows(revised, later)[0]
    assert after[1] == pytest.approx(before[1])
    assert after[2] < before[2] - 500
