"""marts.fct_lead_lag_summary: each pair and window's best lag, tested against a rotation null.

grain: one row per (series_x, series_y, window_kind, window_end_date) with a correlation at
       some lag (the series, lags and windows of marts.fct_lead_lag, recomputed here from the
       same weekly changes because the null needs the series themselves).
audits: fct_lead_lag_summary__unique_pair_window, fct_lead_lag_summary__tests_within_bounds

An argmax over 53 lags is not a finding: on pure noise the best |corr| of a 2-year window is
about 0.26 and its lag is positive half the time. So every window gets (method and its limits:
transforms.stats.lead_lag):
  best_lag_weeks, best_corr   the lag with the largest |corr| (ties: shorter, then positive)
                              and its signed correlation; best_lag_n_obs its pairs.
  p_value_max_abs_corr        exact over every rotation s = 1 .. N - 1 of series_y inside the
                              window, of T = max over lags |corr|:
                              (1 + #{T(s) >= T}) / (1 + count_null_shifts). Valid, but a sharp
                              real lead is shared by the ~52 rotations whose lag sweep holds
                              it, so p rarely goes below 53 / N: in a 2-year window the max
                              over 53 lags cannot detect a lead, whatever its size.
  q_value                     Benjamini-Hochberg over every row of the same window_kind.
  lag_set_*                   a lag set, not an interval around the argmax: the lags whose
                              gap to the best |corr| is within the LAG_SET_LEVEL = 90% quantile
                              of that lag's gap under the rotations farther than the largest
                              lag; min, max and count (count < max - min + 1: the set has holes).
  is_lead_detected            q_value < Q_THRESHOLD = 0.05 AND best_lag_weeks > 0 (a peak at
                              lag 0 is co-movement, not a lead; < 0 is series_y leading).
  corr_lag_Nw, p_value_lag_Nw the PREREGISTERED_LAGS 0, 4, 8, 13, 26 whatever the best lag is,
                              each p from the rotations at distance >= MIN_SHIFT_WEEKS of that
                              lag's |corr| alone (unadjusted for the five looks).
"""

from __future__ import annotations

import duckdb
import polars as pl

# The method's parameters, defined once beside the statistics so the null-market tests use
# exactly these:
from transforms.stats.lead_lag import (
    LAG_SET_LEVEL,  # 0.9: the lag set's quantile of null gaps
    MAX_LAG_WEEKS,  # 26: lags -26..+26
    MIN_OBS,  # 52 pairs for a correlation
    MIN_SHIFT_WEEKS,  # 27: single-lag p and lag set use rotations beyond the largest lag
)
from transforms.stats.lead_lag_tables import (
    PREREGISTERED_LAGS,  # (0, 4, 8, 13, 26) weeks, reported whatever the best lag
    Q_THRESHOLD,  # 0.05 on BH's q for is_lead_detected
    lead_lag_summary,
    weekly_inputs,
)

DEPENDS_ON = (
    "marts.dim_asset",
    "marts.fct_asset_daily",
    "marts.fct_alt_basket",
    "marts.fct_net_liquidity_weekly",
)
__all__ = [
    "LAG_SET_LEVEL",
    "MAX_LAG_WEEKS",
    "MIN_OBS",
    "MIN_SHIFT_WEEKS",
    "PREREGISTERED_LAGS",
    "Q_THRESHOLD",
    "build",
]


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from the marts the weekly series come from (the runner's contract)."""
    return lead_lag_summary(*weekly_inputs(con))
