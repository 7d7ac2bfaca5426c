"""marts.fct_alt_basket: an equal-weight index of each month's alt universe (one row per date).

grain: one row per calendar date on which the basket holds at least ``min_members`` alts
       (transforms/alt_universe.yml).
audits: fct_alt_basket__unique_date, fct_alt_basket__ret_1d_matches_level

The basket is the fifth rung of the risk ladder (marts.fct_risk_ladder, asset code ALTS).
  - Members: the coins of marts.fct_alt_universe at each monthly rebalance (the close of the
    month's first calendar day), chosen point in time, delisted coins included while listed.
  - Rebalance: at that close the level is split equally, ``units_i = level / (n * close_i)``;
    between rebalances the units are fixed (a buy-and-hold month). A month whose universe has
    fewer than min_members coins holds cash (level flat) and has no rows.
  - A member without a close on a day is valued at its last close: a coin that stops trading
    (delisted) exits at its last close and its value sits as cash until the next rebalance.
    count_constituents and constituents count the members with a close that day (not cash).
  - Prices in USD: the archive's USDT close, else its BTC close x that day's BTCUSDT close;
    for the days marts.fct_asset_daily serves a coin's base asset (the live klines), its
    close_usd wins. A live row belongs to the listing that spans its date (the newest listing
    of the base asset runs on).
  - Level: BASE_LEVEL at the first rebalance with enough members; it is an index, not USD.
  - ret_1d = level_t / level_{t-1} - 1 when the previous calendar day has a row, else null.
Everything on a date uses closes up to that date only.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from transforms.stats.alt_universe_params import load_params

DEPENDS_ON = (
    "marts.fct_alt_universe",
    "staging.stg_binance_archive_klines",
    "marts.fct_asset_daily",
)

BASE_LEVEL = 100.0

SCHEMA = {
    "date": pl.Date,
    "index_level": pl.Float64,
    "ret_1d": pl.Float64,
    "count_constituents": pl.Int32,
    "is_rebalance_date": pl.Boolean,
    "constituents": pl.Utf8,
}

CLOSES_SQL = """
with

archive as (select * from staging.stg_binance_archive_klines),

btc as (select date, close as btc_close from archive where symbol = 'BTCUSDT'),

listings as (
    select
        listing_id,
        base_asset,
        min(date) as listed_date,
        max(date) as last_date,
        min(date) = max(min(date)) over (partition by base_asset) as is_newest
    from archive
    group by listing_id, base_asset
),

archive_usd as (
    select
        archive.listing_id,
        archive.date,
        coalesce(
            max(case when archive.quote_asset = 'USDT' then archive.close end),
            max(case when archive.quote_asset = 'BTC' then archive.close * btc.btc_close end)
        ) as close_usd
    from archive
    left join btc on archive.date = btc.date
    group by archive.listing_id, archive.date
),

live as (
    select listings.listing_id, live.date, live.close_usd
    from marts.fct_asset_daily as live
    inner join listings
        on live.asset = listings.base_asset
        and live.date >= listings.listed_date
        and (live.date <= listings.last_date or listings.is_newest)
    where live.close_usd is not null
)

select
    coalesce(live.listing_id, archive_usd.listing_id) as asset,
    coalesce(live.date, archive_usd.date) as date,
    coalesce(live.close_usd, archive_usd.close_usd) as close_usd
from live
full outer join archive_usd
    on live.listing_id = archive_usd.listing_id and live.date = archive_usd.date
where list_contains($members, coalesce(live.listing_id, archive_usd.listing_id))
order by date, asset
"""


def basket(universe: pl.DataFrame, closes: pl.DataFrame, min_members: int) -> pl.DataFrame:
    """The equal-weight alt basket from the monthly universe and the members' daily closes.

    Args:
        universe: ``rebalance_date``, ``asset`` rows of marts.fct_alt_universe.
        closes: ``date``, ``asset``, ``close_usd`` rows (other assets are ignored).
        min_members: fewest members the basket needs to be invested and to have a row.

    Returns:
        One row per calendar date with the columns of :data:`SCHEMA`.
    """
    members = {
        row["rebalance_date"]: set(row["asset"])
        for row in universe.group_by("rebalance_date").agg("asset").iter_rows(named=True)
    }
    invested = sorted(day for day, assets in members.items() if len(assets) >= min_members)
    if not invested:
        return pl.DataFrame(schema=SCHEMA)
    closes = closes.filter(
        pl.col("asset").is_in(list(set().union(*members.values())))
        & pl.col("close_usd").is_not_null()
        & (pl.col("date") >= invested[0])
    )
    if closes.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    calendar = pl.DataFrame(
        {"date": pl.date_range(invested[0], closes["date"].max(), "1d", eager=True)}
    )
    wide = calendar.join(
        closes.pivot(on="asset", index="date", values="close_usd"), on="date", how="left"
    ).sort("date")
    names = sorted(c for c in wide.columns if c != "date")
    price = wide.select(names).to_numpy().astype(float)
    dates = wide["date"].to_list()
    level, held, rebalanced = _levels(price, [members.get(d) for d in dates], names, min_members)
    count = held.sum(axis=1)
    keep = count >= min_members
    previous = np.concatenate([[np.nan], level[:-1]])
    consecutive = np.concatenate([[False], keep[:-1]])
    ret = np.where(consecutive, level / previous - 1.0, np.nan)
    labels = np.array(names)
    return pl.DataFrame(
        {
            "date": wide["date"],
            "index_level": level,
            "ret_1d": pl.Series(ret).fill_nan(None),
            "count_constituents": count.astype(np.int32),
            "is_rebalance_date": rebalanced,
            "constituents": [",".join(labels[row]) for row in held],
        },
        schema=SCHEMA,
    ).filter(pl.Series(keep))


def _levels(
    price: np.ndarray, members: list[set[str] | None], names: list[str], min_members: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level of each day, the members held with a close that day, and the rebalance days.

    Args:
        price: days x assets closes (NaN on a day without one).
        members: per day, the universe when it is a rebalance date, else None.
        names: the assets of ``price``'s columns.
        min_members: fewest members to invest in; a smaller universe holds cash.

    Returns:
        ``(level, held, rebalanced)``: level per day (BASE_LEVEL on day 0), days x assets
        booleans, and per day whether the basket was rebalanced into members at its close.
    """
    n_days, n_assets = price.shape
    level = np.zeros(n_days)
    held = np.zeros((n_days, n_assets), dtype=bool)
    rebalanced = np.zeros(n_days, dtype=bool)
    units, cash = np.zeros(n_assets), BASE_LEVEL
    last = np.full(n_assets, np.nan)
    for day in range(n_days):
        traded = ~np.isnan(price[day])
        last[traded] = price[day, traded]
        # a member without a close today is worth its last close: cash, in effect
        value = cash + float(units[units > 0] @ last[units > 0])
        if members[day] is not None:
            chosen = np.array([name in members[day] for name in names]) & traded
            units, cash = np.zeros(n_assets), value
            if chosen.sum() >= min_members:
                units[chosen] = value / (chosen.sum() * price[day, chosen])
                cash, rebalanced[day] = 0.0, True
        level[day] = value
        held[day] = (units > 0) & traded
    return level, held, rebalanced


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from the universe, archive and live closes (the runner's contract)."""
    universe = con.sql("select rebalance_date, asset from marts.fct_alt_universe").pl()
    if universe.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    closes = con.sql(CLOSES_SQL, params={"members": universe["asset"].unique().to_list()}).pl()
    return basket(universe, closes, load_params().min_members)
