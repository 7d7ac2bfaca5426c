"""False-discovery-rate adjustments: Benjamini-Hochberg and (any dependence) Benjamini-Yekutieli."""

from __future__ import annotations

import numpy as np


def _step_up(p_values: np.ndarray, factor: float) -> np.ndarray:
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m * factor / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """BH q-values: valid under independence or positive dependence.

    Args:
        p_values: one per test.

    Returns:
        q-values in the same order, monotone in p, capped at 1.
    """
    return _step_up(p_values, 1.0)


def benjamini_yekutieli(p_values: np.ndarray) -> np.ndarray:
    """BY q-values: BH times the harmonic sum 1 + 1/2 + ... + 1/m, valid under any dependence.

    Args:
        p_values: one per test.

    Returns:
        q-values in the same order, capped at 1.
    """
    m = len(p_values)
    return _step_up(p_values, float(np.sum(1.0 / np.arange(1, m + 1))) if m else 1.0)
