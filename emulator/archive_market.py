"""Daily candles of every pair of the archive's coin universe, built on top of one synthetic market.

The live market's USDT pairs are its own frames, cut at their listing (bit for bit the series
the klines route serves). Every other asset gets a USD price path from its ``archive/<name>``
stream: alts lag ETH by ~5 days like crypto.py's alts (the link scaled as the market kind
scales its links: 0 in the null market, which instead gives them ETH's same-day moves), and
their levels mean-revert around a decaying drift. Over a fade (``Asset.fade`` to the last
delisting) the price falls by ``Asset.crash`` and the volume dries up to a tenth. A BTC-quoted
pair is the asset's USD price over BTCUSDT's close.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from emulator.coin_universe import ASSETS, PAIRS, Asset, Pair
from emulator.crypto import DAY_MS, LAG_SPREAD_DAYS, CoinSpec, _candles
from emulator.market import Market, market_for
from emulator.noise import anchored, ar1, lag_kernel, lagged, reverting, stream
from emulator.null_market import CRYPTO_COMMON_SHARE, link_effect

ALT_LAG_DAYS = 5.0  # like crypto.py's alts
ALT_DRIFT = 0.0005  # daily log drift at listing, decaying with ALT_DRIFT_TAU
ALT_DRIFT_TAU = 900.0  # days
ALT_PERSISTENCE = 0.99  # levels revert within months: a young alt's path is not a random walk
CRASH_DAY_CAP = 0.3  # |log return| that still raises a day's volume
FADE_VOLUME = 0.1  # volume on the delisting day, as a share of what it would have been
LEVERAGED_FEE = 0.0001  # daily management fee of a leveraged token
# USD per unit: a coarse history, the day-to-day noise comes from the asset's stream.
ANCHORS: dict[str, list[tuple[str, float]]] = {
    "EUR": [("2020-01-01", 1.12), ("2021-06-01", 1.22), ("2022-09-28", 0.96), ("2024-06-01", 1.08)],
    "GBP": [("2020-07-01", 1.25), ("2021-06-01", 1.41), ("2022-09-28", 1.07), ("2024-06-01", 1.27)],
    "PAXG": [("2020-09-01", 1950.0), ("2022-09-28", 1630.0), ("2024-03-01", 2050.0),
             ("2024-10-30", 2780.0), ("2025-07-01", 3300.0)],
}  # fmt: skip
PairFrames = dict[tuple[str, date], pl.DataFrame]


def _ordinal(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _grid_close(market: Market, symbol: str) -> np.ndarray:
    """A live coin's close on the full calendar grid (NaN before its first synthetic day)."""
    frame = market.crypto[symbol]
    close = np.full(len(market.days), np.nan)
    close[np.searchsorted(market.days, frame["date"].to_numpy())] = frame["close"].to_numpy()
    return close


def _alt_returns(asset: Asset, market: Market, eth_ret: np.ndarray) -> np.ndarray:
    """An alt's daily log returns on the grid: drift plus reverting (lagged ETH + own) shocks."""
    links = link_effect(market.kind, market.effect)
    rng = stream(market.seed, f"archive/{asset.name}")
    n = len(market.days)
    age = np.maximum(market.days.astype(np.int64) - _ordinal(asset.start), 0)
    unit = rng.standard_normal(n)
    if market.kind != "default":  # the null market's coins share same-day moves instead
        same_day = eth_ret / eth_ret.std()
        unit = CRYPTO_COMMON_SHARE * same_day + np.sqrt(1 - CRYPTO_COMMON_SHARE**2) * unit
    kernel = lag_kernel(ALT_LAG_DAYS, LAG_SPREAD_DAYS, asset.beta)
    shock = links * lagged(eth_ret - eth_ret.mean(), kernel) + asset.vol * unit
    return ALT_DRIFT * np.exp(-age / ALT_DRIFT_TAU) + reverting(shock, ALT_PERSISTENCE)


def _crash(asset: Asset, market: Market, end: date | None) -> tuple[np.ndarray, np.ndarray]:
    """The fade: extra daily log returns (the crash spread evenly) and the volume multiplier."""
    steps = np.zeros(len(market.days))
    volume = np.ones(len(market.days))
    if asset.fade is None or end is None:
        return steps, volume
    first, last = market.position(asset.fade), market.position(end)
    steps[first : last + 1] = asset.crash / (last - first + 1)
    progress = np.clip((np.arange(len(market.days)) - first) / max(last - first, 1), 0.0, 1.0)
    return steps, FADE_VOLUME**progress


