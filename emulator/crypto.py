"""Synthetic crypto daily candles: BTC lags the Russell 2000, ETH lags BTC, the alts lag ETH.

Every coin trades every calendar day (UTC). A coin's daily log return is
``drift(t) + sum_k w_k * leader_shock(t - k) + noise``: BTC's leader is ^RUT (lag ~30 days),
ETH's is BTC (a further ~7 days), the alts' is ETH (a further ~5 days, higher beta). Prices are
anchored at each coin's first day; Binance only serves a symbol from its listing date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from emulator.noise import lag_kernel, lagged, reverting_steps, stream

DAY_MS = 86_400_000


@dataclass(frozen=True)
class CoinSpec:
    """One coin: where its price starts, whom it follows and how strongly."""

    start: date  # first day of the synthetic market for this coin
    start_price: float  # USDT close on ``start``
    listing: date  # first Binance 1d candle
    leader: str  # "^RUT" or another coin's symbol
    lag_days: float  # centre of the response to the leader
    beta: float  # long-run response to the leader's shocks
    vol: float  # daily idiosyncratic noise sd
    drift: float  # daily log drift on ``start``, decaying with ``drift_tau``
    drift_tau: float  # days
    tick: float  # price tick, USDT
    quote_volume: float  # typical daily quote volume at the start price, USDT
    trade_size: float  # average trade size, USDT


_ALT = {"leader": "ETHUSDT", "lag_days": 5.0, "beta": 1.5, "vol": 0.045, "drift": 0.0005}
COINS = {
    "BTCUSDT": CoinSpec(date(2015, 1, 1), 300.0, date(2017, 8, 17), "^RUT", 30.0, 3.0, 0.030,
                        0.0042, 1500.0, 0.01, 3e5, 1000.0),
    "ETHUSDT": CoinSpec(date(2015, 8, 7), 2.8, date(2017, 8, 17), "BTCUSDT", 7.0, 1.2, 0.035,
                        0.012, 600.0, 0.01, 2e4, 800.0),
    "BNBUSDT": CoinSpec(date(2017, 11, 6), 1.5, date(2017, 11, 6), **_ALT, drift_tau=900.0,
                        tick=1e-4, quote_volume=2e5, trade_size=400.0),
    "ADAUSDT": CoinSpec(date(2018, 4, 17), 0.25, date(2018, 4, 17), **_ALT, drift_tau=900.0,
                        tick=1e-5, quote_volume=5e5, trade_size=400.0),
    "XRPUSDT": CoinSpec(date(2018, 5, 4), 0.9, date(2018, 5, 4), **_ALT, drift_tau=900.0,
                        tick=1e-5, quote_volume=8e5, trade_size=400.0),
    "LINKUSDT": CoinSpec(date(2019, 1, 16), 0.48, date(2019, 1, 16), **_ALT, drift_tau=900.0,
                         tick=1e-4, quote_volume=3e5, trade_size=400.0),
    "DOGEUSDT": CoinSpec(date(2019, 7, 5), 0.0045, date(2019, 7, 5), **_ALT, drift_tau=900.0,
                         tick=1e-7, quote_volume=3e5, trade_size=400.0),
    "SOLUSDT": CoinSpec(date(2020, 8, 11), 3.0, date(2020, 8, 11), **_ALT, drift_tau=900.0,
                        tick=1e-4, quote_volume=3e5, trade_size=400.0),
    "AVAXUSDT": CoinSpec(date(2020, 9, 22), 4.5, date(2020, 9, 22), **_ALT, drift_tau=900.0,
                         tick=1e-4, quote_volume=4e5, trade_size=400.0),
}  # fmt: skip
LAG_SPREAD_DAYS = 3.0
LEVEL_PERSISTENCE = 0.997  # idiosyncratic moves fade over about a year


def _candles(
    rng: np.random.Generator, spec: CoinSpec, close: np.ndarray, log_ret: np.ndarray
) -> dict[str, np.ndarray]:
    """OHLC rounded to the tick, and the volume fields, for one coin's days."""
    n = len(close)
    tick = spec.tick
    close = np.maximum(np.round(close / tick) * tick, tick)
    open_ = np.concatenate([[close[0] * np.exp(-log_ret[0])], close[:-1]])
    open_ = np.maximum(np.round(open_ / tick) * tick, tick)
    wick = 0.35 * spec.vol
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, wick, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, wick, n)))
    high = np.maximum.reduce([np.round(high / tick) * tick, open_, close])
    low = np.minimum.reduce([np.maximum(np.round(low / tick) * tick, tick), open_, close])
    growth = (close / spec.start_price) ** 1.2
    quote = spec.quote_volume * growth * np.exp(rng.normal(0.0, 0.35, n) + 6 * np.abs(log_ret))
    typical = (high + low + close) / 3
    volume = np.round(quote / typical, 8)
    taker = rng.uniform(0.42, 0.58, n)
    return {
        "open": open_,
        "high": high,
        "low": low,
        "close": close,
        "volume": volume,
        "quote_volume": np.round(quote, 8),
        "trades": np.maximum(1, quote / spec.trade_size).astype(np.int64),
        "taker_buy_base": np.round(volume * taker, 8),
        "taker_buy_quote": np.round(quote * taker, 8),
    }


def build_crypto(
    seed: int,
    days: np.ndarray,
    rut_returns: np.ndarray,
    coin_returns: dict[str, np.ndarray] | None = None,
) -> dict[str, pl.DataFrame]:
    """Generate daily candles for every coin from its start date to the end of the horizon.

    Args:
        seed: the market seed.
        days: ``datetime64[D]`` calendar grid (UTC days).
        rut_returns: ^RUT daily log returns on the calendar grid (0 on non-trading days).
        coin_returns: every coin's daily log returns on ``days``, when another market kind
            made them (see ``null_market.py``); None draws the default market's.

    Returns:
        Binance symbol -> frame with columns date, open_time (ms), open, high, low, close,
        volume, quote_volume, trades, taker_buy_base, taker_buy_quote.
    """
    ordinal = days.astype(np.int64)
    shocks = {"^RUT": rut_returns - rut_returns.mean()}
    out: dict[str, pl.DataFrame] = {}
    for symbol, spec in COINS.items():
        rng = stream(seed, f"crypto/{symbol}")
        start = int(np.datetime64(spec.start, "D").astype(np.int64))
        if coin_returns is None:
            age = np.maximum(ordinal - start, 0)
            drift = spec.drift * np.exp(-age / spec.drift_tau)
            kernel = lag_kernel(spec.lag_days, LAG_SPREAD_DAYS, spec.beta)
            own = spec.vol * reverting_steps(rng, len(days), LEVEL_PERSISTENCE)
            shock = lagged(shocks[spec.leader], kernel) + own
            shocks[symbol] = shock
            log_ret = drift + shock
        else:
            log_ret = coin_returns[symbol]
        level = np.cumsum(log_ret)
        first = int(np.searchsorted(ordinal, start))
        close = spec.start_price * np.exp(level[first:] - level[first])
        frame = _candles(rng, spec, close, log_ret[first:])
        out[symbol] = pl.DataFrame(
            {"date": days[first:], "open_time": ordinal[first:] * DAY_MS, **frame}
        )
    return out
