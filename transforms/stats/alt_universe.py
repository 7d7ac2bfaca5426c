"""The point-in-time alt universe: each month's top coins by trailing USD volume, no look-ahead."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from transforms.stats.alt_universe_params import AltUniverseParams

SCHEMA = {
    "rebalance_date": pl.Date,
    "asset": pl.Utf8,
    "volume_rank": pl.Int32,
    "quote_volume_30d_usdt": pl.Float64,
    "listed_date": pl.Date,
    "delisted_date": pl.Date,
}


def daily_usd_volume(klines: pl.DataFrame) -> pl.DataFrame:
    """Each listing's daily volume in USDT over its USDT and BTC pairs.

    Args:
        klines: staging.stg_binance_archive_klines rows (``date``, ``symbol``, ``base_asset``,
            ``quote_asset``, ``listing_id``, ``listed_date``, ``close``, ``quote_volume``).

    Returns:
        ``listing_id``, ``base_asset``, ``listed_date``, ``date``, ``volume_usdt``: USDT quote
        volume plus BTC quote volume x that day's BTCUSDT close; null on a day when a BTC pair
        traded but BTCUSDT has no close (the day's volume is then unknown, not smaller).
    """
    btc = klines.filter(pl.col("symbol") == "BTCUSDT").select("date", btc_close="close")
    priced = klines.join(btc, on="date", how="left").with_columns(
        volume_usdt=pl.when(pl.col("quote_asset") == "USDT")
        .then(pl.col("quote_volume"))
        .otherwise(pl.col("quote_volume") * pl.col("btc_close"))
    )
    return priced.group_by("listing_id", "base_asset", "listed_date", "date").agg(
        volume_usdt=pl.when(pl.col("volume_usdt").is_null().any())
        .then(None)
        .otherwise(pl.col("volume_usdt").sort_by("symbol").sum())
    )


def rebalance_dates(first: date, last: date) -> list[date]:
    """The first calendar day of every month from ``first``'s month on, up to ``last``."""
    dates, day = [], date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            dates.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dates


def _windows_of_days(volume: pl.DataFrame, first: date, last: date, window: int) -> pl.DataFrame:
    """Each daily volume row once per rebalance date whose volume window holds its day.

    A window is the ``window`` days ending on a rebalance date (the first of a month). A day
    belongs to the first rebalance date on or after it, and to each later one whose window
    still reaches back to it (a 30-day window: the next one too when the month is February).

    Returns:
        ``volume``'s rows with a ``rebalance_date`` column (a day in two windows: two rows).
    """
    empty = volume.clear().with_columns(rebalance_date=pl.lit(None, dtype=pl.Date))
    rebalances = rebalance_dates(first, last)
    if not rebalances:
        return empty
    ends = np.array(rebalances, dtype="datetime64[D]")
    days = volume["date"].to_numpy().astype("datetime64[D]")
    first_on_or_after = np.searchsorted(ends, days, side="left")
    parts, step = [], 0
    while True:
        index = first_on_or_after + step
        end = ends[np.minimum(index, len(ends) - 1)]
        inside = (index < len(ends)) & (days > end - np.timedelta64(window, "D"))
        if not inside.any():
            return pl.concat(parts) if parts else empty
        parts.append(volume.filter(inside).with_columns(rebalance_date=pl.Series(end[inside])))
        step += 1


def alt_universe(klines: pl.DataFrame, params: AltUniverseParams) -> pl.DataFrame:
    """The top-N alts at each monthly rebalance, from the archive's daily klines.

    A listing is a candidate at rebalance date r when its base asset is not excluded, it is at
    least ``min_listing_age_days`` old on r, and its USD volume is known on every one of the
    ``volume_window_days`` days ending on r (so it trades on r: a coin delisted before r is
    out, a coin that lists inside the window waits for a full one). Candidates are ranked by
    their window's USD volume (ties by asset), the top ``top_n`` kept. Only rows dated up to r
    are read; delisted_date (the listing's last day, once the archive has run more than
    ``delisted_after_days`` past it) is reported for the reader and never used to select.

    Args:
        klines: staging.stg_binance_archive_klines rows.
        params: the universe's parameters.

    Returns:
        One row per (rebalance_date, asset) with the columns of :data:`SCHEMA`.
    """
    if klines.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    excluded = [
        asset
        for asset in klines["base_asset"].unique().to_list()
        if params.exclusion_reason(asset) is not None
    ]
    volume = daily_usd_volume(klines).filter(~pl.col("base_asset").is_in(excluded))
    last_day = klines["date"].max()
    spans = klines.group_by("listing_id").agg(pl.col("date").max().alias("last_date"))
    spans = spans.with_columns(
        delisted_date=pl.when(
            pl.col("last_date") < pl.lit(last_day) - timedelta(days=params.delisted_after_days)
        ).then(pl.col("last_date"))
    )
    windows = _windows_of_days(volume, klines["date"].min(), last_day, params.volume_window_days)
    ranked = (
        windows.group_by("rebalance_date", "listing_id", "listed_date")
        .agg(
            # summed in date order: a float sum's last bits depend on the order, and a
            # group's row order is not fixed (two builds must give the same table)
            quote_volume_30d_usdt=pl.col("volume_usdt").sort_by("date").sum(),
            count_known_days=pl.col("volume_usdt").is_not_null().sum(),
        )
        .filter(
            (pl.col("count_known_days") == params.volume_window_days)
            & (
                (pl.col("rebalance_date") - pl.col("listed_date")).dt.total_days()
                >= params.min_listing_age_days
            )
        )
        .sort(
            ["rebalance_date", "quote_volume_30d_usdt", "listing_id"],
            descending=[False, True, False],
        )
        .with_columns(
            volume_rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("rebalance_date")
        )
        .filter(pl.col("volume_rank") <= params.top_n)
    )
    ranked = ranked.rename({"listing_id": "asset"})
    ranked = ranked.join(spans.rename({"listing_id": "asset"}), on="asset", how="left")
    return ranked.select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()]).sort(
        "rebalance_date", "volume_rank"
    )
