"""The random-start null: de-clustered, time-stratified start sets, p-values, intervals, LOO.

A row of the thesis test compares a statistic (mean or median) over K episodes with the same
statistic over B random start sets. Each set has K starts: start i falls within +/-
``stratum_days`` of episode i (so a bull or bear decade cannot fake an effect), consecutive
starts are at least ``cooldown_days`` apart (the episodes' own de-clustering rule), and every
start is a session where the row's outcome exists. The draws can be injected, for tests.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

JITTER_DAYS = 30  # each start moves up to 30 days relative to the others in its set
SNAP_SLACK_DAYS = 3  # moving to the nearest session (a weekend, a holiday) may cost 3 days
Statistic = Callable[[np.ndarray], np.ndarray]  # (..., K) -> (...), NaN-aware


def nan_mean(values: np.ndarray) -> np.ndarray:
    """Mean over the last axis ignoring NaN (NaN for an all-NaN set: a set with no starts)."""
    if not np.isnan(values).any():
        return np.mean(values, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=-1)


def nan_median(values: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN for an all-NaN set)."""
    if not np.isnan(values).any():
        return np.median(values, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=-1)


def _snap(eligible: np.ndarray, days: np.ndarray, anchors: np.ndarray, stratum: int):
    """Each day moved to the nearest eligible session (a tie: the later); -1 outside the stratum."""
    after = np.minimum(np.searchsorted(eligible, days, side="left"), len(eligible) - 1)
    before = np.maximum(after - 1, 0)
    use_before = np.abs(eligible[before] - days) < np.abs(eligible[after] - days)
    index = np.where(use_before, before, after)
    inside = np.abs(eligible[index] - anchors) <= stratum
    return np.where(inside, index, -1)


