"""Hand-made marts.fct_thesis_* tables in the contract's schemas, small enough to check by hand.

Episode i (0-based) has log return ``BASE[leg] * SCALE[i % 3] * h / 90`` at horizon h days, so
with three episodes the mean is 3 x and the median 2 x the leg's base; the last episode has not
reached 180 days (NULL returns and peak days).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

LEGS = ("btc_vs_rut", "eth_vs_btc", "alts_vs_eth", "btc", "eth", "alts")
ROTATION_LEGS = LEGS[:3]
HORIZONS = (30, 60, 90, 180)
BASE = {
    "btc_vs_rut": 0.10,
    "eth_vs_btc": 0.05,
    "alts_vs_eth": -0.02,
    "btc": 0.20,
    "eth": 0.25,
    "alts": 0.23,
}
SCALE = (1, 2, 6)
PEAK_DAYS = {"btc_vs_rut": (20, 40, 30), "eth_vs_btc": (50, 30, 70), "alts_vs_eth": (80, 120, 100)}
FIRST_SESSION = date(2016, 1, 4)
LAST_SESSION = date(2021, 12, 31)
SETUP_SINCE = date(2021, 12, 29)
MIN_EPISODES = 8  # q_value is NULL below this many episodes (the contract)
# The 90-day verdicts when there are enough episodes; every other (leg, horizon) is 'no evidence'.
VERDICTS = {"btc_vs_rut": "evidence for", "alts_vs_eth": "evidence against"}


def _episodes(count: int) -> pl.DataFrame:
    rows = []
    for i in range(count):
        entry = date(2017, 1, 2) + timedelta(days=200 * i)
        elapsed_180d = i < count - 1
        row = {
            "episode_id": i + 1,
            "start_date": entry - timedelta(days=3),
            "entry_date": entry,
            "walcl_observation_date": entry - timedelta(days=5),
            "impulse_13w_usd_bn": 50.0 + 10 * i,
            "impulse_13w_pct_walcl": 1.0 + 0.25 * i,
            "net_liquidity_usd_bn": 3000.0 + 100 * i,
            "rut_close_usd": 1500.0 + 10 * i,
            "r2k_uptrend_sessions": 10 + i,
        }
        for leg in LEGS:
            for h in HORIZONS:
                value = BASE[leg] * SCALE[i % 3] * h / 90
                row[f"{leg}_log_ret_{h}d"] = value if h < 180 or elapsed_180d else None
        for leg, days in PEAK_DAYS.items():
            row[f"{leg}_peak_day"] = days[i % 3] if elapsed_180d else None
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def _test(count: int) -> pl.DataFrame:
    rows = []
    for leg in LEGS:
        for h in HORIZONS:
            n = count - 1 if h == 180 else count
            excess = BASE[leg] * h / 90
            verdict = VERDICTS.get(leg, "no evidence") if h == 90 else "no evidence"
            rows.append(
                {
                    "leg": leg,
                    "horizon_days": h,
                    "count_episodes": n,
                    "mean_log_ret": excess + 0.01,
                    "null_mean_log_ret": 0.01,
                    "excess_log_ret": excess,
                    "p_value": 0.004 if verdict != "no evidence" else 0.4,
                    "ci90_low": excess - 0.05,
                    "ci90_high": excess + 0.08,
                    "method": "circular block bootstrap of setup-start dates",
                    "count_null_draws": 999,
                    "q_value": 0.03 if n >= MIN_EPISODES else None,
                    "loo_min_excess": excess - 0.01,
                    "loo_max_excess": excess + 0.01,
                    "is_fragile": leg == "alts_vs_eth",
                    "verdict": verdict if n >= MIN_EPISODES else "insufficient",
                }
            )
    return pl.DataFrame(rows, schema_overrides={"q_value": pl.Float64})


def _ordering(count: int) -> pl.DataFrame:
    sufficient = count >= MIN_EPISODES
    return pl.DataFrame(
        {
            "comparison": ["eth_btc_after_btc_rut", "alts_eth_after_eth_btc"],
            "leader_ratio": ["btc_vs_rut", "eth_vs_btc"],
            "follower_ratio": ["eth_vs_btc", "alts_vs_eth"],
            "count_episodes": [count - 1, count - 1],
            "median_lag_days": [20.0, 50.0],
            "null_median_lag_days": [0.0, 0.0],
            "excess_lag_days": [20.0, 50.0],
            "p_value": [0.2, 0.01],
            "ci90_low": [-10.0, 20.0],
            "ci90_high": [45.0, 80.0],
            "q_value": [0.2, 0.02] if sufficient else [None, None],
            "loo_min_excess": [10.0, 40.0],
            "loo_max_excess": [30.0, 60.0],
            "is_fragile": [False, False],
            "verdict": ["no evidence", "evidence for"] if sufficient else ["insufficient"] * 2,
        },
        schema_overrides={"q_value": pl.Float64},
    )


def _sensitivity(count: int) -> pl.DataFrame:
    rows = [
        {
            "liquidity_threshold_pct_walcl": threshold,
            "uptrend_confirm_sessions": sessions,
            "leg": leg,
            "horizon_days": 90,
            "count_episodes": count + sessions // 5 - int(threshold),
            "excess_log_ret": BASE[leg] + threshold / 100,
            "p_value": 0.04,
            "q_value": 0.05,
            "verdict": "no evidence",
            "is_primary": (threshold, sessions) == (1.0, 10),
        }
        for threshold in (0.5, 1.0, 2.0)
        for sessions in (5, 10)
        for leg in ROTATION_LEGS
    ]
    return pl.DataFrame(rows)


def _setup(is_on: bool) -> pl.DataFrame:
    days = [FIRST_SESSION, *(LAST_SESSION - timedelta(days=d) for d in (3, 2, 1, 0))]
    on = [False, False, True, True, is_on]
    return pl.DataFrame(
        {
            "date": days,
            "walcl_observation_date": [date(2021, 12, 22)] * 3 + [date(2021, 12, 29)] * 2,
            "walcl_usd_bn": [8700.0] * 5,
            "net_liquidity_usd_bn": [5800.0] * 5,
            "impulse_13w_usd_bn": [40.0, 60.0, 110.0, 115.0, 120.0 if is_on else 20.0],
            "impulse_13w_pct_walcl": [0.46, 0.69, 1.26, 1.32, 1.38 if is_on else 0.23],
            "is_liquidity_expanding": [False, False, True, True, is_on],
            "rut_close_usd": [2200.0, 2210.0, 2230.0, 2240.0, 2245.0],
            "is_r2k_condition": [True, True, True, True, True],
            "is_r2k_strong_uptrend": [False, True, True, True, True],
            "is_setup": on,
            "setup_since_date": [None, None, *[SETUP_SINCE] * 2, SETUP_SINCE if is_on else None],
        },
        schema_overrides={"setup_since_date": pl.Date},
    )


def create_thesis_marts(
    con: duckdb.DuckDBPyConnection, count_episodes: int = 3, *, is_setup_on: bool = True
) -> None:
    """Create the five marts.fct_thesis_* tables (schema marts made if missing).

    Args:
        con: a writable connection (an in-memory one is enough).
        count_episodes: independent episodes; under 8 every verdict is 'insufficient'.
        is_setup_on: whether the setup holds at the latest session of fct_thesis_setup.
    """
    frames = {
        "fct_thesis_setup": _setup(is_setup_on),
        "fct_thesis_episodes": _episodes(count_episodes),
        "fct_thesis_test": _test(count_episodes),
        "fct_thesis_ordering": _ordering(count_episodes),
        "fct_thesis_sensitivity": _sensitivity(count_episodes),
    }
    con.execute("create schema if not exists marts")
    for name, frame in frames.items():
        con.register("thesis_frame", frame)
        con.execute(f"create or replace table marts.{name} as select * from thesis_frame")
        con.unregister("thesis_frame")


def thesis_connection(count_episodes: int = 3, *, is_setup_on: bool = True):
    """An in-memory DuckDB holding only the thesis marts (the other marts are missing)."""
    con = duckdb.connect()
    create_thesis_marts(con, count_episodes, is_setup_on=is_setup_on)
    return con
