"""marts.fct_alt_universe: the top alts by trailing USD volume at each monthly rebalance.

grain: one row per (rebalance_date, asset) of the top N (transforms/alt_universe.yml).
audits: fct_alt_universe__unique_rebalance_date_asset, fct_alt_universe__rank_and_eligibility

asset is the listing_id of staging.stg_binance_archive_klines (base asset @ listing date, e.g.
LUNA@2022-05-31): a coin is keyed by symbol AND listing period, so a reused symbol is a new
coin with a new listing age. The rules (point in time: only rows dated up to the rebalance are
read) are in transforms/stats/alt_universe.py; delisted_date is the eventual last traded day,
reported for the reader and never used to select (at a rebalance a coin is simply listed).
"""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.stats.alt_universe import alt_universe
from transforms.stats.alt_universe_params import load_params

DEPENDS_ON = ("staging.stg_binance_archive_klines",)


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart from staging.stg_binance_archive_klines (the transform runner's contract)."""
    klines = con.sql(
        "select date, symbol, base_asset, quote_asset, listing_id, listed_date, close, "
        "quote_volume from staging.stg_binance_archive_klines order by date, symbol"
    ).pl()
    return alt_universe(klines, load_params())