def draw_start_sets(
    eligible: np.ndarray,
    anchors: np.ndarray,
    cooldown_days: int,
    stratum_days: int,
    draws: int,
    rng: np.random.Generator,
    jitter_days: int = JITTER_DAYS,
) -> np.ndarray:
    """B random start sets shaped like the episodes, with no drift in time.

    Set b moves the whole episode pattern by one shift ``s_b`` (uniform, |s_b| <= stratum -
    jitter) and each group of episodes by its own jitter (uniform, |j| <= jitter_days): start
    i is ``anchor_i + s_b + j_b,group(i)``, moved to the nearest eligible session. An episode
    less than ``cooldown_days + 2 * jitter_days`` after the previous one is in its group, so
    jitter never brings two starts inside the cooldown. Shift and jitter are symmetric: the
    sets are neither earlier nor later than the episodes on average (drawing start by start in
    time order, each after the previous one's cooldown, drifts late by about 100 days over
    twenty episodes, which a trending market turns into a fake effect).

    Args:
        eligible: sorted day numbers of the sessions a start may fall on.
        anchors: sorted day numbers of the K episode starts.
        cooldown_days: minimum distance between consecutive starts of one set.
        stratum_days: start i falls within +/- this of anchor i.
        draws: B.
        rng: the row's generator.
        jitter_days: the largest move of one group of starts relative to the others.

    Returns:
        (B, K) indices into ``eligible``; -1 where the moved start has no eligible session
        within its stratum (the set is then one start short), or where moving to a session
        brought it more than SNAP_SLACK_DAYS inside the cooldown of the previous start.
    """
    count = len(anchors)
    picks = np.full((draws, count), -1, dtype=np.int64)
    if not len(eligible) or not count:
        return picks
    jitter = max(0, min(jitter_days, stratum_days))
    reach = stratum_days - jitter
    gaps = np.diff(anchors, prepend=np.iinfo(np.int64).min // 2)
    group = np.cumsum(gaps >= cooldown_days + 2 * jitter) - 1
    shifts = rng.integers(-reach, reach + 1, size=(draws, 1))
    moves = rng.integers(-jitter, jitter + 1, size=(draws, int(group.max()) + 1))[:, group]
    picks = _snap(eligible, anchors + shifts + moves, anchors, stratum_days)
    previous = np.full(draws, np.iinfo(np.int64).min // 2)
    for i in range(count):
        day = eligible[np.maximum(picks[:, i], 0)]
        too_close = (picks[:, i] >= 0) & (day - previous < cooldown_days - SNAP_SLACK_DAYS)
        picks[too_close, i] = -1
        previous = np.where(picks[:, i] >= 0, day, previous)
    return picks


def two_sided_p(observed: float, null: np.ndarray) -> float:
    """(1 + k) / (B + 1), k counting null statistics at least as far from the null's mean."""
    null = null[~np.isnan(null)]
    center = null.mean()
    k = int((np.abs(null - center) >= abs(observed - center) - 1e-12).sum())
    return (1 + k) / (len(null) + 1)


def inverted_interval(observed: float, null: np.ndarray, level: float) -> tuple[float, float]:
    """The interval for the excess from inverting the null under a location shift.

    If the statistic is ``null_center + effect + noise``, with noise distributed as the null
    statistics around their mean, the ``level`` interval of the effect is observed minus the
    null's upper and lower quantiles. Overlapping windows widen the null's spread as much as
    the statistic's, because the random sets are de-clustered by the same rule.
    """
    tail = (1.0 - level) / 2.0
    low, high = np.nanquantile(null, [tail, 1.0 - tail])
    return float(observed - high), float(observed - low)


@dataclass(frozen=True)
class RowTest:
    """One row's statistic against its null, and the same with each episode left out."""

    count: int
    observed: float
    null_center: float
    excess: float
    p_value: float
    ci_low: float
    ci_high: float
    loo_excess: np.ndarray  # (K,)
    loo_p: np.ndarray  # (K,)


def _leave_one_out_means(
    episode_values: np.ndarray, null_values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out excess and p of a mean, for every episode at once (O(B K), not O(B K^2)).

    Dropping episode i from a set's mean is (sum - x_i) / (n - 1), with NaN starts not counted.
    """
    present = ~np.isnan(null_values)
    sums = np.where(present, null_values, 0.0)
    total, counts = sums.sum(axis=1, keepdims=True), present.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        loo_null = (total - sums) / (counts - present)  # (B, K): column i leaves start i out
        loo_observed = (episode_values.sum() - episode_values) / (len(episode_values) - 1)
    loo_null = np.where(np.isfinite(loo_null), loo_null, np.nan)
    centers = np.nanmean(loo_null, axis=0)
    distance = np.abs(loo_null - centers)
    beyond = (distance >= np.abs(loo_observed - centers) - 1e-12) & ~np.isnan(loo_null)
    valid = (~np.isnan(loo_null)).sum(axis=0)
    return loo_observed - centers, (1 + beyond.sum(axis=0)) / (valid + 1)


def compare_with_null(
    episode_values: np.ndarray,
    null_values: np.ndarray,
    statistic: Statistic,
    level: float,
) -> RowTest:
    """Compare the episodes' statistic with the random sets'.

    Args:
        episode_values: (K,) the outcome of each episode, in time order.
        null_values: (B, K) the outcome at each random start (NaN where a set is short);
            column i stands in for episode i.
        statistic: :func:`nan_mean` or :func:`nan_median`.
        level: the interval's coverage (0.90).

    Returns:
        The :class:`RowTest`. Leaving episode i out drops column i of the null too.
    """
    count = len(episode_values)
    if count == 0:
        nothing = np.full(0, np.nan)
        nan = float("nan")
        return RowTest(0, nan, nan, nan, nan, nan, nan, nothing, nothing)
    observed = float(statistic(episode_values))
    null = statistic(null_values)
    center = float(np.nanmean(null))
    low, high = inverted_interval(observed, null, level)
    loo_excess = np.full(count, np.nan)
    loo_p = np.full(count, np.nan)
    if count > 1 and statistic is nan_mean:
        loo_excess, loo_p = _leave_one_out_means(episode_values, null_values)
    elif count > 1:
        for i in range(count):
            keep = np.arange(count) != i
            loo_observed = float(statistic(episode_values[keep]))
            loo_null = statistic(null_values[:, keep])
            loo_excess[i] = loo_observed - float(np.nanmean(loo_null))
            loo_p[i] = two_sided_p(loo_observed, loo_null)
    return RowTest(
        count=count,
        observed=observed,
        null_center=center,
        excess=observed - center,
        p_value=two_sided_p(observed, null),
        ci_low=low,
        ci_high=high,
        loo_excess=loo_excess,
        loo_p=loo_p,
    )


def values_at(picks: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The outcome at each drawn start (NaN for -1)."""
    out = values[np.maximum(picks, 0)]
    return np.where(picks >= 0, out, np.nan)
