"""Lagged correlations of weekly series and their circular-shift null: p-values, lag sets, BH.

The statistic of a window is T = max over lags k of |corr(x_t, y_{t+k})| (k > 0: x leads y).
Its null comes from rotating y inside the window: for a shift s, y'_t = y_{(t + s) mod N}, and
T(s) is the same statistic on (x, y'): same lags, same pairing rule, same MIN_OBS. Rotating
keeps each series' own autocorrelation and breaks any alignment between them.

p of T uses EVERY rotation s = 1 .. N - 1 (those with T(s) defined):

    p = (1 + #{s : T(s) >= T}) / (1 + #{s with T(s) defined})

The rotations form a group, so under "x and y unrelated" (and y circularly stationary) T(0)
ranks uniformly among them and p is exact: 3.9% of 1,000 pure-noise 2-year windows give
p <= 0.05 (4.9% over 313 weeks). Keeping only the rotations farther than the largest lag
from 0 is NOT exact for a max over lags: T(s) is a sliding maximum over offsets s - 26 ..
s + 26, so neighbouring T(s) are nearly equal and T(0) is compared with a couple of
independent draws, not 51: that rule gave p <= 0.05 in 14.5% of noise windows (10% over 313
weeks). The price of exactness: a sharp lead at L also lies in the sweep of the ~52 rotations
s with |L - s| <= 26, so a real lead cannot get p much below 53 / N (about 0.5 in a 2-year
window, 0.05 over 20 years). The max over 53 lags is the wrong tool for short windows; the
pre-registered single lags below are the sharp test.

A single lag's |corr| has no such sliding structure: its p and the lag set use the rotations
at circular distance >= MIN_SHIFT_WEEKS (beyond the largest lag), 51 in a 2-year window.
"""

from __future__ import annotations

import numpy as np

from transforms.stats import multiple_testing

MAX_LAG_WEEKS = 26  # lags -26..+26: up to half a year either way
MIN_OBS = 52  # a correlation needs a year of pairs (fewer: no value)
# Single-lag p-values and the lag set use the rotations at circular distance >= this (the
# max over lags uses every rotation: see above)
MIN_SHIFT_WEEKS = MAX_LAG_WEEKS + 1
LAG_SET_LEVEL = 0.9  # the lag set keeps lags not beaten by more than 90% of null gaps
# |statistics| this close count as equal: the sums carry ~1e-15 of rounding, and a tie must
# count against the observed value (exceedance) and for a lag (lag set), never the other way
TIE_TOLERANCE = 1e-12


def window_matrix(values: np.ndarray, ends: np.ndarray, length: int) -> np.ndarray:
    """The ``length`` weeks ending at each end, NaN where a window starts before the series.

    Args:
        values: one value per grid week (NaN where missing).
        ends: index of each window's last week.
        length: weeks per window.

    Returns:
        An array of shape (len(ends), length).
    """
    padded = np.concatenate([np.full(length - 1, np.nan), np.asarray(values, dtype=float)])
    return padded[np.asarray(ends)[:, None] + np.arange(length)[None, :]]


def admissible_shifts(n_weeks: int, max_lag: int = MAX_LAG_WEEKS) -> np.ndarray:
    """The rotations of an ``n_weeks`` window at circular distance > ``max_lag`` from 0."""
    return np.arange(max_lag + 1, n_weeks - max_lag)


