"""marts.fct_thesis_test: does the ladder rotate after the setup? Each leg against a null.

grain: one row per (leg, horizon_days): 6 legs x 4 horizons (30, 60, 90, 180 days).
audits: fct_thesis_test__unique_leg_horizon, fct_thesis_test__verdict_follows_its_columns

For each leg (see marts.fct_thesis_episodes) and horizon, over the episodes whose horizon has
elapsed (count_episodes):
  mean_log_ret        the mean forward log return over the episodes.
  null_mean_log_ret   the mean of the same statistic over B = null_draws random start sets of
                      the same size, each de-clustered by the episodes' rule (start i at least
                      cooldown_days after start i-1) and time-stratified (start i within +/-
                      stratum_days of episode i), drawn uniformly among the sessions that have
                      this leg's outcome at this horizon. H0: starting on a setup day is no
                      different from starting on a random day near it.
  excess_log_ret      mean_log_ret - null_mean_log_ret.
  p_value             two-sided: (1 + k) / (B + 1), k = random sets at least as far from the
                      null's mean as the episodes.
  ci90_low/_high      the 90% interval of the excess, by inverting the null under a location
                      shift (observed minus the null's 95th/5th percentiles). The random sets
                      overlap in time exactly as the episodes do, so overlapping windows
                      (horizons beyond the cooldown) widen both alike. Named in `method`.
  q_value             Benjamini-Yekutieli over every row here and in marts.fct_thesis_ordering
                      with count_episodes >= min_episodes (8): valid for dependent legs. NULL
                      below 8 episodes.
  loo_min/max_excess  the range of the excess with each episode left out (its stand-in column
                      of the random sets left out too).
  is_fragile          dropping one episode flips the sign of the excess or lifts q above 0.10.
  verdict             'insufficient' (< 8 episodes), 'evidence for' (q < 0.10, excess > 0, not
                      fragile), 'evidence against' (q < 0.10, excess < 0, not fragile), else
                      'no evidence'. No effect size is called significant anywhere else.
"""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.stats.thesis_inputs import evaluated, read_inputs
from transforms.stats.thesis_params import load_params
from transforms.stats.thesis_test import finite_or_none, judged_columns, method_text

DEPENDS_ON = ("marts.fct_thesis_setup", "marts.fct_asset_daily", "marts.fct_alt_basket")
SCHEMA = {
    "leg": pl.Utf8,
    "horizon_days": pl.Int32,
    "count_episodes": pl.Int32,
    "mean_log_ret": pl.Float64,
    "null_mean_log_ret": pl.Float64,
    "excess_log_ret": pl.Float64,
    "p_value": pl.Float64,
    "ci90_low": pl.Float64,
    "ci90_high": pl.Float64,
    "method": pl.Utf8,
    "count_null_draws": pl.Int32,
    "q_value": pl.Float64,
    "loo_min_excess": pl.Float64,
    "loo_max_excess": pl.Float64,
    "is_fragile": pl.Boolean,
    "verdict": pl.Utf8,
}


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart (the transform runner's contract)."""
    params = load_params()
    result = evaluated(read_inputs(con), params)
    rows = [
        {
            "leg": row.key[0],
            "horizon_days": row.key[1],
            "mean_log_ret": finite_or_none(row.test.observed),
            "null_mean_log_ret": finite_or_none(row.test.null_center),
            "excess_log_ret": finite_or_none(row.test.excess),
            "method": method_text(params),
            "count_null_draws": params.null_draws,
            **judged_columns(row),
        }
        for row in result.legs
    ]
    return pl.DataFrame(rows, schema=SCHEMA)
