"""Synthetic Fed liquidity: balance sheet, MBS, Treasury General Account and overnight reverse repo.

Each series is a dated anchor path (shaped like 2015-2025: QE in 2020-22, QT after, the RRP
boom and drain, debt-ceiling TGA troughs) times seeded mean-reverting noise, on the calendar grid.
Units are the sources' own: WALCL, WSHOMCB and TGA in USD millions, RRP in USD billions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.noise import anchored, ar1, stream

# Fed total assets (USD mn): flat 2015-17, QT1 to 2019, the 2020 QE surge, QT2 from mid-2022.
WALCL_PATH = [
    ("2015-01-01", 4.50e6), ("2017-10-01", 4.46e6), ("2019-08-28", 3.76e6), ("2020-02-26", 4.16e6),
    ("2020-03-11", 4.36e6), ("2020-06-10", 7.17e6), ("2021-01-06", 7.39e6), ("2022-01-05", 8.79e6),
    ("2022-04-13", 8.96e6), ("2023-03-01", 8.39e6), ("2023-03-22", 8.73e6), ("2024-06-05", 7.29e6),
    ("2025-06-04", 6.68e6), ("2025-12-03", 6.54e6), ("2027-01-06", 6.70e6), ("2035-12-31", 8.20e6),
]  # fmt: skip
# Fed MBS holdings (USD mn), kept inside 1.7e6-2.7e6.
WSHOMCB_PATH = [
    ("2015-01-01", 1.75e6), ("2017-10-01", 1.78e6), ("2019-09-01", 1.72e6), ("2020-03-11", 1.73e6),
    ("2020-07-01", 1.93e6), ("2021-01-06", 2.05e6), ("2022-04-13", 2.69e6), ("2023-06-07", 2.58e6),
    ("2025-06-04", 2.18e6), ("2030-01-02", 1.95e6), ("2035-12-31", 1.76e6),
]  # fmt: skip
# TGA close (USD mn): debt-ceiling troughs in 2015, 2017, 2019, 2021, 2023 and 2025.
TGA_PATH = [
    ("2015-01-01", 150e3), ("2015-10-28", 70e3), ("2015-12-01", 250e3), ("2016-06-01", 350e3),
    ("2017-03-16", 200e3), ("2017-09-06", 65e3), ("2017-10-15", 350e3), ("2018-12-01", 380e3),
    ("2019-03-01", 200e3), ("2019-07-31", 130e3), ("2019-09-15", 350e3), ("2020-03-25", 400e3),
    ("2020-07-01", 850e3), ("2021-01-20", 850e3), ("2021-08-01", 400e3), ("2021-10-15", 90e3),
    ("2021-12-20", 250e3), ("2022-04-28", 850e3), ("2022-09-30", 650e3), ("2023-01-19", 450e3),
    ("2023-06-01", 60e3), ("2023-08-01", 550e3), ("2023-11-15", 800e3), ("2024-06-01", 750e3),
    ("2025-01-15", 700e3), ("2025-06-30", 300e3), ("2025-09-15", 800e3), ("2035-12-31", 800e3),
]  # fmt: skip
# ON RRP (USD bn): near zero until 2021, the 2022 plateau near 2,500, drained by 2025.
RRP_PATH = [
    ("2015-01-01", 0.3), ("2021-03-15", 1.0), ("2021-06-30", 990.0), ("2021-12-31", 1900.0),
    ("2022-06-30", 2330.0), ("2022-12-30", 2400.0), ("2023-04-03", 2300.0), ("2023-06-01", 2150.0),
    ("2023-12-01", 1000.0), ("2024-06-03", 450.0), ("2024-12-02", 250.0), ("2025-06-02", 150.0),
    ("2025-09-30", 20.0), ("2025-12-31", 0.3),
]  # fmt: skip
# Tax dates pull cash into the TGA: (month, day, relative jump), decaying over about a week.
TAX_SPIKES = [(1, 15, 0.08), (4, 15, 0.15), (6, 15, 0.10), (9, 15, 0.10), (12, 15, 0.08)]


@dataclass(frozen=True)
class Liquidity:
    """Daily liquidity series on the calendar grid (non-business days carry the last close)."""

    walcl: np.ndarray  # USD mn
    wshomcb: np.ndarray  # USD mn
    tga: np.ndarray  # USD mn, integer-valued
    rrp: np.ndarray  # USD bn, 3 decimals


def _carry_forward(values: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Replace values on closed days with the last open day's value (day 0 counts as open)."""
    idx = np.where(is_open, np.arange(len(values)), 0)
    return values[np.maximum.accumulate(idx)]


def _tax_spikes(days: np.ndarray) -> np.ndarray:
    """Relative TGA lift from tax receipts: a jump on each tax date, halving every 6 days."""
    lift = np.zeros(len(days))
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    ordinal = days.astype(np.int64)
    for month, day, jump in TAX_SPIKES:
        due = np.array(
            [f"{y}-{month:02d}-{day:02d}" for y in range(years.min(), years.max() + 1)],
            dtype="datetime64[D]",
        ).astype(np.int64)
        since = ordinal[:, None] - due[None, :]
        lift += (jump * np.where(since >= 0, 0.5 ** (np.maximum(since, 0) / 6.0), 0.0)).sum(axis=1)
    return lift


def build_liquidity(seed: int, days: np.ndarray, business: np.ndarray) -> Liquidity:
    """Generate the liquidity series over the whole calendar.

    Args:
        seed: the market seed.
        days: ``datetime64[D]`` calendar grid.
        business: federal business-day mask (DTS and FRED daily series publish only then).

    Returns:
        A :class:`Liquidity` of float arrays aligned with ``days``.
    """
    n = len(days)
    walcl = anchored(days, WALCL_PATH) * (1 + ar1(stream(seed, "walcl"), n, 0.98, 0.004))
    mbs = anchored(days, WSHOMCB_PATH) * (1 + ar1(stream(seed, "wshomcb"), n, 0.98, 0.003))
    tga = anchored(days, TGA_PATH) * np.exp(ar1(stream(seed, "tga"), n, 0.9, 0.07))
    tga = tga * (1 + _tax_spikes(days))
    rrp_path = anchored(days, RRP_PATH)
    rrp_rng = stream(seed, "rrp")
    rrp = rrp_path * np.exp(ar1(rrp_rng, n, 0.95, 0.05))
    # While the facility is idle, a few counterparties still use it on some days; prints
    # under 0.5 bn are an exact 0.000, as FRED shows them.
    idle = np.maximum(0.0, ar1(rrp_rng, n, 0.7, 4.0)) * (rrp_path < 50)
    rrp = np.where(rrp + idle < 0.5, 0.0, rrp + idle)
    return Liquidity(
        walcl=np.round(walcl),
        wshomcb=np.clip(np.round(mbs), 1.70e6, 2.70e6),
        tga=_carry_forward(np.clip(np.round(tga), 50e3, 1.0e6), business),
        rrp=_carry_forward(np.round(rrp, 3), business),
    )
