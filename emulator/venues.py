"""The synthetic coins as USD venues (Coinbase, Kraken) quote them: USDT is not quite a dollar.

A USD venue's price is the Binance USDT price times the day's USDT/USD rate (1 plus a few basis
points of persistent noise, shared by every venue) times the venue's own daily dislocation (a
few basis points), rounded to the venue's tick. Volumes are a share of Binance's. Every candle
is scaled by one factor per day, so OHLC stays consistent after rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from emulator.candles import PRICE_FIELDS, as_of_now, served_days
from emulator.market import START, build_market
from emulator.noise import ar1, stream
from emulator.reply import Snapshot

USDT_DEPEG_SD = 0.0005  # USDT/USD: within a few bp of par, persistent
VENUE_SD = 0.0003  # each venue's own daily dislocation


@dataclass(frozen=True)
class Listing:
    """One coin on one USD venue."""

    symbol: str  # the synthetic market's Binance symbol, e.g. "BTCUSDT"
    listing: date  # the venue's first daily candle
    decimals: int  # price decimals: the quote increment is 10**-decimals USD

    @property
    def tick(self) -> float:
        """The quote increment in USD."""
        return 10.0**-self.decimals


@dataclass(frozen=True)
class Venue:
    """A USD venue: its share of Binance's volume and trade counts."""

    name: str
    volume_share: float
    listings: dict[str, Listing]  # the venue's product / pair name -> listing


COINBASE = Venue("coinbase", 0.25, {
    "BTC-USD": Listing("BTCUSDT", date(2015, 1, 26), 2),
    "ETH-USD": Listing("ETHUSDT", date(2016, 5, 18), 2),
    "XRP-USD": Listing("XRPUSDT", date(2019, 2, 28), 4),
    "LINK-USD": Listing("LINKUSDT", date(2019, 6, 27), 3),
    "ADA-USD": Listing("ADAUSDT", date(2021, 3, 18), 4),
    "DOGE-USD": Listing("DOGEUSDT", date(2021, 6, 3), 5),
    "SOL-USD": Listing("SOLUSDT", date(2021, 6, 17), 2),
    "AVAX-USD": Listing("AVAXUSDT", date(2021, 9, 30), 2),
})  # fmt: skip
KRAKEN = Venue("kraken", 0.08, {
    "XXBTZUSD": Listing("BTCUSDT", date(2015, 1, 1), 1),
    "XETHZUSD": Listing("ETHUSDT", date(2015, 8, 7), 2),
    "XXRPZUSD": Listing("XRPUSDT", date(2018, 5, 4), 5),
    "ADAUSD": Listing("ADAUSDT", date(2018, 9, 27), 6),
    "LINKUSD": Listing("LINKUSDT", date(2019, 1, 16), 5),
    "XDGUSD": Listing("DOGEUSDT", date(2019, 7, 5), 7),
    "SOLUSD": Listing("SOLUSDT", date(2021, 6, 21), 2),
    "AVAXUSD": Listing("AVAXUSDT", date(2021, 9, 22), 2),
})  # fmt: skip


@lru_cache(maxsize=4)
def usdt_usd(seed: int) -> np.ndarray:
    """USD value of one USDT on each calendar day of the horizon.

    Args:
        seed: the market seed.

    Returns:
        Array aligned with the market's ``days``, within a few basis points of 1.
    """
    days = build_market(seed).days
    return 1.0 + ar1(stream(seed, "usdt/usd"), len(days), 0.95, USDT_DEPEG_SD)


@lru_cache(maxsize=64)
def _factor(seed: int, venue: str, symbol: str) -> np.ndarray:
    """USD per USDT-quoted unit on one venue for one coin, per calendar day."""
    rate = usdt_usd(seed)
    noise = stream(seed, f"venue/{venue}/{symbol}").normal(0.0, VENUE_SD, len(rate))
    return rate * (1.0 + noise)


def usd_candles(snap: Snapshot, venue: Venue, name: str) -> list[dict]:
    """One venue's daily USD candles of one product, as served now (the last one unfinished).

    Args:
        snap: the market as of now.
        venue: :data:`COINBASE` or :data:`KRAKEN`.
        name: the venue's product or pair key, e.g. ``"BTC-USD"``.

    Returns:
        Rows (date, open_time in ms, open, high, low, close, volume, trades) in date order.
    """
    spec = venue.listings[name]
    frame = served_days(snap, spec.symbol, spec.listing)
    if not frame.height:
        return []
    offset = (frame["date"][0] - START).days
    factor = _factor(snap.market.seed, venue.name, spec.symbol)
    day_factor = pl.Series(factor[offset : offset + frame.height])
    share = venue.volume_share
    converted = frame.select(
        "date",
        "open_time",
        *((pl.col(k) * day_factor).round(spec.decimals) for k in PRICE_FIELDS),
        volume=(pl.col("volume") * share).round(8),
        trades=(pl.col("trades") * share).cast(pl.Int64).clip(lower_bound=1),
    )
    return as_of_now(snap, converted.to_dicts(), spec.tick)
