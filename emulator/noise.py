"""Seeded, vectorised noise and lag kernels for the synthetic market.

Every component draws from its own named stream, so adding a component never shifts the numbers
of another, and every series is generated over the fixed horizon before it is cut at ``today``.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator for one named component; the same (seed, name) always gives the same draws.

    Args:
        seed: the market seed.
        name: a stable component name such as ``"tga"`` or ``"crypto/BTC"``.

    Returns:
        A fresh PCG64 generator.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) noise: white noise convolved (FFT) with the phi**k kernel, cut at 1e-6.

    Args:
        rng: the component's generator.
        n: number of points.
        phi: persistence per step, in [0, 1).
        sd: stationary standard deviation.

    Returns:
        Array of length ``n``.
    """
    width = int(np.ceil(np.log(1e-6) / np.log(phi))) if phi > 0 else 1
    kernel = phi ** np.arange(width)
    shocks = rng.standard_normal(n + width - 1) * sd * np.sqrt(1.0 - phi**2)
    size = 1 << int(np.ceil(np.log2(len(shocks) + width)))
    full = np.fft.irfft(np.fft.rfft(shocks, size) * np.fft.rfft(kernel, size), size)
    return full[width - 1 : width - 1 + n]


def reverting_steps(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Unit-variance daily shocks whose running sum mean-reverts instead of wandering off.

    They are the differences of an AR(1) level with unit innovations, so returns stay nearly
    white while price levels stay plausible for any seed over a twenty-year horizon.

    Args:
        rng: the component's generator.
        n: number of points.
        phi: persistence of the level (0.999 has a half-life of about 700 steps).

    Returns:
        Array of length ``n``.
    """
    return np.diff(ar1(rng, n + 1, phi, 1.0 / np.sqrt(1.0 - phi**2)))


def lag_kernel(center: float, spread: float, total: float) -> np.ndarray:
    """Causal distributed-lag weights: a Gaussian bump around ``center``, summing to ``total``.

    Args:
        center: the lag (in steps) with the largest weight.
        spread: standard deviation of the bump, in steps.
        total: sum of the weights (the long-run beta).

    Returns:
        Weights indexed by lag 0..len-1.
    """
    lags = np.arange(int(center + 4 * spread) + 1)
    weights = np.exp(-0.5 * ((lags - center) / spread) ** 2)
    return weights * (total / weights.sum())


def lagged(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Apply a causal lag kernel: ``out[t] = sum_k kernel[k] * values[t - k]`` (zeros before 0).

    Args:
        values: the driving series.
        kernel: weights from :func:`lag_kernel`.

    Returns:
        Array of the same length as ``values``.
    """
    return np.convolve(values, kernel)[: len(values)]


def anchored(days: np.ndarray, anchors: list[tuple[str, float]]) -> np.ndarray:
    """Piecewise-linear path through dated anchor values (flat beyond the first and last).

    Args:
        days: ``datetime64[D]`` calendar.
        anchors: ``(iso_date, value)`` pairs in date order.

    Returns:
        Float array aligned with ``days``.
    """
    xs = np.array([a[0] for a in anchors], dtype="datetime64[D]").astype(np.int64)
    ys = np.array([a[1] for a in anchors], dtype=np.float64)
    return np.interp(days.astype(np.int64), xs, ys)


def _convolve(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Full linear convolution by FFT (``np.convolve`` is quadratic in the kernel length)."""
    size = 1 << int(np.ceil(np.log2(len(values) + len(kernel))))
    full = np.fft.irfft(np.fft.rfft(values, size) * np.fft.rfft(kernel, size), size)
    return full[: len(values) + len(kernel) - 1]


def fat_tailed(rng: np.random.Generator, n: int, df: float) -> np.ndarray:
    """Student-t draws scaled to unit variance (excess kurtosis 6 / (df - 4) when df > 4).

    Args:
        rng: the component's generator.
        n: number of points.
        df: degrees of freedom, above 2.

    Returns:
        Array of length ``n``.
    """
    return rng.standard_t(df, n) * np.sqrt((df - 2.0) / df)


def garch_volatility(
    shocks: np.ndarray, alpha: float, beta: float, max_variance: float
) -> np.ndarray:
    """GARCH(1,1) volatility, long-run variance 1 (less once capped), driven by unit shocks.

    ``h[t] = min((1 - alpha - beta) + (alpha * shocks[t - 1] ** 2 + beta) * h[t - 1], cap)``
    from ``h[0] = 1``; the result ``sqrt(h)`` scales shocks whose own variance is 1. It looks
    only back, so scaled shocks stay uncorrelated while their squares cluster. The cap stops
    the rare runaway that fat-tailed shocks can start (a 50 % index day).

    Args:
        shocks: the driving unit-variance shocks (those of the factor it scales).
        alpha: reaction to yesterday's squared shock.
        beta: persistence of yesterday's variance; ``alpha + beta < 1``.
        max_variance: the cap on ``h`` (16: volatility at most 4 times its long-run level).

    Returns:
        Positive array of the same length as ``shocks``.
    """
    floor = 1.0 - alpha - beta
    coefficients = (alpha * shocks[:-1] ** 2 + beta).tolist()  # plain floats: a fast loop
    variance = [1.0]
    for c in coefficients:
        variance.append(min(floor + c * variance[-1], max_variance))
    return np.sqrt(np.array(variance[: len(shocks)]))


def smooth(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    """Unit-variance white noise smoothed by a Gaussian kernel of standard deviation ``scale``.

    Its autocorrelation at lag ``h`` is ``exp(-h**2 / (4 scale**2))``.

    Args:
        rng: the component's generator.
        n: number of points.
        scale: kernel standard deviation, in steps.

    Returns:
        Array of length ``n`` with stationary standard deviation 1.
    """
    half = int(4 * scale)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / scale) ** 2)
    kernel /= np.sqrt(np.sum(kernel**2))
    full = _convolve(rng.standard_normal(n + 2 * half), kernel)
    return full[2 * half : 2 * half + n]


def reverting(shocks: np.ndarray, phi: float) -> np.ndarray:
    """Turn given shocks into steps whose running sum is an AR(1) level (starting at 0).

    ``level[t] = phi * level[t - 1] + shocks[t]`` and the result is ``level[t] - level[t - 1]``:
    like :func:`reverting_steps`, but for shocks of any distribution.

    Args:
        shocks: the innovations.
        phi: persistence of the level.

    Returns:
        Array of the same length as ``shocks``.
    """
    width = min(int(np.ceil(np.log(1e-6) / np.log(phi))), len(shocks))
    level = _convolve(shocks, phi ** np.arange(width))[: len(shocks)]
    return np.diff(level, prepend=0.0)
