"""The FRED series the emulator knows, with every observation's wire value and publication history.

* Weekly H.4.1 series (WALCL, WSHOMCB, WDTGAL, WTREGEN) are dated Wednesdays and first
  published on the Thursday after (realtime_start = W + 1).
* RRPONTSYD, DGS10 and DTB3 have a row for every weekday, FRED's missing-value marker ``"."`` on
  federal holidays; DFF is a 7-day series (weekends and holidays carry the last business day's
  rate) with no missing values. A daily observation is first published the next day.
* Revisions: a deterministic ~6% of WALCL and WSHOMCB observations are first published with a
  slightly wrong value and corrected a week later (a second vintage on W + 8). The corrected
  value is the market's; the other series are never revised.

Everything is computed once per (seed, series) over the whole horizon; the routes cut it with
the publication dates, so the emulator's ``today`` decides which vintages exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from emulator.market import build_market
from emulator.noise import stream

WEEKLY_SERIES = frozenset({"WALCL", "WSHOMCB", "WDTGAL", "WTREGEN"})
WEEKDAY_SERIES = frozenset({"RRPONTSYD", "DGS10", "DTB3"})
SEVEN_DAY_SERIES = frozenset({"DFF"})
SERIES = WEEKLY_SERIES | WEEKDAY_SERIES | SEVEN_DAY_SERIES
REVISED_SERIES = frozenset({"WALCL", "WSHOMCB"})
REVISION_RATE = 0.06  # share of observations whose first print is corrected
REVISION_LAG_DAYS = 7  # the correction comes with the next weekly release
MISSING = "."
WEDNESDAY = 2  # Monday = 0
NOT_REVISED = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class SeriesHistory:
    """One series over the whole horizon: what each observation said, and from when.

    Arrays are aligned and in date order; values are wire strings (``"."`` where missing).
    """

    series_id: str
    dates: np.ndarray  # datetime64[D] observation dates
    published: np.ndarray  # datetime64[D] first vintage (realtime_start of the first print)
    first_values: np.ndarray  # object: the value of the first print
    revised: np.ndarray  # datetime64[D] date of the correcting vintage, NaT if never revised
    values: np.ndarray  # object: the value after any revision (the market's)


def _weekday(days: np.ndarray) -> np.ndarray:
    # Monday = 0; day 0 of the epoch, 1970-01-01, was a Thursday.
    return (days.astype(np.int64) - 4) % 7


def _daily(seed: int, series_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Observation dates and wire values of a daily series."""
    m = build_market(seed)
    if series_id in SEVEN_DAY_SERIES:
        return m.days, np.array([f"{v:.2f}" for v in m.dff], dtype=object)
    pos = np.flatnonzero(_weekday(m.days) < 5)
    raw, fmt = {"RRPONTSYD": (m.rrp, "{:.3f}"), "DGS10": (m.dgs10, "{:.2f}"),
                "DTB3": (m.dtb3, "{:.2f}")}[series_id]  # fmt: skip
    values = [
        fmt.format(v) if ok else MISSING
        for v, ok in zip(raw[pos], m.fed_business[pos], strict=True)
    ]
    return m.days[pos], np.array(values, dtype=object)


def _weekly(seed: int, series_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Wednesday dates and levels (USD mn, whole numbers) of a weekly H.4.1 series."""
    m = build_market(seed)
    pos = np.flatnonzero(_weekday(m.days) == WEDNESDAY)
    pos = pos[pos >= 6]  # a week average needs the Thursday before
    if series_id == "WTREGEN":
        # Week average of daily TGA closes, Thursday through Wednesday; weekends and holidays
        # count with the previous business day's close.
        raw = np.stack([m.tga[pos - k] for k in range(7)]).mean(axis=0)
    else:
        raw = {"WALCL": m.walcl, "WSHOMCB": m.wshomcb, "WDTGAL": m.tga}[series_id][pos]
    return m.days[pos], np.round(raw)


@lru_cache(maxsize=32)
def series_history(seed: int, series_id: str) -> SeriesHistory:
    """Build (or return the cached) history of one series.

    Args:
        seed: the market seed.
        series_id: one of :data:`SERIES`.

    Returns:
        The series' :class:`SeriesHistory` over the whole horizon.

    Raises:
        KeyError: for a series the emulator does not serve.
    """
    if series_id not in SERIES:
        raise KeyError(series_id)
    if series_id not in WEEKLY_SERIES:
        dates, values = _daily(seed, series_id)
        published = dates + 1
        revised = np.full(len(dates), NOT_REVISED)
        return SeriesHistory(series_id, dates, published, values, revised, values)
    dates, level = _weekly(seed, series_id)
    values = np.array([f"{v:.0f}" for v in level], dtype=object)
    published = dates + 1  # Thursday's H.4.1 release
    revised = np.full(len(dates), NOT_REVISED)
    first = values
    if series_id in REVISED_SERIES:
        rng = stream(seed, f"vintages/{series_id}")
        hit = rng.random(len(dates)) < REVISION_RATE
        error = rng.normal(0.0, 0.0006, len(dates)) * level
        error = np.sign(error) * np.maximum(np.abs(error), 100.0)  # always a visible change
        first = np.where(hit, [f"{v:.0f}" for v in np.round(level + error)], values)
        revised = np.where(hit, published + REVISION_LAG_DAYS, NOT_REVISED)
    return SeriesHistory(series_id, dates, published, first, revised, values)
