"""marts.fct_thesis_sensitivity: the 90-day rotation verdicts under settings around the primary one.

grain: one row per (liquidity_threshold_pct_walcl, uptrend_confirm_sessions, leg): the 3 x 3
       grid of transforms/thesis.yml (sensitivity) x the rotation legs btc_vs_rut, eth_vs_btc,
       alts_vs_eth at 90 days.
audits: fct_thesis_sensitivity__unique_setting_leg,
        fct_thesis_sensitivity__primary_agrees_with_the_test

Each setting re-runs the whole test of marts.fct_thesis_test (its own episodes, null draws and
BY family); is_primary flags the setting the other thesis marts report. A verdict that holds
only at the primary setting is not robust; read the grid before the primary row.
"""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.stats.forward_paths import ROTATION_LEGS
from transforms.stats.thesis_inputs import evaluated, read_inputs
from transforms.stats.thesis_params import load_params
from transforms.stats.thesis_test import evaluate, finite_or_none

DEPENDS_ON = ("marts.fct_thesis_setup", "marts.fct_asset_daily", "marts.fct_alt_basket")
HORIZON_DAYS = 90
SCHEMA = {
    "liquidity_threshold_pct_walcl": pl.Float64,
    "uptrend_confirm_sessions": pl.Int32,
    "leg": pl.Utf8,
    "horizon_days": pl.Int32,
    "count_episodes": pl.Int32,
    "excess_log_ret": pl.Float64,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
    "verdict": pl.Utf8,
    "is_primary": pl.Boolean,
}


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart (the transform runner's contract)."""
    params = load_params()
    inputs = read_inputs(con)
    primary = evaluated(inputs, params)
    rows = []
    for threshold in params.sensitivity_thresholds_pct:
        for confirm in params.sensitivity_confirm_sessions:
            is_primary = params.is_primary(threshold, confirm)
            setting = params.with_setting(threshold, confirm)
            result = primary if is_primary else evaluate(inputs, setting, primary.paths)
            for row in result.legs:
                leg, horizon = row.key
                if leg not in ROTATION_LEGS or horizon != HORIZON_DAYS:
                    continue
                rows.append(
                    {
                        "liquidity_threshold_pct_walcl": threshold,
                        "uptrend_confirm_sessions": confirm,
                        "leg": leg,
                        "horizon_days": horizon,
                        "count_episodes": row.test.count,
                        "excess_log_ret": finite_or_none(row.test.excess),
                        "p_value": finite_or_none(row.test.p_value),
                        "q_value": row.q_value,
                        "verdict": row.verdict,
                        "is_primary": is_primary,
                    }
                )
    return pl.DataFrame(rows, schema=SCHEMA)
