"""The thesis test: episodes, each leg against the random-start null, ordering, verdicts.

One call of :func:`evaluate` gives every number of marts.fct_thesis_episodes, fct_thesis_test
and fct_thesis_ordering for one setting, so the three marts agree and share one BY family.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from transforms.stats.forward_paths import LEGS, ForwardPaths, forward_paths
from transforms.stats.multiple_testing import benjamini_yekutieli
from transforms.stats.random_starts import (
    RowTest,
    compare_with_null,
    draw_start_sets,
    nan_mean,
    nan_median,
    values_at,
)
from transforms.stats.thesis_params import ThesisParams
from transforms.stats.thesis_setup import decluster, setup_flags

# comparison -> (leader rotation leg, follower rotation leg): the follower's ratio should peak later
COMPARISONS = {
    "eth_btc_after_btc_rut": ("btc_vs_rut", "eth_vs_btc"),
    "alts_eth_after_eth_btc": ("eth_vs_btc", "alts_vs_eth"),
}
VERDICTS = ("insufficient", "evidence for", "evidence against", "no evidence")


@dataclass(frozen=True)
class ThesisInputs:
    """What the test reads, per RUT session (day numbers) and per asset."""

    sessions: np.ndarray  # int day numbers, sorted
    impulse_pct: np.ndarray  # 13-week impulse, % of WALCL, as known (NaN: unknown)
    r2k_condition: np.ndarray  # the raw daily R2K condition
    prices: dict[str, tuple[np.ndarray, np.ndarray]]  # RUT, BTC, ETH, ALTS: (days, closes)


@dataclass(frozen=True)
class JudgedRow:
    """A row of the test (a leg at a horizon, or an ordering comparison) with its verdict."""

    key: tuple[str, int]
    test: RowTest
    q_value: float | None
    is_fragile: bool
    verdict: str


@dataclass(frozen=True)
class ThesisResult:
    """Episodes (indices into the sessions) and the tested rows of one setting."""

    episodes: np.ndarray
    paths: ForwardPaths
    legs: list[JudgedRow]
    ordering: list[JudgedRow]


def finite_or_none(value: float) -> float | None:
    """A float for a mart column: NaN (no value) becomes NULL."""
    return None if value != value else float(value)


def loo_range(loo_excess: np.ndarray) -> tuple[float | None, float | None]:
    """The smallest and largest leave-one-out excess (NULL with fewer than 2 episodes)."""
    values = loo_excess[~np.isnan(loo_excess)]
    return (float(values.min()), float(values.max())) if len(values) else (None, None)


def judged_columns(row: JudgedRow) -> dict[str, object]:
    """The columns every tested row carries: n, p, interval, q, leave-one-out, verdict."""
    test = row.test
    low, high = loo_range(test.loo_excess)
    return {
        "count_episodes": test.count,
        "p_value": finite_or_none(test.p_value),
        "ci90_low": finite_or_none(test.ci_low),
        "ci90_high": finite_or_none(test.ci_high),
        "q_value": row.q_value,
        "loo_min_excess": low,
        "loo_max_excess": high,
        "is_fragile": row.is_fragile,
        "verdict": row.verdict,
    }


def method_text(params: ThesisParams) -> str:
    return (
        f"random-start null: {params.null_draws} start sets de-clustered by the episodes' rule "
        f"({params.cooldown_days}-day cooldown), start i drawn within +/-{params.stratum_days} "
        "days of episode i among sessions with the outcome; two-sided p = (1+k)/(B+1); "
        f"{params.ci_level:.0%} interval by inverting the null under a location shift"
    )


def find_episodes(inputs: ThesisInputs, params: ThesisParams) -> np.ndarray:
    """Indices of the sessions that start an episode under ``params``' setting."""
    _, _, setup = setup_flags(
        inputs.impulse_pct,
        inputs.r2k_condition,
        params.liquidity_threshold_pct_walcl,
        params.uptrend_confirm_sessions,
        params.uptrend_exit_sessions,
    )
    candidates = np.flatnonzero(setup)
    return candidates[decluster(inputs.sessions[candidates], params.cooldown_days)]


