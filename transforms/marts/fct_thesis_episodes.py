"""marts.fct_thesis_episodes: the independent episodes of the thesis setup and what followed.

grain: one row per episode (primary setting of transforms/thesis.yml).
audits: fct_thesis_episodes__unique_episode, fct_thesis_episodes__starts_are_a_cooldown_apart

An episode starts on the first session on which marts.fct_thesis_setup.is_setup holds that is
at least cooldown_days (90) after the previous episode's start; a setup still running when the
cooldown ends starts a new episode that day. The setup is known only after the close of its
start day (WALCL is out at 16:30 ET), so returns start at the close of the NEXT session
(entry_date). <leg>_log_ret_<h>d is the log return from the entry close to the latest close on
or before entry + h calendar days (at most 7 days old), NULL while that day has not come:
  btc, eth, alts              ln(P_t / P_entry) of BTC, ETH and the alt basket (ALTS)
  btc_vs_rut, eth_vs_btc,     the log relative returns up the ladder: the first asset's log
  alts_vs_eth                 return minus the second's
<leg>_peak_day is the day (1-180 after entry) on which that ratio was highest, NULL until 180
days have elapsed. Nothing in a row is read from before its start date except the setup.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from transforms.stats.forward_paths import LEGS, NO_ENTRY, ROTATION_LEGS
from transforms.stats.thesis_inputs import evaluated, read_inputs
from transforms.stats.thesis_params import load_params

DEPENDS_ON = ("marts.fct_thesis_setup", "marts.fct_asset_daily", "marts.fct_alt_basket")
SETUP_COLUMNS = (
    "walcl_observation_date",
    "impulse_13w_usd_bn",
    "impulse_13w_pct_walcl",
    "net_liquidity_usd_bn",
    "rut_close_usd",
    "r2k_uptrend_sessions",
)


def _dates(day_numbers: np.ndarray) -> pl.Series:
    values = day_numbers.astype("datetime64[D]")
    return pl.Series(np.where(day_numbers != NO_ENTRY, values, np.datetime64("NaT"))).cast(pl.Date)


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart (the transform runner's contract)."""
    params = load_params()
    result = evaluated(read_inputs(con), params)
    starts = result.episodes
    frame = pl.DataFrame(
        {
            "episode_id": pl.Series(np.arange(1, len(starts) + 1), dtype=pl.Int32),
            "start_date": _dates(result.paths.start_days[starts]),
            "entry_date": _dates(result.paths.entry_days[starts]),
        }
    )
    setup = con.sql(
        f"select date as start_date, {', '.join(SETUP_COLUMNS)} from marts.fct_thesis_setup"
    ).pl()
    frame = frame.join(setup, on="start_date", how="left")
    returns = {
        f"{leg}_log_ret_{h}d": pl.Series(result.paths.returns[leg][h][starts], nan_to_null=True)
        for leg in LEGS
        for h in params.horizons_days
    }
    peaks = {
        f"{leg}_peak_day": pl.Series(result.paths.peak_days[leg][starts], nan_to_null=True).cast(
            pl.Int32
        )
        for leg in ROTATION_LEGS
    }
    return frame.with_columns(
        pl.col("r2k_uptrend_sessions").cast(pl.Int32), **returns, **peaks
    ).sort("episode_id")
