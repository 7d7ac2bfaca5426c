"""marts.fct_thesis_setup: is the thesis setup on, session by session, as known at the time.

grain: one row per RUT (NYSE) session of marts.fct_risk_ladder.
audits: fct_thesis_setup__unique_date, fct_thesis_setup__setup_is_both_conditions

The setup holds on session d when both are true at the end of d (transforms/thesis.yml):
  - liquidity is expanding: the 13-week impulse of net liquidity (WALCL - TGA - RRP), BOTH ends
    as published by d (transforms/stats/liquidity_known.py: ALFRED vintages where loaded, else
    the latest values from their release lag), exceeds liquidity_threshold_pct_walcl percent of
    WALCL as known on d;
  - the R2K is in a strong uptrend: its daily condition (close > 50-session mean > 200-session
    mean, 200-session mean rising over 20 sessions) has held uptrend_confirm_sessions
    consecutive sessions; the state ends after uptrend_exit_sessions sessions without it.
Both are causal: no row changes when data after d arrives.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from transforms.stats.liquidity_known import liquidity_as_known, published_values
from transforms.stats.thesis_params import load_params
from transforms.stats.thesis_setup import run_starts, setup_flags

DEPENDS_ON = (
    "staging.stg_fred_vintages",
    "staging.stg_fred_observations",
    "staging.stg_treasury_tga",
    "marts.fct_risk_ladder",
)
SCHEMA = {
    "date": pl.Date,
    "walcl_observation_date": pl.Date,
    "walcl_usd_bn": pl.Float64,
    "net_liquidity_usd_bn": pl.Float64,
    "impulse_13w_usd_bn": pl.Float64,
    "impulse_13w_pct_walcl": pl.Float64,
    "is_liquidity_expanding": pl.Boolean,
    "rut_close_usd": pl.Float64,
    "is_r2k_condition": pl.Boolean,
    "r2k_uptrend_sessions": pl.Int32,
    "is_r2k_strong_uptrend": pl.Boolean,
    "is_setup": pl.Boolean,
    "setup_since_date": pl.Date,
}
_RUT = """
    select
        date,
        price_level as rut_close_usd,
        coalesce(
            close_vs_sma_50d > 0 and sma_50d > sma_200d and sma_200d_slope_20d > 0, false
        ) as is_r2k_condition
    from marts.fct_risk_ladder
    where asset = 'RUT'
    order by date
"""


def _sessions_in_state(state: np.ndarray) -> np.ndarray:
    """Consecutive sessions the state has been on, this one counted (0 when off)."""
    count = np.zeros(len(state), dtype=np.int32)
    running = 0
    for i, on in enumerate(state.tolist()):
        running = running + 1 if on else 0
        count[i] = running
    return count


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart (the transform runner's contract)."""
    params = load_params()
    rut = con.sql(_RUT).pl()
    published = published_values(
        con.sql("select * from staging.stg_fred_vintages").pl(),
        con.sql("select * from staging.stg_fred_observations").pl(),
        con.sql("select record_date, tga_usd_bn from staging.stg_treasury_tga").pl(),
        params.release_lag_days,
    )
    liquidity = liquidity_as_known(published, rut["date"], params.max_age_days, params.impulse_days)
    impulse_pct = liquidity["impulse_13w_pct_walcl"].fill_null(np.nan).to_numpy()
    condition = rut["is_r2k_condition"].to_numpy().astype(bool)
    expanding, uptrend, setup = setup_flags(
        impulse_pct,
        condition,
        params.liquidity_threshold_pct_walcl,
        params.uptrend_confirm_sessions,
        params.uptrend_exit_sessions,
    )
    days = rut["date"].to_numpy().astype("datetime64[D]")
    frame = liquidity.drop("date").with_columns(
        date=rut["date"],
        is_liquidity_expanding=pl.Series(expanding),
        rut_close_usd=rut["rut_close_usd"],
        is_r2k_condition=pl.Series(condition),
        r2k_uptrend_sessions=pl.Series(_sessions_in_state(uptrend)),
        is_r2k_strong_uptrend=pl.Series(uptrend),
        is_setup=pl.Series(setup),
        setup_since_date=pl.Series(run_starts(setup, days)),
    )
    return frame.select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()])
