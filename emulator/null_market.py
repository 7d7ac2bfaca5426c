"""The null and planted markets' index and coin returns: realistic noise, links removed or scaled.

The default market plants four links (net-liquidity impulse -> ^RUT/^GSPC, ^RUT -> BTC,
BTC -> ETH, ETH -> alts). The "null" market removes them and keeps what real markets have:

- fat tails: Student-t shocks (``T_DF`` = 6 degrees of freedom) scaled to unit variance; with
  the GARCH below, daily excess kurtosis comes out near 5 (real BTC: 5-10). Fewer degrees of
  freedom make the sample kurtosis and the autocorrelation of squares swing wildly by seed;
- volatility clustering: a GARCH(1,1) volatility per group (equities, crypto), driven by the
  group's common factor and scaling every series of the group (persistence
  ``GARCH_ALPHA + GARCH_BETA`` = 0.98 a day: a volatility shock halves in about 35 days);
- same-day correlation: coins share a crypto factor (``CRYPTO_COMMON_SHARE`` of their unit
  noise, daily correlation ~0.7 between any two coins) and ^RUT/^GSPC share an equity factor
  (the default market's ``common_share``, correlation ~0.64); the equity and crypto factors are
  independent, and no series depends on another's past;
- a slowly changing drift: a constant (the default market's total log growth over the horizon,
  spread evenly) plus an independent random part per series: white noise smoothed by a Gaussian
  kernel of ``DRIFT_SCALE_DAYS`` (1 year) standard deviation, whose autocorrelation is
  ``exp(-h**2 / (4 * 365**2))``: 0.78 at one year, 0.37 at two. A +/-1 year window around any
  date therefore sees about the same drift. No drift trend is shared by every seed: it would
  line up with the liquidity cycle (the same dates in every seed) and act as a planted effect;
- price levels are pulled back toward their drift path as in the default market (persistence
  0.997 a day for coins, 0.999 a trading day for indices: half-lives of about 230 days and 2.7
  years). Without the pull the planted chain's compounded betas (alts load 5.4 x effect**3 on
  ^RUT) send alt prices to e^-15 or beyond within the horizon. The pull has a cost: after a
  strong uptrend an index's expected return is a little lower (about -0.5 % over 90 days for a
  10 % ^RUT quarter), an own-asset effect a conditional test must not read as rotation.

The "planted" market draws exactly the same noise and adds the four links back, each scaled by
``effect`` (1.0: the default market's betas and lags; 0.0: the null market, bit for bit). Every
draw comes from a ``null/...`` stream, so these kinds never shift the default market's numbers.
"""

from __future__ import annotations

import math

import numpy as np

from emulator.crypto import COINS, LAG_SPREAD_DAYS
from emulator.crypto import LEVEL_PERSISTENCE as COIN_PERSISTENCE
from emulator.equities import INDICES, liquidity_drive
from emulator.equities import LEVEL_PERSISTENCE as INDEX_PERSISTENCE
from emulator.noise import (
    fat_tailed,
    garch_volatility,
    lag_kernel,
    lagged,
    reverting,
    smooth,
    stream,
)

KINDS = ("default", "null", "planted")
T_DF = 6.0  # Student-t degrees of freedom of every shock
GARCH_ALPHA = 0.10  # reaction of tomorrow's variance to today's squared common shock
GARCH_BETA = 0.88  # persistence of the variance (per trading day for equities)
GARCH_MAX_VARIANCE = 16.0  # volatility at most 4x its long-run level (crypto in March 2020)
CRYPTO_COMMON_SHARE = 0.85  # weight of the crypto factor in each coin's unit noise
DRIFT_SCALE_DAYS = 365.0  # Gaussian smoothing sd of the random drift
INDEX_DRIFT_SD = 0.0001  # daily log drift sd of the random part (about 2.5 % a year)
COIN_DRIFT_SD = 0.0004  # daily log drift sd of the random part (about 15 % a year)
TRADING_DAYS_PER_YEAR = 252


