"""marts.fct_thesis_ordering: do the moves come in the claimed order (BTC, then ETH, then alts)?

grain: one row per comparison: eth_btc_after_btc_rut, alts_eth_after_eth_btc.
audits: fct_thesis_ordering__unique_comparison

For each episode with 180 days elapsed, each ratio's peak day (marts.fct_thesis_episodes
*_peak_day: BTC/RUT, ETH/BTC, ALTS/ETH, days 1-180 after entry). A comparison's lag is the
follower's peak day minus the leader's; the thesis says it is positive.
  median_lag_days       the median of the per-episode lags.
  null_median_lag_days  the mean of the same median over the random start sets of
                        marts.fct_thesis_test (same rule, same stratification): a random walk's
                        peak day clusters at the window's ends, so the null, not 0, is the
                        benchmark.
  excess_lag_days       median_lag_days - null_median_lag_days (> 0: the claimed order).
  p_value, ci90_*, q_value, loo_*, is_fragile, verdict: as in marts.fct_thesis_test (one BY
  family with it).
"""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.stats.thesis_inputs import evaluated, read_inputs
from transforms.stats.thesis_params import load_params
from transforms.stats.thesis_test import COMPARISONS, finite_or_none, judged_columns

DEPENDS_ON = ("marts.fct_thesis_setup", "marts.fct_asset_daily", "marts.fct_alt_basket")
SCHEMA = {
    "comparison": pl.Utf8,
    "leader_ratio": pl.Utf8,
    "follower_ratio": pl.Utf8,
    "count_episodes": pl.Int32,
    "median_lag_days": pl.Float64,
    "null_median_lag_days": pl.Float64,
    "excess_lag_days": pl.Float64,
    "p_value": pl.Float64,
    "ci90_low": pl.Float64,
    "ci90_high": pl.Float64,
    "q_value": pl.Float64,
    "loo_min_excess": pl.Float64,
    "loo_max_excess": pl.Float64,
    "is_fragile": pl.Boolean,
    "verdict": pl.Utf8,
}
RATIO_NAMES = {"btc_vs_rut": "BTC/RUT", "eth_vs_btc": "ETH/BTC", "alts_vs_eth": "ALTS/ETH"}


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart (the transform runner's contract)."""
    result = evaluated(read_inputs(con), load_params())
    rows = []
    for row in result.ordering:
        leader, follower = COMPARISONS[row.key[0]]
        rows.append(
            {
                "comparison": row.key[0],
                "leader_ratio": RATIO_NAMES[leader],
                "follower_ratio": RATIO_NAMES[follower],
                "median_lag_days": finite_or_none(row.test.observed),
                "null_median_lag_days": finite_or_none(row.test.null_center),
                "excess_lag_days": finite_or_none(row.test.excess),
                **judged_columns(row),
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)
