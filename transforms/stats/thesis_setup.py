"""The thesis setup day by day, and its de-clustering into independent episodes.

Everything here is causal: the state on a session depends on that session and earlier ones
only, so no value changes in hindsight when later data arrives.
"""

from __future__ import annotations

import numpy as np


def confirmed_state(condition: np.ndarray, confirm: int, exit_after: int) -> np.ndarray:
    """A hysteresis state: on after ``confirm`` sessions of the condition, off after ``exit_after``.

    Args:
        condition: the daily condition per session (False where unknown).
        confirm: consecutive sessions of the condition that turn the state on.
        exit_after: consecutive sessions without it that turn the state off.

    Returns:
        The state per session (bool).
    """
    state = np.zeros(len(condition), dtype=bool)
    on, run_true, run_false = False, 0, 0
    for i, holds in enumerate(condition.tolist()):
        run_true, run_false = (run_true + 1, 0) if holds else (0, run_false + 1)
        if not on and run_true >= confirm:
            on = True
        elif on and run_false >= exit_after:
            on = False
        state[i] = on
    return state


def run_starts(flags: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The first day of the current run of ``flags`` on each day (NaT where the flag is off).

    Args:
        flags: bool per session.
        days: ``datetime64[D]`` per session.

    Returns:
        ``datetime64[D]`` per session.
    """
    starts = flags & ~np.concatenate([[False], flags[:-1]])
    index = np.where(starts, np.arange(len(flags)), -1)
    index = np.maximum.accumulate(index) if len(index) else index
    out = np.full(len(flags), np.datetime64("NaT"), dtype="datetime64[D]")
    out[flags] = days[index[flags]]
    return out


def decluster(candidate_days: np.ndarray, cooldown_days: int) -> np.ndarray:
    """Episode starts: each the first candidate at least ``cooldown_days`` after the previous start.

    A setup still running when the cooldown ends starts a new episode on that day.

    Args:
        candidate_days: sorted day numbers (int) on which the setup holds.
        cooldown_days: minimum distance between two starts.

    Returns:
        Indices into ``candidate_days`` of the episode starts.
    """
    chosen: list[int] = []
    next_allowed = None
    position = 0
    while position < len(candidate_days):
        if next_allowed is not None:
            position = int(np.searchsorted(candidate_days, next_allowed, side="left"))
            if position >= len(candidate_days):
                break
        chosen.append(position)
        next_allowed = int(candidate_days[position]) + cooldown_days
    return np.asarray(chosen, dtype=np.int64)


def setup_flags(
    impulse_pct: np.ndarray,
    r2k_condition: np.ndarray,
    threshold_pct: float,
    confirm: int,
    exit_after: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Liquidity expanding, R2K strong uptrend and the setup, per session.

    Args:
        impulse_pct: the 13-week impulse as a percent of WALCL, as known (NaN when unknown).
        r2k_condition: the raw daily R2K condition (False where unknown).
        threshold_pct: liquidity expands when the impulse exceeds this.
        confirm: sessions of the condition that confirm the uptrend.
        exit_after: sessions without it that end the uptrend.

    Returns:
        (is_liquidity_expanding, is_r2k_strong_uptrend, is_setup), bool arrays.
    """
    with np.errstate(invalid="ignore"):
        expanding = np.nan_to_num(impulse_pct, nan=-np.inf) > threshold_pct
    uptrend = confirmed_state(r2k_condition, confirm, exit_after)
    return expanding, uptrend, expanding & uptrend
