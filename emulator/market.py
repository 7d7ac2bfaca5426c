"""The deterministic synthetic market: liquidity, rates, equities and crypto over 2015-2035.

The whole horizon is generated from the seed and only then cut at ``today`` by the routes, so the
history before any date never changes when ``today`` moves forward. One build per (seed, kind,
effect) is cached in-process and shared read-only by every request thread. The kind picks how
equities and crypto move: "default" plants the liquidity -> ^RUT -> BTC -> ETH -> alts links,
"null" removes them and "planted" adds them back at a chosen strength (see ``null_market.py``);
liquidity, rates and calendars are the same in every kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from emulator.calendars import federal_business, nyse_open
from emulator.crypto import build_crypto
from emulator.equities import IMPULSE_LAG_DAYS, build_equities, liquidity_impulse
from emulator.liquidity import build_liquidity
from emulator.null_market import coin_returns, index_drifts, index_returns, link_effect
from emulator.rates import build_rates

DEFAULT_SEED = 20150101
START = date(2015, 1, 1)
HORIZON_END = date(2035, 12, 31)
NY_OPEN_MINUTES = 9 * 60 + 30


@dataclass(frozen=True)
class Market:
    """Every synthetic series over the horizon, as read-only numpy arrays and polars frames.

    Calendar arrays are aligned with ``days`` (every day from START to HORIZON_END). On days
    that are not federal business days, ``tga`` and ``rrp`` carry the previous business day's
    value, which is what FRED's week averages are computed from; so do the rates.
    """

    seed: int
    days: np.ndarray  # datetime64[D]
    fed_business: np.ndarray  # bool: DTS and FRED daily series publish
    nyse_open: np.ndarray  # bool: US equities trade
    walcl: np.ndarray  # Fed total assets, USD mn
    wshomcb: np.ndarray  # Fed MBS holdings, USD mn
    tga: np.ndarray  # TGA daily close, USD mn
    rrp: np.ndarray  # ON RRP, USD bn
    dff: np.ndarray  # effective fed funds, percent
    dgs10: np.ndarray  # 10-year Treasury yield, percent
    dtb3: np.ndarray  # 3-month bill rate, percent
    equities: dict[str, pl.DataFrame]  # "^RUT", "^GSPC", "IWM", "SPY"
    crypto: dict[str, pl.DataFrame]  # "BTCUSDT", ... from each coin's first synthetic day
    kind: str = "default"  # "default", "null" or "planted"
    effect: float = 1.0  # strength of the planted links (only "planted" has another value)

    @property
    def label(self) -> str:
        """How runs on this market are labelled: "synthetic" for the default market, else
        e.g. "synthetic (null market, seed 7)" or "synthetic (planted market, effect 0.5, seed 7)".
        """
        if self.kind == "default":
            return "synthetic"
        strength = f"effect {self.effect:g}, " if self.kind == "planted" else ""
        return f"synthetic ({self.kind} market, {strength}seed {self.seed})"

    @property
    def net_liquidity(self) -> np.ndarray:
        """WALCL - TGA - RRP in USD bn, on the calendar grid."""
        return self.walcl / 1000.0 - self.tga / 1000.0 - self.rrp

    def position(self, day: date) -> int:
        """Index of ``day`` in ``days`` (days before START give 0, after the horizon the end).

        Args:
            day: a calendar date.

        Returns:
            An index into the calendar arrays.
        """
        offset = (day - START).days
        return min(max(offset, 0), len(self.days) - 1)


def _open_timestamps(trading: np.ndarray) -> np.ndarray:
    """Epoch seconds of 09:30 America/New_York on each date (DST handled by the tz database)."""
    return (
        pl.DataFrame({"date": trading})
        .select(
            (pl.col("date").cast(pl.Datetime("ms")) + pl.duration(minutes=NY_OPEN_MINUTES))
            .dt.replace_time_zone("America/New_York")
            .dt.epoch("s")
        )
        .to_series()
        .to_numpy()
    )


def _calendar_returns(days: np.ndarray, trading: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Daily log returns of a trading-day close carried over every calendar day (0 when closed)."""
    idx = np.searchsorted(days, trading)
    marks = np.zeros(len(days), dtype=np.int64)
    marks[idx] = np.arange(len(trading))
    carried = np.log(close)[np.maximum.accumulate(marks)]
    return np.diff(carried, prepend=carried[0])


