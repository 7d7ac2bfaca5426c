"""marts.fct_alt_basket: an equal-weight index of the alts, rebalanced monthly (one row per date).

grain: one row per calendar date on which at least one alt is eligible (in practice every
       date from the first alt close to the last one).
audits: fct_alt_basket__unique_date, fct_alt_basket__ret_1d_matches_level

The basket is the fifth rung of the risk ladder (marts.fct_risk_ladder, asset code ALTS).
  - Members: the ALTS below. An alt is eligible on a date once it has its first close and as
    long as its latest close is at most STALE_DAYS old (so a delisted coin drops out at the
    next rebalance instead of sitting in the index at a frozen price).
  - Rebalance: at the close of the first date, of the first calendar day of each month, and of
    any day the eligible set changes (a new listing enters the basket from its first date).
    At a rebalance the level is split equally: each member holds level / n of value, i.e.
    ``units_i = level / (n * close_i)``; between rebalances the units are fixed, so weights
    drift with prices (a buy-and-hold month, as an investor would hold it).
  - Level: BASE_LEVEL on the first date; ``level_t = sum_i units_i * close_i,t`` with each
    member's last close carried over a missing day. It is an index (points), not USD.
  - ret_1d = level_t / level_{t-1} - 1: crypto trades every day, so rows are calendar days;
    null on the first date and on the first date after a hole in every alt's data (no rows
    during the hole; the first row after it values the units held before it at the new
    closes, so the move over the hole is kept, just not called a one-day return).
Everything on a date uses closes up to that date only.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

DEPENDS_ON = ("marts.fct_asset_daily",)

ALTS = ("SOL", "BNB", "XRP", "ADA", "DOGE", "AVAX", "LINK")
BASE_LEVEL = 100.0
STALE_DAYS = 7

SCHEMA = {
    "date": pl.Date,
    "index_level": pl.Float64,
    "ret_1d": pl.Float64,
    "count_constituents": pl.Int32,
    "is_rebalance_date": pl.Boolean,
    "constituents": pl.Utf8,
}


def _price_grid(closes: pl.DataFrame) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Calendar dates, asset names, closes carried forward, and days since each last close."""
    first, last = closes["date"].min(), closes["date"].max()
    calendar = pl.DataFrame({"date": pl.date_range(first, last, "1d", eager=True)})
    wide = calendar.join(
        closes.pivot(on="asset", index="date", values="close_usd"), on="date", how="left"
    ).sort("date")
    assets = sorted(c for c in wide.columns if c != "date")
    observed = wide.select(assets).to_numpy().astype(float)
    n_days = len(wide)
    seen = ~np.isnan(observed)
    # index of each asset's latest close on or before each day (-1 before its first close)
    last_seen = np.where(seen, np.arange(n_days)[:, None], -1)
    last_seen = np.maximum.accumulate(last_seen, axis=0)
    carried = np.take_along_axis(observed, np.maximum(last_seen, 0), axis=0)
    carried[last_seen < 0] = np.nan
    age = np.where(last_seen >= 0, np.arange(n_days)[:, None] - last_seen, np.iinfo(np.int64).max)
    return wide["date"].to_numpy(), assets, carried, age


def basket(closes: pl.DataFrame) -> pl.DataFrame:
    """The equal-weight alt basket from daily alt closes.

    Args:
        closes: ``date``, ``asset``, ``close_usd`` rows of the alts (other assets are ignored).

    Returns:
        One row per calendar date with the columns of :data:`SCHEMA`.
    """
    closes = closes.filter(pl.col("asset").is_in(ALTS) & pl.col("close_usd").is_not_null())
    if closes.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    dates, assets, price, age = _price_grid(closes)
    eligible = age <= STALE_DAYS
    month_start = dates.astype("datetime64[M]").astype("datetime64[D]") == dates
    set_changed = np.concatenate([[True], (eligible[1:] != eligible[:-1]).any(axis=1)])
    # a day with no eligible alt (a hole in every alt's data) cannot rebalance: it keeps the
    # old units, and has no row below
    rebalance = (month_start | set_changed) & eligible.any(axis=1)
    level, held = _levels(np.nan_to_num(price), eligible, np.flatnonzero(rebalance))
    keep = eligible.any(axis=1)
    ordinal = dates.astype("datetime64[D]").astype(np.int64)[keep]
    level, held, dates, rebalance = level[keep], held[keep], dates[keep], rebalance[keep]
    # a return spans one day only: after a hole the first return is null
    consecutive = np.concatenate([[False], np.diff(ordinal) == 1])
    previous = np.concatenate([[np.nan], level[:-1]])
    ret = np.where(consecutive, level / previous - 1.0, np.nan)
    names = np.array(assets)
    return pl.DataFrame(
        {
            "date": dates,
            "index_level": level,
            "ret_1d": pl.Series(ret).fill_nan(None),
            "count_constituents": held.sum(axis=1).astype(np.int32),
            "is_rebalance_date": rebalance,
            "constituents": [",".join(names[row]) for row in held],
        },
        schema=SCHEMA,
    )


def _levels(
    price: np.ndarray, eligible: np.ndarray, rebalances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index level of each day and the members held after its close.

    Args:
        price: days x assets closes, carried over missing days (0 before an asset starts).
        eligible: days x assets, may enter the basket at that day's close.
        rebalances: indices of the rebalance days, ascending, the first one being day 0.

    Returns:
        ``(level, held)``: level per day; days x assets booleans of the members held
        after that day's close (all False before the first rebalance).
    """
    level = np.full(len(price), BASE_LEVEL)
    held = np.zeros(eligible.shape, dtype=bool)
    ends = np.append(rebalances[1:], len(price) - 1)
    for start, end in zip(rebalances, ends, strict=True):
        members = eligible[start]
        # at the close of `start` each member gets level / n of value ...
        units = np.zeros(len(members))
        units[members] = level[start] / (members.sum() * price[start, members])
        # ... and the units are then valued at each close up to and including the next rebalance
        level[start + 1 : end + 1] = price[start + 1 : end + 1] @ units
        held[start : end + 1] = members
    return level, held


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from marts.fct_asset_daily (the transform runner's contract)."""
    closes = con.sql(
        "select date, asset, close_usd from marts.fct_asset_daily "
        "where list_contains($alts, asset) order by date",
        params={"alts": list(ALTS)},
    ).pl()
    return basket(closes)
