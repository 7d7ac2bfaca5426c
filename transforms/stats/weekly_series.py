"""The weekly series the lead-lag marts correlate: Wednesday log returns and liquidity changes.

Every series is a weekly CHANGE, never a level (two trending levels correlate at every lag):
  an asset's weekly log return   ln(close(W) / close(W - 7 days)), each close being the latest
                                 one on or before that Wednesday and at most MAX_STALE_DAYS
                                 older (crypto and ALTS close every day; equities take the last
                                 session); null when either close is missing.
  NET_LIQ_CHG_1W                 net_liquidity_usd_bn(W) - net_liquidity_usd_bn(W - 7 days) of
                                 marts.fct_net_liquidity_weekly, in USD bn: the liquidity
                                 "return". Dated by reference (W's H.4.1 comes out on W + 1), so
                                 lag 0 pairs it with the week ending on W; any lag >= 1 is
                                 tradeable.
The weeks run from the first to the last Wednesday inside the price history.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

EQUITIES = ("GSPC", "RUT")
CRYPTO = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "AVAX", "LINK", "ALTS")
NET_LIQUIDITY = "NET_LIQ_CHG_1W"
# RUT against each crypto asset; the weekly liquidity change against every asset
PAIRS = tuple(("RUT", asset) for asset in CRYPTO) + tuple(
    (NET_LIQUIDITY, asset) for asset in EQUITIES + CRYPTO
)
MAX_STALE_DAYS = 7  # an equity's last session before a Wednesday holiday still counts
WEDNESDAY = 3  # polars ISO weekday

WEEKLY_SCHEMA = {"week": pl.Date, "asset": pl.Utf8, "value": pl.Float64}


def _wednesdays(dates: pl.Series) -> pl.Series:
    first, last = dates.min(), dates.max()
    first += timedelta(days=(WEDNESDAY - first.isoweekday()) % 7)
    last -= timedelta(days=(last.isoweekday() - WEDNESDAY) % 7)
    return pl.date_range(first, last, interval="7d", eager=True).alias("week")


def weekly_series(
    asset_daily: pl.DataFrame, alt_basket: pl.DataFrame, net_liquidity_weekly: pl.DataFrame
) -> pl.DataFrame:
    """Weekly log returns of every asset and the weekly net liquidity change, on Wednesdays.

    Args:
        asset_daily: rows of marts.fct_asset_daily (``date``, ``asset``, ``close_usd``).
        alt_basket: rows of marts.fct_alt_basket (``date``, ``index_level``), the ALTS series.
        net_liquidity_weekly: rows of marts.fct_net_liquidity_weekly (``date``,
            ``net_liquidity_usd_bn``).

    Returns:
        ``week``, ``asset`` and ``value`` rows: one per asset (and NET_LIQ_CHG_1W) and
        Wednesday, ``value`` null where the change is unknown.
    """
    prices = pl.concat(
        [
            asset_daily.filter(
                pl.col("close_usd").is_not_null() & pl.col("asset").is_in(EQUITIES + CRYPTO)
            ).select("date", "asset", price_level=pl.col("close_usd")),
            alt_basket.filter(pl.col("index_level").is_not_null()).select(
                "date", asset=pl.lit("ALTS"), price_level=pl.col("index_level")
            ),
        ]
    ).sort("date")
    if prices.is_empty():
        return pl.DataFrame(schema=WEEKLY_SCHEMA)
    weeks = _wednesdays(prices["date"]).to_frame()
    if weeks.is_empty():
        return pl.DataFrame(schema=WEEKLY_SCHEMA)
    grid = weeks.join(prices.select("asset").unique(), how="cross").sort("week")
    closes = grid.join_asof(
        prices,
        left_on="week",
        right_on="date",
        by="asset",
        strategy="backward",
        tolerance=timedelta(days=MAX_STALE_DAYS),
        check_sortedness=False,  # both sides are sorted by date above
    )
    previous = pl.col("price_level").shift(1).over("asset", order_by="week")
    returns = closes.select(
        "week",
        "asset",
        value=pl.when((pl.col("price_level") > 0) & (previous > 0)).then(
            (pl.col("price_level") / previous).log()
        ),
    )
    net = weeks.join(
        net_liquidity_weekly.select(pl.col("date").alias("week"), "net_liquidity_usd_bn"),
        on="week",
        how="left",
    ).sort("week")
    changes = net.select(
        "week",
        asset=pl.lit(NET_LIQUIDITY),
        value=pl.col("net_liquidity_usd_bn") - pl.col("net_liquidity_usd_bn").shift(1),
    )
    return pl.concat([returns, changes]).cast(WEEKLY_SCHEMA)  # type: ignore[arg-type]
