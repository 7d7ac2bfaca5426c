"""The lead-lag marts as frames: fct_lead_lag's and fct_lead_lag_summary's rows, from weekly series.

Windows: 'rolling_2y' is the WINDOW_WEEKS = 104 weeks ending on window_end_date, one every
WINDOW_STEP_WEEKS = 13 weeks on a fixed grid (Wednesdays a multiple of 13 weeks from
1970-01-07, so a window never moves when history is added); the first windows are partial
(missing weeks, as n_obs shows). 'full_history' spans every week.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl
import polars.selectors as cs

from transforms.stats.lead_lag import (
    MAX_LAG_WEEKS,
    MIN_OBS,
    admissible_shifts,
    benjamini_hochberg,
    best_lag_index,
    lag_confidence_set,
    lagged_correlations,
    max_abs_corr_p_value,
    single_lag_p_values,
    window_matrix,
)
from transforms.stats.weekly_series import lead_lag_pairs, weekly_series

WINDOW_WEEKS = 104
WINDOW_STEP_WEEKS = 13
GRID_ORIGIN = date(1970, 1, 7)  # a Wednesday: rolling windows end a multiple of 13 weeks on
# Lags reported whatever the best lag is, fixed before looking: same week, a month, two
# months, a quarter, half a year. Their p-values are NOT adjusted for the five looks.
PREREGISTERED_LAGS = (0, 4, 8, 13, 26)
Q_THRESHOLD = 0.05  # a lead is detected when BH's q < 5% (and the best lag is > 0)

KEY_SCHEMA = {
    "series_x": pl.Utf8,
    "series_y": pl.Utf8,
    "window_kind": pl.Utf8,
    "window_start_date": pl.Date,
    "window_end_date": pl.Date,
}
ROWS_SCHEMA = KEY_SCHEMA | {"lag_weeks": pl.Int32, "n_obs": pl.Int32, "corr": pl.Float64}
SUMMARY_SCHEMA = (
    KEY_SCHEMA
    | {
        "best_lag_weeks": pl.Int32,
        "best_corr": pl.Float64,
        "best_lag_n_obs": pl.Int32,
        "count_lags": pl.Int32,
        "p_value_max_abs_corr": pl.Float64,
        "count_null_shifts": pl.Int32,
        "q_value": pl.Float64,
        "is_lead_detected": pl.Boolean,
        "lag_set_min_weeks": pl.Int32,
        "lag_set_max_weeks": pl.Int32,
        "count_lags_in_set": pl.Int32,
    }
    | {f"corr_lag_{lag}w": pl.Float64 for lag in PREREGISTERED_LAGS}
    | {f"p_value_lag_{lag}w": pl.Float64 for lag in PREREGISTERED_LAGS}
)
LAGS = np.arange(-MAX_LAG_WEEKS, MAX_LAG_WEEKS + 1)


def window_groups(weeks: np.ndarray) -> list[tuple[str, np.ndarray, int]]:
    """The windows over a week grid: ``(window_kind, end indices, length)`` per kind."""
    offsets = (weeks - np.datetime64(GRID_ORIGIN)).astype("timedelta64[D]").astype(np.int64) // 7
    rolling_ends = np.flatnonzero(offsets % WINDOW_STEP_WEEKS == 0)
    return [
        ("rolling_2y", rolling_ends, WINDOW_WEEKS),
        ("full_history", np.array([len(weeks) - 1]), len(weeks)),
    ]


Pairs = list[tuple[str, str]]


def _windows(weekly: pl.DataFrame, pairs: Pairs):
    """Yield ``(keys, x, y)`` per pair and window kind: the windows with MIN_OBS joint weeks.

    keys holds the key columns of those windows; x and y are their (W, N) value matrices.
    Other windows cannot reach MIN_OBS pairs at any lag, so they have no rows.
    """
    wide = weekly.pivot(on="asset", index="week", values="value").sort("week")
    weeks = wide["week"].to_numpy()
    for series_x, series_y in pairs:
        if series_x not in wide.columns or series_y not in wide.columns:
            continue
        x = wide[series_x].cast(pl.Float64).fill_null(np.nan).to_numpy()
        y = wide[series_y].cast(pl.Float64).fill_null(np.nan).to_numpy()
        for kind, ends, length in window_groups(weeks):
            x_windows, y_windows = window_matrix(x, ends, length), window_matrix(y, ends, length)
            usable = (np.isfinite(x_windows) & np.isfinite(y_windows)).sum(axis=1) >= MIN_OBS
            if not usable.any():
                continue
            keys = {
                "series_x": np.full(usable.sum(), series_x),
                "series_y": np.full(usable.sum(), series_y),
                "window_kind": np.full(usable.sum(), kind),
                "window_start_date": weeks[np.maximum(ends - length + 1, 0)][usable],
                "window_end_date": weeks[ends][usable],
            }
            yield keys, x_windows[usable], y_windows[usable]


def _frame(parts: list[dict[str, np.ndarray]], schema: dict) -> pl.DataFrame:
    """One frame from column chunks (NaN becomes null), in the schema's column order."""
    if not parts:
        return pl.DataFrame(schema=schema)
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return pl.DataFrame(columns).with_columns(cs.float().fill_nan(None)).cast(schema)