def _rng(params: ThesisParams, key: str) -> np.random.Generator:
    return np.random.default_rng([params.seed, zlib.crc32(key.encode())])


def _row(
    name: str,
    values: np.ndarray,
    episodes: np.ndarray,
    sessions: np.ndarray,
    params: ThesisParams,
    statistic,
) -> RowTest:
    """One row: the episodes with an outcome against random starts among sessions with one."""
    has_value = ~np.isnan(values)
    chosen = episodes[has_value[episodes]]
    eligible = np.flatnonzero(has_value)
    picks = draw_start_sets(
        sessions[eligible],
        sessions[chosen],
        params.cooldown_days,
        params.stratum_days,
        params.null_draws,
        _rng(params, name),
    )
    null_values = values_at(picks, values[eligible])
    return compare_with_null(values[chosen], null_values, statistic, params.ci_level)


def judge(rows: list[tuple[tuple[str, int], RowTest]], params: ThesisParams) -> list[JudgedRow]:
    """q-values (BY over every row with enough episodes), fragility and verdicts.

    Args:
        rows: (key, test) pairs of one family (the legs and the ordering of one setting).
        params: min_episodes and q_threshold.

    Returns:
        One :class:`JudgedRow` per input row, in order.
    """
    in_family = [i for i, (_, t) in enumerate(rows) if t.count >= params.min_episodes]
    p_family = np.array([rows[i][1].p_value for i in in_family])
    q_family = benjamini_yekutieli(p_family)
    judged = []
    for i, (key, test) in enumerate(rows):
        q = float(q_family[in_family.index(i)]) if i in in_family else None
        loo = test.loo_excess[~np.isnan(test.loo_excess)]
        flips = bool(np.any(np.sign(loo) != np.sign(test.excess))) if len(loo) else False
        lifted = False  # "lifts q above the threshold": only a q at or below it can be lifted
        if q is not None and q <= params.q_threshold:
            position = in_family.index(i)
            for p_out in test.loo_p[~np.isnan(test.loo_p)]:
                trial = p_family.copy()
                trial[position] = p_out
                if benjamini_yekutieli(trial)[position] > params.q_threshold:
                    lifted = True
                    break
        fragile = flips or lifted
        if q is None:
            verdict = "insufficient"
        elif q < params.q_threshold and not fragile and test.excess > 0:
            verdict = "evidence for"
        elif q < params.q_threshold and not fragile and test.excess < 0:
            verdict = "evidence against"
        else:
            verdict = "no evidence"
        judged.append(JudgedRow(key, test, q, fragile, verdict))
    return judged


def evaluate(
    inputs: ThesisInputs, params: ThesisParams, paths: ForwardPaths | None = None
) -> ThesisResult:
    """Run the whole test for one setting.

    Args:
        inputs: the sessions, the setup's inputs and the prices.
        params: the setting and the test's parameters.
        paths: forward returns already computed for these inputs (they do not depend on the
            setting), to share across the sensitivity grid.

    Returns:
        The :class:`ThesisResult`.
    """
    if paths is None:
        paths = forward_paths(
            inputs.sessions,
            inputs.prices,
            params.horizons_days,
            params.max_stale_days,
            params.peak_window_days,
        )
    episodes = find_episodes(inputs, params)
    rows: list[tuple[tuple[str, int], RowTest]] = []
    for leg in LEGS:
        for horizon in params.horizons_days:
            values = paths.returns[leg][horizon]
            test = _row(f"{leg}/{horizon}", values, episodes, inputs.sessions, params, nan_mean)
            rows.append(((leg, horizon), test))
    for name, (leader, follower) in COMPARISONS.items():
        lag = paths.peak_days[follower] - paths.peak_days[leader]
        test = _row(name, lag, episodes, inputs.sessions, params, nan_median)
        rows.append(((name, params.peak_window_days), test))
    judged = judge(rows, params)
    n_legs = len(LEGS) * len(params.horizons_days)
    return ThesisResult(episodes, paths, judged[:n_legs], judged[n_legs:])
