"""marts.fct_event_study_summary: BTC, ETH and alt returns after R2K breakouts, with error bars.

grain: one row per (asset, horizon_days, liquidity_state); liquidity_state 'any' pools all
       events, the others keep the events whose liquidity_state (as known on the event date)
       was that state. Every combination is present, with n_events = 0 when there is no event.
audits: fct_event_study_summary__unique_asset_horizon_state,
        fct_event_study_summary__ci_is_ordered

Read from marts.fct_r2k_breakout_events, events with a forward return only:
  n_events                     events with a known fwd_ret (the horizon elapsed, data exists)
  mean_fwd_ret, median_fwd_ret the forward return over horizon_days calendar days
  hit_rate                     share of events with fwd_ret > 0
  unconditional_mean_fwd_ret   the baseline: the mean h-day return over every date
  mean_excess_ret, median_excess_ret, hit_rate_vs_unconditional (share with excess > 0)
  excess_ci90_low / _high      a percentile bootstrap 90% interval of the MEAN excess return:
                               BOOTSTRAP_RESAMPLES resamples of the events with replacement,
                               the 5th and 95th percentiles of their means. Seeded with
                               BOOTSTRAP_SEED and the row's key, so every row is reproducible
                               on its own. Null below MIN_EVENTS_FOR_CI events.
  count_overlapping_events     events followed by another within horizon_days: their outcome
                               windows overlap, so they are not independent draws and the
                               interval is too narrow when this count is high.
"""

from __future__ import annotations

import zlib

import duckdb
import numpy as np
import polars as pl

DEPENDS_ON = ("marts.fct_r2k_breakout_events",)

ASSETS = ("BTC", "ETH", "ALTS")
HORIZONS_DAYS = (30, 60, 90, 180)
LIQUIDITY_STATES = ("any", "expanding", "flat", "contracting")
BOOTSTRAP_SEED = 20240501
BOOTSTRAP_RESAMPLES = 10_000
CI_LEVEL = 0.90
MIN_EVENTS_FOR_CI = 2

SCHEMA = {
    "asset": pl.Utf8,
    "horizon_days": pl.Int32,
    "liquidity_state": pl.Utf8,
    "n_events": pl.Int32,
    "mean_fwd_ret": pl.Float64,
    "median_fwd_ret": pl.Float64,
    "hit_rate": pl.Float64,
    "unconditional_mean_fwd_ret": pl.Float64,
    "mean_excess_ret": pl.Float64,
    "median_excess_ret": pl.Float64,
    "hit_rate_vs_unconditional": pl.Float64,
    "excess_ci90_low": pl.Float64,
    "excess_ci90_high": pl.Float64,
    "count_bootstrap_resamples": pl.Int32,
    "count_overlapping_events": pl.Int32,
}


def bootstrap_mean_interval(values: np.ndarray, key: str) -> tuple[float, float]:
    """Percentile bootstrap interval (CI_LEVEL) of the mean of ``values``.

    Args:
        values: the sample, at least one value.
        key: names the row; mixed into the seed so each row has its own fixed stream.

    Returns:
        The lower and upper percentiles of the resampled means.
    """
    rng = np.random.default_rng([BOOTSTRAP_SEED, zlib.crc32(key.encode())])
    picks = rng.integers(0, len(values), size=(BOOTSTRAP_RESAMPLES, len(values)))
    means = values[picks].mean(axis=1)
    tail = (1.0 - CI_LEVEL) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def _overlapping(dates: np.ndarray, horizon_days: int) -> int:
    """How many events are followed by another event within ``horizon_days``."""
    if len(dates) < 2:
        return 0
    gaps = np.diff(np.sort(dates)).astype("timedelta64[D]").astype(np.int64)
    return int((gaps < horizon_days).sum())


def _row(asset: str, horizon: int, state: str, events: pl.DataFrame, baseline: float | None):
    fwd = events["fwd_ret"].to_numpy()
    excess = events["excess_fwd_ret"].to_numpy()
    n = len(fwd)
    row = dict.fromkeys(SCHEMA)
    row.update(
        asset=asset,
        horizon_days=horizon,
        liquidity_state=state,
        n_events=n,
        unconditional_mean_fwd_ret=baseline,
        count_bootstrap_resamples=0,
        count_overlapping_events=_overlapping(events["event_date"].to_numpy(), horizon),
    )
    if n:
        row.update(
            mean_fwd_ret=float(fwd.mean()),
            median_fwd_ret=float(np.median(fwd)),
            hit_rate=float((fwd > 0).mean()),
            mean_excess_ret=float(excess.mean()),
            median_excess_ret=float(np.median(excess)),
            hit_rate_vs_unconditional=float((excess > 0).mean()),
        )
    if n >= MIN_EVENTS_FOR_CI:
        low, high = bootstrap_mean_interval(excess, f"{asset}/{horizon}/{state}")
        row.update(excess_ci90_low=low, excess_ci90_high=high)
        row["count_bootstrap_resamples"] = BOOTSTRAP_RESAMPLES
    return row


def summarise(events: pl.DataFrame) -> pl.DataFrame:
    """Summarise breakout outcomes per asset, horizon and liquidity state.

    Args:
        events: rows of marts.fct_r2k_breakout_events (event_date, asset, horizon_days,
            liquidity_state, fwd_ret, excess_fwd_ret, unconditional_mean_fwd_ret).

    Returns:
        One row per (asset, horizon_days, liquidity_state) with the columns of :data:`SCHEMA`.
    """
    rows = []
    for asset in ASSETS:
        for horizon in HORIZONS_DAYS:
            group = events.filter((pl.col("asset") == asset) & (pl.col("horizon_days") == horizon))
            baselines = group["unconditional_mean_fwd_ret"].drop_nulls()
            baseline = float(baselines[0]) if len(baselines) else None
            with_outcome = group.filter(pl.col("fwd_ret").is_not_null())
            for state in LIQUIDITY_STATES:
                chosen = (
                    with_outcome
                    if state == "any"
                    else with_outcome.filter(pl.col("liquidity_state") == state)
                )
                rows.append(_row(asset, horizon, state, chosen, baseline))
    return pl.DataFrame(rows, schema=SCHEMA)


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from marts.fct_r2k_breakout_events (the transform runner's contract)."""
    events = con.sql(
        "select event_date, asset, horizon_days, liquidity_state, fwd_ret, excess_fwd_ret, "
        "unconditional_mean_fwd_ret from marts.fct_r2k_breakout_events order by event_date"
    ).pl()
    return summarise(events)