def _usd_close(asset: Asset, market: Market, eth_ret: np.ndarray, btc: np.ndarray, end) -> tuple:
    """An asset's USD close on the grid (valid from its start) and its volume multiplier."""
    if asset.behaviour == "market":
        return _grid_close(market, asset.name + "USDT"), np.ones(len(market.days))
    rng = stream(market.seed, f"archive/{asset.name}")
    n = len(market.days)
    first = market.position(asset.start)
    crash, volume = _crash(asset, market, end)
    if asset.behaviour == "alt":
        log_ret = _alt_returns(asset, market, eth_ret) + crash
        level = np.cumsum(log_ret)
        return asset.start_price * np.exp(level - level[first]), volume
    if asset.behaviour == "leveraged":
        daily = np.diff(btc, prepend=btc[0]) / np.roll(btc, 1)
        growth = np.maximum(1 + asset.leverage * daily, 0.05) * (1 - LEVERAGED_FEE)
        growth[: first + 1] = 1.0
        return asset.start_price * np.cumprod(growth), volume
    persistence = {"peg": 0.9, "wrapped": 0.5}.get(asset.behaviour, 0.98)
    wobble = np.exp(ar1(rng, n, persistence, asset.vol))
    if asset.behaviour == "peg":
        return asset.anchor * wobble, volume
    if asset.behaviour == "wrapped":
        return btc * wobble, volume
    return anchored(market.days, ANCHORS[asset.name]) * wobble, volume  # "fiat", "gold"


def _pair_frame(market: Market, pair: Pair, close: np.ndarray, volume: np.ndarray) -> pl.DataFrame:
    """One pair's candles from its listing through its delisting (or the horizon's end)."""
    first = market.position(pair.listed)
    last = market.position(pair.delisted) if pair.delisted else len(market.days) - 1
    price = close[first - 1 : last + 1].copy()
    if not np.isfinite(price[0]):  # listed on its first synthetic day: no close before
        price[0] = price[1]
    log_ret = np.diff(np.log(price))
    spec = CoinSpec(
        pair.listed, float(price[1]), pair.listed, "", 0.0, 0.0, 0.02, 0.0, 1.0,
        pair.tick, pair.quote_volume, 400.0 if pair.quote == "USDT" else 0.05,
    )  # fmt: skip
    rng = stream(market.seed, f"archive/{pair.symbol}/{pair.listed.isoformat()}")
    # a crash day's 80 % fall would otherwise multiply its volume by e**(6 * 1.6)
    fields = _candles(rng, spec, price[1:], np.clip(log_ret, -CRASH_DAY_CAP, CRASH_DAY_CAP))
    share = volume[first : last + 1]
    for name in ("volume", "quote_volume", "taker_buy_base", "taker_buy_quote"):
        fields[name] = np.round(fields[name] * share, 8)
    fields["trades"] = np.maximum(1, (fields["trades"] * share).astype(np.int64))
    days = market.days[first : last + 1]
    return pl.DataFrame({"date": days, "open_time": days.astype(np.int64) * DAY_MS, **fields})


def _ends() -> dict[str, date | None]:
    """Each asset's last day: its last delisting, or None while one of its pairs is listed."""
    ends: dict[str, date | None] = {}
    for pair in PAIRS:
        known = ends.get(pair.asset, date.min)
        ends[pair.asset] = None if None in (known, pair.delisted) else max(known, pair.delisted)
    return ends


@lru_cache(maxsize=8)
def archive_candles(seed: int, kind: str = "default", effect: float = 1.0) -> PairFrames:
    """Every pair's full daily candles for one market (cached; shared read-only).

    Args:
        seed: the market seed.
        kind: the market kind ("default", "null" or "planted").
        effect: strength of the planted links.

    Returns:
        (symbol, listing date) -> frame with the columns of ``Market.crypto``'s frames, from
        the listing through the delisting day (or the horizon's end); not yet cut at today.
    """
    market = market_for(seed, kind, effect)
    eth = _grid_close(market, "ETHUSDT")
    eth_ret = np.nan_to_num(np.diff(np.log(eth), prepend=np.nan))
    btc = _grid_close(market, "BTCUSDT")
    ends = _ends()
    out: PairFrames = {}
    for asset in ASSETS:
        close, volume = _usd_close(asset, market, eth_ret, btc, ends[asset.name])
        for pair in (p for p in PAIRS if p.asset == asset.name):
            if asset.behaviour == "market" and pair.quote == "USDT":
                frame = market.crypto[pair.symbol]
                out[pair.key] = frame.filter(pl.col("date") >= pair.listed)
                continue
            quoted = close / btc if pair.quote == "BTC" else close
            out[pair.key] = _pair_frame(market, pair, quoted, volume)
    return out


def symbol_candles(candles: PairFrames, symbol: str) -> pl.DataFrame:
    """A symbol's candles across all its listing periods, in time order (gaps between them).

    Args:
        candles: from :func:`archive_candles`.
        symbol: a Binance symbol.

    Returns:
        The concatenated frames (empty with no columns for an unknown symbol).
    """
    frames = [frame for (name, _), frame in sorted(candles.items()) if name == symbol]
    return pl.concat(frames) if frames else pl.DataFrame()
