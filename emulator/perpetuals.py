"""The synthetic USD-M perpetual futures: funding every 8 hours, index and mark prices, basis.

* Premium: leverage chases momentum, so the perp premium per 8 h is ``0.001 * tanh(m / 0.25)``
  (m: the coin's trailing 30-day log return) plus persistent noise. Funding follows Binance's
  formula ``premium + clamp(0.01% - premium, -0.05%, +0.05%)``, so calm markets print exactly
  ``0.00010000``, uptrends more, downtrends less.
* The leverage flush: funding builds up over the two weeks before FLUSH_DAY (2025-10-10), then
  the 08:00 and 16:00 settlements of that day turn deeply negative and recover over a few days;
  the mark price wicks 2% below the index that day.
* Index = the Binance spot candle (a composite of spot venues: within a basis point of it);
  mark = index * (1 + basis), basis about half the day's mean premium: a few basis points.
* Wire quirks of the funding history: a settlement's ``fundingTime`` is sometimes a few
  milliseconds late (1640995200006 rather than ...000), and ``markPrice`` is an empty string
  before MARK_PRICE_FROM (older records never carried it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from emulator.crypto import DAY_MS
from emulator.market import market_for
from emulator.noise import ar1, stream

SLOT_MS = 8 * 3_600_000  # settlements at 00:00, 08:00 and 16:00 UTC
INTEREST = 0.0001  # Binance's fixed 0.01% per 8 h interest component
CLAMP = 0.0005
FUNDING_CAP = 0.0075
FLUSH_DAY = date(2025, 10, 10)
BUILD_UP_DAYS = 14
MARK_PRICE_FROM = date(2023, 7, 1)
BASIC_POINTS_PER_DAY = 86_400  # index/mark klines count one basic data point per second


@dataclass(frozen=True)
class PerpSpec:
    """One perpetual: when it was listed, when it first settled funding, how hard it flushes."""

    onboard: date  # first mark/index kline
    first_funding: date  # first settlement day (its 08:00 slot)
    flush_rate: float  # about the funding of the worst settlements of FLUSH_DAY


PERPETUALS = {
    "BTCUSDT": PerpSpec(date(2019, 9, 8), date(2019, 9, 13), -0.0020),
    "ETHUSDT": PerpSpec(date(2019, 11, 27), date(2019, 11, 28), -0.0030),
    "XRPUSDT": PerpSpec(date(2020, 1, 6), date(2020, 1, 7), -0.0050),
    "LINKUSDT": PerpSpec(date(2020, 1, 17), date(2020, 1, 18), -0.0050),
    "ADAUSDT": PerpSpec(date(2020, 1, 31), date(2020, 2, 1), -0.0050),
    "BNBUSDT": PerpSpec(date(2020, 2, 10), date(2020, 2, 11), -0.0040),
    "DOGEUSDT": PerpSpec(date(2020, 7, 10), date(2020, 7, 11), -0.0060),
    "SOLUSDT": PerpSpec(date(2020, 9, 14), date(2020, 9, 15), -0.0060),
    "AVAXUSDT": PerpSpec(date(2020, 9, 23), date(2020, 9, 24), -0.0060),
}


@dataclass(frozen=True)
class Perpetual:
    """One perpetual over the horizon from its onboard date."""

    klines: pl.DataFrame  # date, open_time, index_* and mark_* OHLC, trades
    funding_slot: np.ndarray  # nominal settlement times, epoch ms
    funding_time: np.ndarray  # the times as sent (a few ms late now and then)
    funding_rate: np.ndarray  # per 8 h, rounded to 8 decimals
    funding_mark: np.ndarray  # mark price at settlement


def _flush_shape(slot_days: np.ndarray, slot_index: np.ndarray, depth: float) -> np.ndarray:
    """Premium added by the build-up and the flush, per settlement."""
    flush = np.datetime64(FLUSH_DAY, "D")
    age = (slot_days - flush).astype(np.int64) + slot_index / 3.0  # days since the flush day
    build = np.where((age > -BUILD_UP_DAYS) & (age < 0), 0.0006 * (1 + age / BUILD_UP_DAYS), 0.0)
    hit = (age > 0) & (age < 4)  # the flush day's 08:00 and 16:00 settlements, then recovery
    crash = np.where(hit, (depth - CLAMP) * np.exp(-np.maximum(age - 2 / 3, 0) * 1.5), 0.0)
    return build + crash


@lru_cache(maxsize=32)
def perpetual(seed: int, symbol: str, kind: str = "default", effect: float = 1.0) -> Perpetual:
    """Build (or return the cached) perpetual of one coin.

    Args:
        seed: the market seed.
        symbol: a key of :data:`PERPETUALS`.
        kind: the market kind whose spot the perpetual follows (see ``market.build_market``).
        effect: that market's link strength.

    Returns:
        Its :class:`Perpetual`.
    """
    spec = PERPETUALS[symbol]
    spot = market_for(seed, kind, effect).crypto[symbol]
    close = spot["close"].to_numpy()
    rng = stream(seed, f"perp/{symbol}")
    log_close = np.log(close)
    momentum = np.zeros(len(close))
    momentum[31:] = log_close[30:-1] - log_close[:-31]  # known at the day's open
    slots = 3 * len(close)
    premium = 0.001 * np.tanh(np.repeat(momentum, 3) / 0.25) + ar1(rng, slots, 0.85, 0.00015)
    slot_days = np.repeat(spot["date"].to_numpy(), 3)
    slot_index = np.tile(np.arange(3), len(close))
    premium += _flush_shape(slot_days, slot_index, spec.flush_rate)
    funding = premium + np.clip(INTEREST - premium, -CLAMP, CLAMP)
    funding = np.round(np.clip(funding, -FUNDING_CAP, FUNDING_CAP), 8)

    basis = 0.5 * premium.reshape(-1, 3).mean(axis=1) + rng.normal(0.0, 0.0001, len(close))
    index_scale = 1.0 + rng.normal(0.0, 0.00005, len(close))
    flush_wick = np.where(spot["date"].to_numpy() == np.datetime64(FLUSH_DAY), 0.98, 1.0)
    prices = {}
    for field in ("open", "high", "low", "close"):
        index = spot[field].to_numpy() * index_scale
        mark = index * (1.0 + basis) * (flush_wick if field == "low" else 1.0)
        prices[f"index_{field}"], prices[f"mark_{field}"] = index, mark
    klines = pl.DataFrame(
        {"date": spot["date"], "open_time": spot["open_time"], **prices}
    ).with_columns(trades=pl.lit(BASIC_POINTS_PER_DAY, dtype=pl.Int64))

    # Mark price at each settlement: along the day's open -> close path.
    mark_open, mark_close = np.repeat(prices["mark_open"], 3), np.repeat(prices["mark_close"], 3)
    funding_mark = mark_open * (mark_close / mark_open) ** (slot_index / 3.0)
    funding_slot = np.repeat(spot["open_time"].to_numpy(), 3) + slot_index * SLOT_MS
    late = np.where(rng.random(slots) < 0.4, rng.integers(1, 10, slots), 0)
    first = np.datetime64(spec.first_funding, "D")
    live = (slot_days > first) | ((slot_days == first) & (slot_index >= 1))
    return Perpetual(
        klines=klines.filter(pl.col("date") >= spec.onboard),
        funding_slot=funding_slot[live],
        funding_time=(funding_slot + late)[live],
        funding_rate=funding[live],
        funding_mark=funding_mark[live],
    )


def mark_price_known(slot_ms: int) -> bool:
    """Whether a funding record of this time carries a mark price on the wire.

    Args:
        slot_ms: the settlement time, epoch ms.

    Returns:
        False for records before MARK_PRICE_FROM, which Binance sends with ``"markPrice": ""``.
    """
    return slot_ms >= (MARK_PRICE_FROM - date(1970, 1, 1)).days * DAY_MS