def lead_lag_rows(weekly: pl.DataFrame, pairs: Pairs) -> pl.DataFrame:
    """marts.fct_lead_lag: the correlation at every lag with at least MIN_OBS pairs.

    Args:
        weekly: ``week``, ``asset`` and ``value`` rows, as from :func:`weekly_series`.
        pairs: the (series_x, series_y) pairs, as from :func:`lead_lag_pairs`.

    Returns:
        Rows with the columns of :data:`ROWS_SCHEMA`.
    """
    parts = []
    for keys, x_windows, y_windows in _windows(weekly, pairs):
        n_obs, corr = lagged_correlations(x_windows, y_windows, np.array([0]))
        window_idx, lag_idx = np.nonzero(n_obs[:, 0] >= MIN_OBS)
        parts.append(
            {name: column[window_idx] for name, column in keys.items()}
            | {
                "lag_weeks": LAGS[lag_idx],
                "n_obs": n_obs[window_idx, 0, lag_idx],
                "corr": corr[window_idx, 0, lag_idx],
            }
        )
    return _frame(parts, ROWS_SCHEMA)


def _summary_columns(x_windows: np.ndarray, y_windows: np.ndarray) -> dict[str, np.ndarray]:
    """Per window: best lag, rotation p-values, lag set and pre-registered lags (NaN: none)."""
    n_weeks = x_windows.shape[1]
    n_obs, corr = lagged_correlations(x_windows, y_windows, np.arange(n_weeks))
    corr[n_obs < MIN_OBS] = np.nan
    observed, every_rotation = corr[:, 0], corr[:, 1:]
    far = every_rotation[:, admissible_shifts(n_weeks) - 1]  # distance > MAX_LAG_WEEKS
    rows = np.arange(len(observed))
    best = best_lag_index(observed, LAGS)
    p_max, count_shifts = max_abs_corr_p_value(observed, every_rotation)
    p_lag = single_lag_p_values(observed, far)
    in_set = lag_confidence_set(observed, far)
    columns = {
        "best_lag_weeks": LAGS[best],
        "best_corr": observed[rows, best],
        "best_lag_n_obs": n_obs[rows, 0, best],
        "count_lags": np.isfinite(observed).sum(axis=1),
        "p_value_max_abs_corr": p_max,
        "count_null_shifts": count_shifts,
        "lag_set_min_weeks": np.where(in_set, LAGS, MAX_LAG_WEEKS + 1).min(axis=1),
        "lag_set_max_weeks": np.where(in_set, LAGS, -MAX_LAG_WEEKS - 1).max(axis=1),
        "count_lags_in_set": in_set.sum(axis=1),
    }
    for lag in PREREGISTERED_LAGS:
        columns[f"corr_lag_{lag}w"] = observed[:, lag + MAX_LAG_WEEKS]
        columns[f"p_value_lag_{lag}w"] = p_lag[:, lag + MAX_LAG_WEEKS]
    return columns


def lead_lag_summary(weekly: pl.DataFrame, pairs: Pairs) -> pl.DataFrame:
    """marts.fct_lead_lag_summary: each pair and window's best lag, tested against the null.

    Args:
        weekly: ``week``, ``asset`` and ``value`` rows, as from :func:`weekly_series`.
        pairs: the (series_x, series_y) pairs, as from :func:`lead_lag_pairs`.

    Returns:
        One row per (series_x, series_y, window_kind, window_end_date) with a correlation at
        some lag, with the columns of :data:`SUMMARY_SCHEMA`; q_value is Benjamini-Hochberg
        over every row of the same window_kind.
    """
    parts = []
    for keys, x_windows, y_windows in _windows(weekly, pairs):
        columns = _summary_columns(x_windows, y_windows)
        kept = np.flatnonzero(columns["count_lags"] > 0)  # a side may be constant
        parts.append({name: column[kept] for name, column in (keys | columns).items()})
    if not parts:
        return pl.DataFrame(schema=SUMMARY_SCHEMA)
    kinds = np.concatenate([part["window_kind"] for part in parts])
    p_values = np.concatenate([part["p_value_max_abs_corr"] for part in parts])
    q_values = np.full(len(p_values), np.nan)
    for kind in np.unique(kinds):
        q_values[kinds == kind] = benjamini_hochberg(p_values[kinds == kind])
    best_lags = np.concatenate([part["best_lag_weeks"] for part in parts])
    parts = [
        {"q_value": q_values, "is_lead_detected": (q_values < Q_THRESHOLD) & (best_lags > 0)}
        | {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    ]
    return (
        _frame(parts, SUMMARY_SCHEMA)
        .select(list(SUMMARY_SCHEMA))
        .sort("series_x", "series_y", "window_kind", "window_end_date")
    )


def weekly_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, Pairs]:
    """The weekly series and the pairs of both lead-lag marts, read from the marts.

    Args:
        con: a warehouse with marts.dim_asset (the universe), fct_asset_daily, fct_alt_basket
            and fct_net_liquidity_weekly.

    Returns:
        ``(weekly, pairs)`` for :func:`lead_lag_rows` and :func:`lead_lag_summary`.
    """
    assets = con.sql("select asset, asset_class, ladder_rank from marts.dim_asset").pl()
    weekly = weekly_series(
        con.sql("select date, asset, close_usd from marts.fct_asset_daily").pl(),
        con.sql("select date, index_level from marts.fct_alt_basket").pl(),
        con.sql("select date, net_liquidity_usd_bn from marts.fct_net_liquidity_weekly").pl(),
        assets,
    )
    return weekly, lead_lag_pairs(assets)
