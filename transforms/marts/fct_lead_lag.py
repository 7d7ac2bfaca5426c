"""marts.fct_lead_lag: lagged cross-correlations of weekly series, over rolling 2-year windows.

grain: one row per (series_x, series_y, window_kind, window_end_date, lag_weeks) with at
       least MIN_OBS pairs of observations.
audits: fct_lead_lag__unique_pair_window_lag, fct_lead_lag__corr_within_bounds

Series, sampled on Wednesdays (the H.4.1 date):
  an asset's weekly return   close(W) / close(W - 7 days) - 1, each close being the latest one
                             on or before that Wednesday and at most 7 days older (crypto and
                             ALTS close every day; equities take the last session)
  NET_LIQ_IMPULSE_13W        chg_13w_usd_bn of marts.fct_liquidity_impulse on W: a level of
                             liquidity growth, correlated with the assets' weekly returns.
                             Dated by reference (W's H.4.1 comes out on W + 1), so lag 0
                             pairs it with the week ending on W; any lag >= 1 is tradeable.
Pairs: RUT with each crypto asset (BTC, ETH, each alt, ALTS); the impulse with every asset.
corr at lag k = Pearson correlation of (x_t, y_{t+k}) over the weeks t of the window where
both exist: k > 0 means series_x LEADS series_y by k weeks, k < 0 that it lags. Lags run
from -MAX_LAG_WEEKS to +MAX_LAG_WEEKS. Both t and t + k must lie inside the window, so n_obs
shrinks as |k| grows; a correlation needs MIN_OBS = 52 pairs, a year of weeks (fewer: no row,
as the best of 53 lags over fewer pairs is mostly noise), and is null when a side is constant.
Windows: window_kind 'rolling_2y' is the WINDOW_WEEKS = 104 weeks ending on window_end_date,
one every WINDOW_STEP_WEEKS = 13 weeks on a fixed grid (Wednesdays a multiple of 13 weeks from
1970-01-07, so a window never moves when history is added); the first windows of a series
are partial, as n_obs shows. window_kind 'full_history' spans every week.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl

DEPENDS_ON = (
    "marts.fct_asset_daily",
    "marts.fct_alt_basket",
    "marts.fct_liquidity_impulse",
)

EQUITIES = ("GSPC", "RUT")
CRYPTO = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "AVAX", "LINK", "ALTS")
IMPULSE = "NET_LIQ_IMPULSE_13W"
PAIRS = tuple(("RUT", asset) for asset in CRYPTO) + tuple(
    (IMPULSE, asset) for asset in EQUITIES + CRYPTO
)
MAX_LAG_WEEKS = 26
WINDOW_WEEKS = 104
WINDOW_STEP_WEEKS = 13
MIN_OBS = 52
MAX_STALE_DAYS = 7
GRID_ORIGIN = date(1970, 1, 7)  # a Wednesday: rolling windows end a multiple of 13 weeks on

SCHEMA = {
    "series_x": pl.Utf8,
    "series_y": pl.Utf8,
    "window_kind": pl.Utf8,
    "window_start_date": pl.Date,
    "window_end_date": pl.Date,
    "lag_weeks": pl.Int32,
    "n_obs": pl.Int32,
    "corr": pl.Float64,
}

WEEKLY_SQL = """
with
prices as (
    select date, asset, close_usd as price_level from marts.fct_asset_daily
    where close_usd is not null and list_contains($assets, asset)
    union all
    select date, 'ALTS' as asset, index_level as price_level from marts.fct_alt_basket
),
bounds as (
    -- the first and last Wednesday (isodow 3) inside the price history
    select
        min(date) + cast((10 - isodow(min(date))) % 7 as integer) as first_week,
        max(date) - cast((isodow(max(date)) + 4) % 7 as integer) as last_week
    from prices
),
weeks as (
    select cast(unnest(generate_series(first_week, last_week, interval 7 day)) as date) as week
    from bounds
),
assets as (select distinct asset from prices),
weekly_closes as (
    select weeks.week, assets.asset,
        case when prices.date >= weeks.week - $stale then prices.price_level end as close_level
    from weeks cross join assets
    asof left join prices on assets.asset = prices.asset and weeks.week >= prices.date
)
select
    this_week.week, this_week.asset,
    this_week.close_level / last_week.close_level - 1 as value
from weekly_closes as this_week
left join weekly_closes as last_week
    on this_week.asset = last_week.asset and this_week.week - 7 = last_week.week
