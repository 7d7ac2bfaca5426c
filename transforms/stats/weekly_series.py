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

The universe comes from marts.dim_asset: its equity indices and its crypto assets (by ladder
rank), plus ALTS. The pairs: RUT with each crypto asset and ALTS; NET_LIQ_CHG_1W with every
asset.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

NET_LIQUIDITY = "NET_LIQ_CHG_1W"
ALTS = "ALTS"  # marts.fct_alt_basket's index
BENCHMARK = "RUT"  # the equity series every crypto asset is paired with
# marts.dim_asset classes whose assets get a weekly series
EQUITY_CLASS, CRYPTO_CLASS = "equity_index", "crypto"
MAX_STALE_DAYS = 7  # an equity's last session before a Wednesday holiday still counts
WEDNESDAY = 3  # polars ISO weekday

WEEKLY_SCHEMA = {"week": pl.Date, "asset": pl.Utf8, "value": pl.Float64}


def _wednesdays(dates: pl.Series) -> pl.Series:
    first, last = dates.min(), dates.max()
    first += timedelta(days=(WEDNESDAY - first.isoweekday()) % 7)
    last -= timedelta(days=(last.isoweekday() - WEDNESDAY) % 7)
    return pl.date_range(first, last, interval="7d", eager=True).alias("week")


def _classes(assets: pl.DataFrame) -> tuple[list[str], list[str]]:
    """The equity indices (by name) and the crypto assets (by ladder rank) of dim_asset rows."""
    ordered = assets.sort("ladder_rank", "asset", nulls_last=True)
    equities = sorted(ordered.filter(asset_class=EQUITY_CLASS)["asset"].to_list())
    return equities, ordered.filter(asset_class=CRYPTO_CLASS)["asset"].to_list()


def lead_lag_pairs(assets: pl.DataFrame) -> list[tuple[str, str]]:
    """The (x, y) series pairs the lead-lag marts correlate.

    Args:
        assets: rows of marts.dim_asset (``asset``, ``asset_class``, ``ladder_rank``).

    Returns:
        RUT with each crypto asset and ALTS, then NET_LIQ_CHG_1W with every equity index,
        crypto asset and ALTS.
    """
    equities, crypto = _classes(assets)
    crypto = [*crypto, ALTS]
    return [(BENCHMARK, asset) for asset in crypto] + [
        (NET_LIQUIDITY, asset) for asset in equities + crypto
    ]


def weekly_series(
    asset_daily: pl.DataFrame,
    alt_basket: pl.DataFrame,
    net_liquidity_weekly: pl.DataFrame,
    assets: pl.DataFrame,
) -> pl.DataFrame:
    """Weekly log returns of every asset and the weekly net liquidity change, on Wednesdays.

    Args:
        asset_daily: rows of marts.fct_asset_daily (``date``, ``asset``, ``close_usd``).
        alt_basket: rows of marts.fct_alt_basket (``date``, ``index_level``), the ALTS series.
        net_liquidity_weekly: rows of marts.fct_net_liquidity_weekly (``date``,
            ``net_liquidity_usd_bn``).
        assets: rows of marts.dim_asset: its equity indices and crypto assets get a series.

    Returns:
        ``week``, ``asset`` and ``value`` rows: one per asset (and NET_LIQ_CHG_1W) and
        Wednesday, ``value`` null where the change is unknown.
    """
    equities, crypto = _classes(assets)
    prices = pl.concat(
        [
            asset_daily.filter(
                pl.col("close_usd").is_not_null() & pl.col("asset").is_in(equities + crypto)
            ).select("date", "asset", price_level=pl.col("close_usd")),
            alt_basket.filter(pl.col("index_level").is_not_null()).select(
                "date", asset=pl.lit(ALTS), price_level=pl.col("index_level")
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