def _centred(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values minus their window mean with 0 where missing, and the validity mask."""
    valid = np.isfinite(values)
    filled = np.where(valid, values, 0.0)
    mean = filled.sum(axis=1, keepdims=True) / np.maximum(valid.sum(axis=1, keepdims=True), 1)
    return np.where(valid, filled - mean, 0.0), valid.astype(float)


def _lag_sums(a: np.ndarray, b: np.ndarray, shifts: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """sum over t of a[t] * b[(t + k + s) mod N], t and t + k inside the window: (W, S, K).

    The sum over all t is a circular cross-correlation (one FFT); the t whose partner t + k
    falls outside the window (the first |k| weeks for k < 0, the last k for k > 0) are then
    subtracted, from running sums over those edge weeks at the offsets o = k + s.
    """
    n = a.shape[1]
    where = (lags[None, :] + shifts[:, None]) % n  # (S, K) offsets
    circular = np.fft.irfft(np.conj(np.fft.rfft(a)) * np.fft.rfft(b), n=n)
    sums = np.take(circular, where, axis=1)
    column = {int(lag): i for i, lag in enumerate(lags)}
    wrapped = np.concatenate([b[:, n - 1 :], b, b], axis=1)  # wrapped[:, 1 + u] = b[u mod N]
    head, tail = np.zeros(a.shape), np.zeros(a.shape)
    for j in range(int(min(np.abs(lags).max(initial=0), n))):
        # week j joins the first-weeks sum, week N-1-j the last-weeks sum, for every offset o
        head += a[:, j, None] * wrapped[:, 1 + j : 1 + j + n]
        tail += a[:, n - 1 - j, None] * wrapped[:, n - j : 2 * n - j]
        for lag, edge in ((-(j + 1), head), (j + 1, tail)):
            if lag in column:
                sums[:, :, column[lag]] -= np.take(edge, where[:, column[lag]], axis=1)
    sums[:, :, np.abs(lags) >= n] = 0.0  # a lag as long as the window leaves no pairs
    return sums


def _six_sums(
    xc: np.ndarray, mx: np.ndarray, yc: np.ndarray, my: np.ndarray, shifts, lags
) -> list[np.ndarray]:
    """n, sum x, sum y, sum x^2, sum y^2, sum xy over each (window, shift, lag)'s pairs.

    A sum needs a lag sum only where the other side has missing weeks; when that side is
    complete in every window given, it is a plain range sum: x's over the t of the lag, y's
    over the same number of weeks from (lo + k + s) mod N, around the circle.
    """
    n = xc.shape[1]
    x_full, y_full = bool(mx.min(initial=1.0) > 0), bool(my.min(initial=1.0) > 0)
    count = np.maximum(n - np.abs(lags), 0)
    lo = np.minimum(np.maximum(0, -lags), n)
    start = (lo[None, :] + lags[None, :] + shifts[:, None]) % n  # (S, K)

    def prefix(values: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values, axis=1)], axis=1)

    def x_range(values: np.ndarray) -> np.ndarray:
        sums = prefix(values)
        return (sums[:, lo + count] - sums[:, lo])[:, None, :]

    def y_range(values: np.ndarray) -> np.ndarray:
        sums = prefix(np.tile(values, 2))
        return np.take(sums, start + count[None, :], axis=1) - np.take(sums, start, axis=1)

    pending: list[tuple[int, np.ndarray, np.ndarray]] = []
    sums: list[np.ndarray | None] = [None] * 6
    xx, yy = xc * xc, yc * yc
    for slot, x_side, y_side, when_y_full, when_x_full in (
        (0, mx, my, x_range(mx) if y_full else None, y_range(my) if x_full else None),
        (1, xc, my, x_range(xc) if y_full else None, None),
        (2, mx, yc, None, y_range(yc) if x_full else None),
        (3, xx, my, x_range(xx) if y_full else None, None),
        (4, mx, yy, None, y_range(yy) if x_full else None),
        (5, xc, yc, None, None),
    ):
        ready = when_y_full if when_y_full is not None else when_x_full
        if ready is not None:
            sums[slot] = ready
        else:
            pending.append((slot, x_side, y_side))
    lagged = _lag_sums(
        np.concatenate([a for _, a, _ in pending]),
        np.concatenate([b for _, _, b in pending]),
        shifts,
        lags,
    ).reshape(len(pending), xc.shape[0], len(shifts), len(lags))
    for (slot, _, _), part in zip(pending, lagged, strict=True):
        sums[slot] = part
    return sums  # type: ignore[return-value]


def lagged_correlations(
    x: np.ndarray, y: np.ndarray, shifts: np.ndarray, max_lag: int = MAX_LAG_WEEKS
) -> tuple[np.ndarray, np.ndarray]:
    """Correlation of (x_t, y'_{t+k}) inside each window, y' being y rotated by each shift.

    Args:
        x: windows of one series, shape (W, N), NaN where missing.
        y: the other series on the same windows.
        shifts: rotations s of y (y'_t = y_{(t+s) mod N}); 0 is the observed alignment.
        max_lag: lags k run from -max_lag to +max_lag; t and t + k must both lie in the window.

    Returns:
        ``(n_obs, corr)`` of shape (W, len(shifts), 2 * max_lag + 1): the pairs where both
        values exist, and their Pearson correlation (NaN under 2 pairs or when a side is
        constant over its pairs).
    """
    lags = np.arange(-max_lag, max_lag + 1)
    shifts = np.asarray(shifts, dtype=np.int64)
    xc, mx = _centred(np.asarray(x, dtype=float))
    yc, my = _centred(np.asarray(y, dtype=float))
    # windows grouped by which side is complete: a complete side's sums are range sums
    x_full, y_full = mx.min(axis=1, initial=1.0) > 0, my.min(axis=1, initial=1.0) > 0
    groups = [
        group
        for group in (x_full & y_full, x_full & ~y_full, ~x_full & y_full, ~x_full & ~y_full)
        if group.any()
    ]
    results = []
    for group in groups:
        xg, yg = xc[group], yc[group]
        sums = _six_sums(xg, mx[group], yg, my[group], shifts, lags)
        # a side's mean square, to tell rounding (~1e-16 of it) from a real variance
        scale_x = (xg * xg).sum(axis=1) / np.maximum(mx[group].sum(axis=1), 1)
        scale_y = (yg * yg).sum(axis=1) / np.maximum(my[group].sum(axis=1), 1)
        results.append(_pearson(sums, scale_x, scale_y))
    if len(results) == 1:
        return results[0]
    n_obs = np.zeros((xc.shape[0], len(shifts), len(lags)), dtype=np.int64)
    corr = np.full(n_obs.shape, np.nan)
    for group, (group_n, group_corr) in zip(groups, results, strict=True):
        n_obs[group], corr[group] = group_n, group_corr
    return n_obs, corr


def _pearson(
    sums: list[np.ndarray], scale_x: np.ndarray, scale_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation from the six sums; NaN under 2 pairs or where a side is constant."""
    n, sx, sy, sxx, syy, sxy = sums
    n = np.rint(n)
    floor = (n * n) * 1e-12  # below floor * mean square a "variance" is rounding
    with np.errstate(invalid="ignore", divide="ignore"):
        # n * variance of each side over the pairs; NaN where too few pairs or constant
        var_x = n * sxx - sx * sx
        var_x[~((n >= 2) & (var_x > floor * scale_x[:, None, None]))] = np.nan
        var_y = n * syy
        var_y -= sy * sy
        var_y[~(var_y > floor * scale_y[:, None, None])] = np.nan
        denominator = var_x * var_y
        np.sqrt(denominator, out=denominator)
        corr = n * sxy
        corr -= sx * sy
        corr /= denominator
    np.clip(corr, -1.0, 1.0, out=corr)
    shape = np.broadcast_shapes(*(part.shape for part in sums))
    return np.broadcast_to(n.astype(np.int64), shape), corr


def max_abs_corr(corr: np.ndarray) -> np.ndarray:
    """max over the last axis (lags) of |corr|, NaN where no lag has a correlation."""
    with np.errstate(invalid="ignore"):
        return np.fmax.reduce(np.abs(corr), axis=-1)


def best_lag_index(observed: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Per window, the lag with the largest |corr|; ties: the shorter lag, then the positive.

    Args:
        observed: correlations, shape (W, K) (NaN: no correlation).
        lags: the K lags, in weeks.

    Returns:
        The index into ``lags`` of each window's best lag (0 for a window with none).
    """
    strength = np.where(np.isfinite(observed), np.abs(observed), -np.inf)
    preference = np.lexsort((-lags, np.abs(lags)))
    ranked = strength[:, preference]
    tied = ranked >= ranked.max(axis=1, keepdims=True) - TIE_TOLERANCE
    return preference[np.argmax(tied, axis=1)]


def max_abs_corr_p_value(observed: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact rotation p-value of T = max over lags of |corr|.

    Args:
        observed: correlations at shift 0, shape (W, K), NaN where a lag has none.
        null: correlations at every other rotation, shape (W, S, K), NaN likewise.

    Returns:
        ``(p, count_shifts)``: ``(1 + rotations with T(s) >= T) / (1 + count_shifts)``, NaN
        without an observed T, and the rotations with T(s) defined.
    """
    stat, null_stat = max_abs_corr(observed), max_abs_corr(null)
    counted = np.isfinite(null_stat)
    exceed = counted & (null_stat >= stat[:, None] - TIE_TOLERANCE)
    count_shifts = counted.sum(axis=1)
    p = np.where(np.isfinite(stat), (1 + exceed.sum(axis=1)) / (1 + count_shifts), np.nan)
    return p, count_shifts


def single_lag_p_values(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Rotation p-value of each lag's own |corr| (W, K), NaN without an observed value.

    Args:
        observed: correlations at shift 0, shape (W, K).
        null: correlations at the admissible rotations, shape (W, S, K).
    """
    counted = np.isfinite(null)
    exceed = counted & (np.abs(null) >= np.abs(observed)[:, None, :] - TIE_TOLERANCE)
    p = (1 + exceed.sum(axis=1)) / (1 + counted.sum(axis=1))
    return np.where(np.isfinite(observed), p, np.nan)


def lag_confidence_set(
    observed: np.ndarray, null: np.ndarray, level: float = LAG_SET_LEVEL
) -> np.ndarray:
    """The lags whose |corr| is not significantly below the best one's.

    A lag l stays when its gap to the best, max_k |corr_k| - |corr_l|, is no larger than the
    ``level`` quantile (the smallest value at least that share of shifts reach or stay under)
    of the same gap for lag l over the rotations: how far below the maximum pure noise leaves
    that lag. If l is the true lag, signal only raises |corr_l|, so its gap is (roughly)
    stochastically smaller than the null gap and the set covers it about ``level`` of the time
    or more. Without a counted shift every lag with a correlation stays.

    Args:
        observed: correlations at shift 0, shape (W, K).
        null: correlations at the admissible shifts, shape (W, S, K).
        level: the quantile of the null gaps.

    Returns:
        A boolean mask (W, K); the best lag is always in it.
    """
    gap = max_abs_corr(observed)[:, None] - np.abs(observed)
    # (W, K, S): each lag's null gaps along the last axis, NaN (no gap) sorted last
    null_gap = max_abs_corr(null)[:, None, :] - np.abs(null).transpose(0, 2, 1)
    counted = np.isfinite(null_gap).sum(axis=2)
    null_gap.sort(axis=2)
    rank = np.ceil(counted * level - 1e-9).astype(np.int64)  # the inverted-CDF quantile
    pick = np.take_along_axis(null_gap, np.maximum(rank - 1, 0)[:, :, None], axis=2)[:, :, 0]
    threshold = np.where(counted > 0, pick, np.inf)
    return np.isfinite(observed) & (gap <= threshold + TIE_TOLERANCE)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values, NaN p-values left out of the family (their q stays NaN).

    Args:
        p_values: one family of p-values.

    Returns:
        q_i = min over j with p_j >= p_i of p_j * m / rank_j, capped at 1.
    """
    p_values = np.asarray(p_values, dtype=float)
    q_values = np.full(p_values.shape, np.nan)
    present = np.isfinite(p_values)
    q_values[present] = multiple_testing.benjamini_hochberg(p_values[present])
    return q_values
