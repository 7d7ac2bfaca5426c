"""Synthetic US rates, percent: effective fed funds (DFF), 10-year (DGS10), 3-month bill (DTB3).

Fed funds follows a step path shaped like 2015-2025 (liftoff in Dec 2015, cuts to the floor in
March 2020, the 2022-23 hikes to 5.33, cuts from Sep 2024); the effective rate prints a few
basis points above the bottom of the target range. The 3-month bill prices the next 91 days of
that path (it anticipates moves) less a small spread; the 10-year is a dated anchor path plus
persistent noise. Values are rounded to two decimals, as FRED shows them; non-business days
carry the previous business day's value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.noise import anchored, ar1, stream

# (first day in effect, effective fed funds rate in percent)
FED_FUNDS_STEPS = [
    ("2015-01-01", 0.12), ("2015-12-17", 0.37), ("2016-12-15", 0.66), ("2017-03-16", 0.91),
    ("2017-06-15", 1.16), ("2017-12-14", 1.42), ("2018-03-22", 1.68), ("2018-06-14", 1.91),
    ("2018-09-27", 2.18), ("2018-12-20", 2.40), ("2019-08-01", 2.13), ("2019-09-19", 1.90),
    ("2019-10-31", 1.55), ("2020-03-04", 1.10), ("2020-03-16", 0.09), ("2022-03-17", 0.33),
    ("2022-05-05", 0.83), ("2022-06-16", 1.58), ("2022-07-28", 2.33), ("2022-09-22", 3.08),
    ("2022-11-03", 3.83), ("2022-12-15", 4.33), ("2023-02-02", 4.58), ("2023-03-23", 4.83),
    ("2023-05-04", 5.08), ("2023-07-27", 5.33), ("2024-09-19", 4.83), ("2024-11-08", 4.58),
    ("2024-12-19", 4.33), ("2025-09-18", 4.08), ("2025-10-30", 3.83), ("2025-12-11", 3.58),
]  # fmt: skip
DGS10_PATH = [
    ("2015-01-01", 2.12), ("2015-06-10", 2.45), ("2016-07-08", 1.37), ("2016-12-15", 2.60),
    ("2018-10-05", 3.23), ("2019-08-28", 1.47), ("2020-03-09", 0.54), ("2020-08-04", 0.52),
    ("2021-03-31", 1.74), ("2021-12-31", 1.52), ("2022-06-14", 3.48), ("2022-10-24", 4.25),
    ("2023-04-06", 3.30), ("2023-10-19", 4.98), ("2023-12-27", 3.79), ("2024-04-25", 4.70),
    ("2024-09-16", 3.62), ("2025-01-14", 4.79), ("2025-04-04", 4.01), ("2025-07-15", 4.42),
    ("2025-10-16", 3.97), ("2026-06-01", 4.20), ("2035-12-31", 4.00),
]  # fmt: skip
BILL_HORIZON_DAYS = 91
BILL_SPREAD = 0.05  # bills trade a few bp under expected fed funds


@dataclass(frozen=True)
class Rates:
    """Daily rates in percent on the calendar grid (non-business days carry the last value)."""

    dff: np.ndarray
    dgs10: np.ndarray
    dtb3: np.ndarray


def _steps(days: np.ndarray) -> np.ndarray:
    """The fed funds step path on the calendar grid."""
    starts = np.array([s[0] for s in FED_FUNDS_STEPS], dtype="datetime64[D]")
    levels = np.array([s[1] for s in FED_FUNDS_STEPS])
    return levels[np.maximum(np.searchsorted(starts, days, side="right") - 1, 0)]


def _carry(values: np.ndarray, business: np.ndarray) -> np.ndarray:
    idx = np.where(business, np.arange(len(values)), 0)
    return values[np.maximum.accumulate(idx)]


def build_rates(seed: int, days: np.ndarray, business: np.ndarray) -> Rates:
    """Generate DFF, DGS10 and DTB3 over the calendar.

    Args:
        seed: the market seed.
        days: ``datetime64[D]`` calendar grid.
        business: federal business-day mask (rates print only on those days).

    Returns:
        A :class:`Rates` of float arrays aligned with ``days``, in percent.
    """
    n = len(days)
    rng = stream(seed, "rates")
    steps = _steps(days)
    # Effective rate: a basis point or two of daily drift around the step, month-end dips.
    month_end = days.astype("datetime64[M]") != (days + 1).astype("datetime64[M]")
    dff = steps + np.round(rng.normal(0.0, 0.006, n), 2) - 0.02 * month_end * (steps > 0.2)
    # Bills: the mean of the step path over the next 91 days, so hikes are priced in early.
    padded = np.concatenate([steps, np.full(BILL_HORIZON_DAYS, steps[-1])])
    window = np.cumsum(np.concatenate([[0.0], padded]))
    expected = (window[BILL_HORIZON_DAYS:] - window[:-BILL_HORIZON_DAYS])[:n] / BILL_HORIZON_DAYS
    dtb3 = expected - BILL_SPREAD + ar1(rng, n, 0.9, 0.03)
    dgs10 = anchored(days, DGS10_PATH) + ar1(stream(seed, "rates/dgs10"), n, 0.99, 0.12)
    return Rates(
        dff=_carry(np.round(np.maximum(dff, 0.04), 2), business),
        dgs10=_carry(np.round(np.maximum(dgs10, 0.3), 2), business),
        dtb3=_carry(np.round(np.maximum(dtb3, 0.01), 2), business),
    )