def link_effect(kind: str, effect: float) -> float:
    """Validate a market kind and its effect; return the multiplier of the planted links.

    Args:
        kind: one of :data:`KINDS`.
        effect: link strength; only the planted market takes another value than 1.0.

    Returns:
        1.0 for "default", 0.0 for "null", ``effect`` for "planted".

    Raises:
        ValueError: for an unknown kind, an effect other than 1.0 for "default" or "null", or
            a non-finite effect.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown market kind {kind!r}; use one of {', '.join(KINDS)}")
    if not math.isfinite(effect):
        raise ValueError(f"effect must be a finite number, not {effect!r}")
    if kind != "planted" and effect != 1.0:
        raise ValueError(f"effect applies only to the planted market, not to {kind!r}")
    return {"default": 1.0, "null": 0.0}.get(kind, float(effect))


def _shocks(seed: int, name: str, n: int) -> np.ndarray:
    """Unit-variance fat-tailed shocks of one factor."""
    return fat_tailed(stream(seed, f"null/shocks/{name}"), n, T_DF)


def _volatility(common: np.ndarray) -> np.ndarray:
    """The volatility shared by every series of a group, driven by its common factor."""
    return garch_volatility(common, GARCH_ALPHA, GARCH_BETA, GARCH_MAX_VARIANCE)


def _slow_drift(seed: int, name: str, n: int, sd: float, scale: float) -> np.ndarray:
    """The random part of one series' drift, per step."""
    return sd * smooth(stream(seed, f"null/drift/{name}"), n, scale)


def _even_drift(drift: float, tau: float, days: int) -> float:
    """The default drift ``drift * exp(-age / tau)``'s total over ``days``, spread evenly."""
    return drift * tau * (1.0 - np.exp(-days / tau)) / days


def index_drifts(seed: int, n: int) -> dict[str, np.ndarray]:
    """Each index's daily log drift on the trading days of the horizon: constant plus slow part.

    Args:
        seed: the market seed.
        n: number of trading days.

    Returns:
        Symbol -> drift per trading day.
    """
    scale = DRIFT_SCALE_DAYS * TRADING_DAYS_PER_YEAR / 365.0
    return {
        symbol: spec.drift + _slow_drift(seed, symbol, n, INDEX_DRIFT_SD, scale)
        for symbol, spec in INDICES.items()
    }


def index_returns(seed: int, impulse: np.ndarray, effect: float) -> dict[str, np.ndarray]:
    """Daily log returns of ^RUT and ^GSPC on the trading days of the horizon.

    Args:
        seed: the market seed.
        impulse: the liquidity impulse (USD bn) on each trading day, already lagged.
        effect: multiplier of each index's ``liquidity_beta`` (0: no liquidity link).

    Returns:
        Symbol -> log returns, aligned with ``impulse``.
    """
    n = len(impulse)
    drive = liquidity_drive(impulse)
    common = _shocks(seed, "equities/common", n)
    volatility = _volatility(common)
    drifts = index_drifts(seed, n)
    out = {}
    for symbol, spec in INDICES.items():
        own = _shocks(seed, f"equities/{symbol}", n)
        unit = spec.common_share * common + math.sqrt(1 - spec.common_share**2) * own
        noise = spec.vol * reverting(volatility * unit, INDEX_PERSISTENCE)
        out[symbol] = drifts[symbol] + effect * spec.liquidity_beta * drive + noise
    return out


def coin_returns(
    seed: int, days: np.ndarray, rut_shocks: np.ndarray, effect: float
) -> dict[str, np.ndarray]:
    """Daily log returns of every coin on the calendar grid of the horizon.

    Args:
        seed: the market seed.
        days: ``datetime64[D]`` calendar grid (UTC days).
        rut_shocks: ^RUT daily log returns less its drift (:func:`index_drifts`) on the
            calendar grid (0 on non-trading days). The drift must go: the chain's betas
            compound (alts load 5.4 x effect**3 on ^RUT), and a slow drift passed on would
            move alt prices by e^20 over the horizon.
        effect: multiplier of each coin's lag kernel (0: no coin follows anything).

    Returns:
        Binance symbol -> log returns, aligned with ``days``.
    """
    n = len(days)
    ordinal = days.astype(np.int64)
    common = _shocks(seed, "crypto/common", n)
    volatility = _volatility(common)
    idio = math.sqrt(1 - CRYPTO_COMMON_SHARE**2)
    shocks = {"^RUT": rut_shocks - rut_shocks.mean()}
    out = {}
    for symbol, spec in COINS.items():
        unit = CRYPTO_COMMON_SHARE * common + idio * _shocks(seed, f"crypto/{symbol}", n)
        noise = spec.vol * reverting(volatility * unit, COIN_PERSISTENCE)
        kernel = lag_kernel(spec.lag_days, LAG_SPREAD_DAYS, spec.beta)
        shock = effect * lagged(shocks[spec.leader], kernel) + noise
        shocks[symbol] = shock
        lifetime = int(ordinal[-1] - np.datetime64(spec.start, "D").astype(np.int64))
        drift = _even_drift(spec.drift, spec.drift_tau, lifetime)
        drift = drift + _slow_drift(seed, symbol, n, COIN_DRIFT_SD, DRIFT_SCALE_DAYS)
        out[symbol] = drift + shock
    return out