def _freeze(value: np.ndarray) -> np.ndarray:
    value.flags.writeable = False
    return value


@lru_cache(maxsize=8)
def build_market(seed: int = DEFAULT_SEED, kind: str = "default", effect: float = 1.0) -> Market:
    """Build (or return the cached) synthetic market for one seed, kind and effect.

    Args:
        seed: the generator seed; the same (seed, kind, effect) always gives the same market.
        kind: "default" (the links planted at full strength), "null" (no links) or "planted"
            (the null market's noise plus the links scaled by ``effect``).
        effect: strength of the planted links: 1.0 is the default market's betas, 0.0 gives
            the null market exactly; "default" and "null" take only 1.0.

    Returns:
        The full-horizon :class:`Market`.

    Raises:
        ValueError: for an unknown kind or an effect the kind does not take.
    """
    links = link_effect(kind, effect)
    days = np.arange(np.datetime64(START), np.datetime64(HORIZON_END) + 1, dtype="datetime64[D]")
    business = federal_business(days)
    is_open = nyse_open(days)
    liquidity = build_liquidity(seed, days, business)
    rates = build_rates(seed, days, business)
    net = liquidity.walcl / 1000.0 - liquidity.tga / 1000.0 - liquidity.rrp
    impulse = liquidity_impulse(net)
    impulse_lagged = np.concatenate([np.zeros(IMPULSE_LAG_DAYS), impulse[:-IMPULSE_LAG_DAYS]])
    trading = days[is_open]
    open_ts = _open_timestamps(trading)
    if kind == "default":
        equities = build_equities(seed, trading, open_ts, impulse_lagged[is_open])
    else:
        indices = index_returns(seed, impulse_lagged[is_open], links)
        equities = build_equities(seed, trading, open_ts, impulse_lagged[is_open], indices)
    rut_returns = _calendar_returns(days, trading, equities["^RUT"]["close"].to_numpy())
    if kind == "default":
        crypto = build_crypto(seed, days, rut_returns)
    else:
        rut_drift = np.zeros(len(days))
        rut_drift[is_open] = index_drifts(seed, len(trading))["^RUT"]
        coins = coin_returns(seed, days, rut_returns - rut_drift, links)
        crypto = build_crypto(seed, days, rut_returns, coins)
    return Market(
        seed=seed,
        days=_freeze(days),
        fed_business=_freeze(business),
        nyse_open=_freeze(is_open),
        walcl=_freeze(liquidity.walcl),
        wshomcb=_freeze(liquidity.wshomcb),
        tga=_freeze(liquidity.tga),
        rrp=_freeze(liquidity.rrp),
        dff=_freeze(rates.dff),
        dgs10=_freeze(rates.dgs10),
        dtb3=_freeze(rates.dtb3),
        equities=equities,
        crypto=crypto,
        kind=kind,
        effect=float(effect),
    )


def market_for(seed: int, kind: str = "default", effect: float = 1.0) -> Market:
    """:func:`build_market`, called so that the default market shares one cache entry.

    ``lru_cache`` keys ``build_market(7)`` and ``build_market(7, "default", 1.0)`` apart;
    the emulator's modules ask through here, so one served market is built once.

    Args:
        seed: the generator seed.
        kind: "default", "null" or "planted".
        effect: strength of the planted links.

    Returns:
        The cached :class:`Market`.

    Raises:
        ValueError: for an unknown kind or an effect the kind does not take.
    """
    if kind == "default" and effect == 1.0:
        return build_market(seed)
    return build_market(seed, kind, effect)
