"""Synthetic US equities: ^RUT and ^GSPC driven by net-liquidity impulse, IWM and SPY tracking them.

The Russell 2000's daily log return is ``mu + beta * impulse(t - 14d) / (1000 bn * 63) + noise``,
where the impulse is the 13-week (91-day) change of net liquidity: a sustained +1,000 bn impulse
adds ``beta`` to a quarter's log return. The S&P 500 has about a third of that beta and shares a
common noise factor. The ETFs are the index / 10 with tracking noise and quarterly dividends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from emulator.noise import reverting_steps, stream

IMPULSE_DAYS = 91  # the 13-week window of the impulse
IMPULSE_LAG_DAYS = 14  # liquidity leads small caps by two weeks


@dataclass(frozen=True)
class IndexSpec:
    """How one index responds to liquidity; prices start near ``start_level`` in January 2015."""

    start_level: float
    drift: float  # daily log drift
    liquidity_beta: float  # log return per quarter per 1,000 bn of impulse
    vol: float  # daily noise sd
    common_share: float  # weight of the shared market factor in the noise
    volume: float  # typical daily volume


@dataclass(frozen=True)
class EtfSpec:
    """An ETF priced as ``index / ratio``, paying ``quarterly_yield`` on its ex-dividend days."""

    index: str
    ratio: float
    quarterly_yield: float
    ex_day: int  # ex-dividend on the first trading day on or after this day of Mar/Jun/Sep/Dec
    volume: float


INDICES = {
    "^RUT": IndexSpec(1200.0, 0.00010, 0.15, 0.011, 0.75, 3.5e9),
    "^GSPC": IndexSpec(2050.0, 0.00035, 0.05, 0.009, 0.85, 3.6e9),
}
ETFS = {
    "IWM": EtfSpec("^RUT", 10.0, 0.0030, 20, 3.0e7),
    "SPY": EtfSpec("^GSPC", 10.0, 0.0045, 17, 9.0e7),
}
LEVEL_PERSISTENCE = 0.999  # noise moves prices for years, but levels stay near the trend
NULL_BAR_RATE = 0.004  # Yahoo quirk: about one day in 250 comes back as nulls in every array


def liquidity_impulse(net_liquidity: np.ndarray) -> np.ndarray:
    """The 13-week change of net liquidity (USD bn) on the calendar grid (0 in the first window).

    Args:
        net_liquidity: daily net liquidity, USD bn.

    Returns:
        ``nl[t] - nl[t - 91]``.
    """
    padded = np.concatenate([np.full(IMPULSE_DAYS, net_liquidity[0]), net_liquidity])
    return net_liquidity - padded[: len(net_liquidity)]


def liquidity_drive(impulse: np.ndarray) -> np.ndarray:
    """The lagged impulse in daily log-return units per unit of ``liquidity_beta``.

    Args:
        impulse: the lagged liquidity impulse, USD bn.

    Returns:
        ``impulse / 1000 bn / 63`` (a quarter of trading days).
    """
    return impulse / 1000.0 / 63.0


def _ohlc(rng: np.random.Generator, close: np.ndarray, first_open: float) -> dict[str, np.ndarray]:
    """Open from the previous close plus a gap, wicks beyond both; everything rounded to cents."""
    n = len(close)
    prev = np.concatenate([[first_open], close[:-1]])
    open_ = np.round(prev * np.exp(rng.normal(0.0, 0.003, n)), 2)
    close = np.round(close, 2)
    high = np.round(np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.005, n))), 2)
    low = np.round(np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.005, n))), 2)
    # Rounding may not break the OHLC envelope.
    high = np.maximum.reduce([high, open_, close])
    low = np.minimum.reduce([low, open_, close])
    return {"open": open_, "high": high, "low": low, "close": close}


def _ex_dividend_mask(dates: np.ndarray, ex_day: int) -> np.ndarray:
    """First trading day on or after ``ex_day`` of each quarter-end month."""
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64) + 1
    quarter_end = (month.astype(np.int64) % 12 + 1) % 3 == 0
    eligible = quarter_end & (day >= ex_day)
    first_in_month = np.concatenate([[True], month[1:] != month[:-1]])
    seen = np.cumsum(eligible)
    month_start = np.maximum.accumulate(np.where(first_in_month, np.arange(len(dates)), 0))
    seen_before = np.where(month_start > 0, seen[month_start - 1], 0)
    return eligible & (seen - seen_before == 1)


def _frame(
    seed: int,
    name: str,
    dates: np.ndarray,
    ts: np.ndarray,
    ohlc: dict[str, np.ndarray],
    volume: np.ndarray,
    dividend: np.ndarray,
) -> pl.DataFrame:
    rng = stream(seed, f"nulls/{name}")
    return pl.DataFrame(
        {
            "date": dates,
            "ts": ts,
            **ohlc,
            "volume": volume.astype(np.int64),
            "dividend": dividend,
            "is_null_bar": rng.random(len(dates)) < NULL_BAR_RATE,
        }
    )


def build_equities(
    seed: int,
    trading_dates: np.ndarray,
    open_ts: np.ndarray,
    impulse: np.ndarray,
    index_returns: dict[str, np.ndarray] | None = None,
) -> dict[str, pl.DataFrame]:
    """Generate daily bars for ^RUT, ^GSPC, IWM and SPY over every trading day of the horizon.

    Args:
        seed: the market seed.
        trading_dates: ``datetime64[D]`` NYSE trading days.
        open_ts: epoch seconds of each day's 09:30 New York open.
        impulse: the liquidity impulse (USD bn) sampled on each trading day, already lagged.
        index_returns: the indices' daily log returns, when another market kind made them
            (see ``null_market.py``); None draws the default market's.

    Returns:
        Symbol -> frame with columns date, ts, open, high, low, close, volume (Int64),
        dividend (cash per share on ex-dates, else 0) and is_null_bar.
    """
    n = len(trading_dates)
    common = reverting_steps(stream(seed, "equities/common"), n, LEVEL_PERSISTENCE)
    drive = liquidity_drive(impulse)
    out: dict[str, pl.DataFrame] = {}
    for symbol, spec in INDICES.items():
        rng = stream(seed, f"equities/{symbol}")
        if index_returns is None:
            own = reverting_steps(rng, n, LEVEL_PERSISTENCE)
            noise = spec.vol * (
                spec.common_share * common + np.sqrt(1 - spec.common_share**2) * own
            )
            log_ret = spec.drift + spec.liquidity_beta * drive + noise
        else:
            log_ret = index_returns[symbol]
        close = spec.start_level * np.exp(np.cumsum(log_ret) - log_ret[0])
        ohlc = _ohlc(rng, close, spec.start_level)
        volume = spec.volume * np.exp(rng.normal(0.0, 0.25, n) + 8 * np.abs(log_ret))
        out[symbol] = _frame(seed, symbol, trading_dates, open_ts, ohlc, volume, np.zeros(n))
    for symbol, etf in ETFS.items():
        rng = stream(seed, f"equities/{symbol}")
        index = out[etf.index]
        tracking = np.exp(rng.normal(0.0, 0.0006, n))
        close = index["close"].to_numpy() / etf.ratio * tracking
        ohlc = _ohlc(rng, close, float(index["open"][0]) / etf.ratio)
        prev_close = np.concatenate([[ohlc["close"][0]], ohlc["close"][:-1]])
        ex = _ex_dividend_mask(trading_dates, etf.ex_day)
        dividend = np.where(
            ex, np.round(prev_close * etf.quarterly_yield * rng.uniform(0.85, 1.15, n), 4), 0.0
        )
        volume = etf.volume * np.exp(rng.normal(0.0, 0.3, n))
        out[symbol] = _frame(seed, symbol, trading_dates, open_ts, ohlc, volume, dividend)
    return out


def adjusted_close(close: np.ndarray, dividend: np.ndarray) -> np.ndarray:
    """Yahoo's dividend-adjusted close for a history cut at today.

    Each ex-dividend day scales every earlier close by ``1 - dividend / previous close``, so the
    adjustment depends on which dividends are already known: it changes as ``today`` moves.

    Args:
        close: closes in date order.
        dividend: cash dividend on each ex-date, 0 elsewhere.

    Returns:
        Adjusted closes (equal to ``close`` when there are no dividends).
    """
    if not len(close):
        return close
    prev_close = np.concatenate([[close[0]], close[:-1]])
    log_factor = np.log1p(-dividend / prev_close)
    after = np.concatenate([np.cumsum(log_factor[::-1])[::-1][1:], [0.0]])
    return close * np.exp(after)