union all
select weeks.week, $impulse as asset, impulse.chg_13w_usd_bn as value
from weeks
left join marts.fct_liquidity_impulse as impulse on weeks.week = impulse.date
"""


def _window_sums(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple:
    """n, sum a, sum b, sum a^2, sum b^2, sum ab over index ranges [lo, hi] where both exist."""
    valid = ~(np.isnan(a) | np.isnan(b))
    a, b = np.where(valid, a, 0.0), np.where(valid, b, 0.0)
    terms = np.stack([valid.astype(float), a, b, a * a, b * b, a * b])
    prefix = np.concatenate([np.zeros((6, 1)), np.cumsum(terms, axis=1)], axis=1)
    empty = lo > hi
    lo, hi = np.clip(lo, 0, len(a)), np.clip(hi + 1, 0, len(a))
    sums = prefix[:, hi] - prefix[:, lo]
    sums[:, empty] = 0.0
    return tuple(sums)


def cross_correlations(
    x: np.ndarray,
    y: np.ndarray,
    window_ends: np.ndarray,
    window_weeks: np.ndarray,
    max_lag: int = MAX_LAG_WEEKS,
) -> tuple[np.ndarray, np.ndarray]:
    """Correlation of (x_t, y_{t+k}) inside each window, for every lag k.

    Args:
        x: weekly series (NaN where missing), one value per grid week.
        y: the other series on the same grid.
        window_ends: index of each window's last week.
        window_weeks: each window's length in weeks.
        max_lag: lags run from -max_lag to +max_lag.

    Returns:
        ``(n_obs, corr)``, each of shape (windows, 2 * max_lag + 1); corr is NaN where a side
        has no variance or there are fewer than two pairs.
    """
    # centring first keeps the one-pass sums accurate; correlation ignores the shift
    x = x - np.nanmean(x) if np.isfinite(x).any() else x
    y = y - np.nanmean(y) if np.isfinite(y).any() else y
    lags = np.arange(-max_lag, max_lag + 1)
    n_obs = np.zeros((len(window_ends), len(lags)))
    corr = np.full((len(window_ends), len(lags)), np.nan)
    starts = window_ends - window_weeks + 1
    for j, k in enumerate(lags):
        shifted = np.full(len(y), np.nan)  # shifted[t] = y[t + k]
        if 0 <= k < len(y):
            shifted[: len(y) - k] = y[k:]
        elif 0 < -k < len(y):
            shifted[-k:] = y[: len(y) + k]
        # t and t + k both inside [start, end]
        lo = starts + max(0, -k)
        hi = window_ends - max(0, k)
        n, sa, sb, saa, sbb, sab = _window_sums(x, shifted, lo, hi)
        cov = n * sab - sa * sb
        var = (n * saa - sa * sa) * (n * sbb - sb * sb)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where((n >= 2) & (var > 0), cov / np.sqrt(np.abs(var)), np.nan)
        n_obs[:, j] = n
        corr[:, j] = np.clip(value, -1.0, 1.0)
    return n_obs, corr


def lead_lag(weekly: pl.DataFrame) -> pl.DataFrame:
    """Cross-correlations for every pair in PAIRS over rolling and full-history windows.

    Args:
        weekly: ``week`` (Wednesdays), ``asset`` and ``value`` rows (weekly returns, or the
            impulse under IMPULSE).

    Returns:
        Rows with the columns of :data:`SCHEMA`.
    """
    if weekly.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    wide = weekly.pivot(on="asset", index="week", values="value").sort("week")
    weeks = wide["week"].to_numpy()
    offsets = (weeks - np.datetime64(GRID_ORIGIN)).astype("timedelta64[D]").astype(np.int64) // 7
    rolling_ends = np.flatnonzero(offsets % WINDOW_STEP_WEEKS == 0)
    ends = np.concatenate([rolling_ends, [len(weeks) - 1]])
    lengths = np.concatenate([np.full(len(rolling_ends), WINDOW_WEEKS), [len(weeks)]])
    kinds = np.array(["rolling_2y"] * len(rolling_ends) + ["full_history"])
    window_start = weeks[np.maximum(ends - lengths + 1, 0)]
    lags = np.arange(-MAX_LAG_WEEKS, MAX_LAG_WEEKS + 1)
    frames = []
    for series_x, series_y in PAIRS:
        if series_x not in wide.columns or series_y not in wide.columns:
            continue
        x = wide[series_x].cast(pl.Float64).fill_null(np.nan).to_numpy()
        y = wide[series_y].cast(pl.Float64).fill_null(np.nan).to_numpy()
        n_obs, corr = cross_correlations(x, y, ends, lengths)
        window_idx, lag_idx = np.nonzero(n_obs >= MIN_OBS)
        frames.append(
            pl.DataFrame(
                {
                    "series_x": series_x,
                    "series_y": series_y,
                    "window_kind": kinds[window_idx],
                    "window_start_date": window_start[window_idx],
                    "window_end_date": weeks[ends[window_idx]],
                    "lag_weeks": lags[lag_idx].astype(np.int32),
                    "n_obs": n_obs[window_idx, lag_idx].astype(np.int32),
                    "corr": pl.Series(corr[window_idx, lag_idx]).fill_nan(None),
                },
                schema=SCHEMA,
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from the daily marts (the transform runner's contract)."""
    weekly = con.sql(
        WEEKLY_SQL,
        params={
            "assets": list(EQUITIES + CRYPTO),
            "stale": MAX_STALE_DAYS,
            "impulse": IMPULSE,
        },
    ).pl()
    return lead_lag(weekly)
