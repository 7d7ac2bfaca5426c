"""marts.fct_lead_lag: lagged cross-correlations of weekly changes, over rolling 2-year windows.

grain: one row per (series_x, series_y, window_kind, window_end_date, lag_weeks) with at
       least MIN_OBS pairs of observations.
audits: fct_lead_lag__unique_pair_window_lag, fct_lead_lag__corr_within_bounds

Series (transforms.stats.weekly_series), on Wednesdays, all CHANGES, never levels:
  an asset's weekly log return   ln(close(W) / close(W - 7 days)), closes at most 7 days old.
  NET_LIQ_CHG_1W                 the weekly change of net liquidity (USD bn) from
                                 marts.fct_net_liquidity_weekly, dated by reference (W's H.4.1
                                 comes out on W + 1): lag 0 pairs it with the week ending on W;
                                 any lag >= 1 is tradeable.
Pairs: RUT with each crypto asset of marts.dim_asset and ALTS (marts.fct_alt_basket, the
point-in-time basket); NET_LIQ_CHG_1W with every equity index, crypto asset and ALTS.
corr at lag k = Pearson correlation of (x_t, y_{t+k}) over the weeks t of the window where
both exist: k > 0 means series_x's move comes k weeks BEFORE series_y's, k < 0 after. Lags
run from -MAX_LAG_WEEKS to +MAX_LAG_WEEKS. Both t and t + k must lie inside the window, so
n_obs shrinks as |k| grows; a correlation needs MIN_OBS = 52 pairs (fewer: no row), and is
null when a side is constant. A single lag's correlation here is a description, not a finding:
marts.fct_lead_lag_summary tests the best lag against a circular-shift null.
Windows (transforms.stats.lead_lag_tables): 'rolling_2y', the WINDOW_WEEKS = 104 weeks ending
on window_end_date, one every WINDOW_STEP_WEEKS = 13 weeks on a grid fixed from 1970-01-07 (a
window never moves when history is added; the first ones are partial, as n_obs shows), and
'full_history', every week.
"""

from __future__ import annotations

import duckdb
import polars as pl

# The parameters live with the statistics, which the summary and the null-market tests share.
from transforms.stats.lead_lag import MAX_LAG_WEEKS, MIN_OBS  # lags -26..+26; 52 pairs
from transforms.stats.lead_lag_tables import (
    WINDOW_STEP_WEEKS,
    WINDOW_WEEKS,
    lead_lag_rows,
    weekly_inputs,
)

DEPENDS_ON = (
    "marts.dim_asset",
    "marts.fct_asset_daily",
    "marts.fct_alt_basket",
    "marts.fct_net_liquidity_weekly",
)
__all__ = ["MAX_LAG_WEEKS", "MIN_OBS", "WINDOW_STEP_WEEKS", "WINDOW_WEEKS", "build"]


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from the daily marts (the transform runner's contract)."""
    return lead_lag_rows(*weekly_inputs(con))
