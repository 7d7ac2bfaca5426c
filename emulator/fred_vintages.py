"""ALFRED real-time periods over a series history: what was known when, as FRED reports it.

An observation has one real-time period per vintage: ``[published, revised - 1]`` with its first
value and ``[revised, 9999-12-31]`` with the corrected one (or just ``[published, 9999-12-31]``).
Vintages after the emulator's ``today`` do not exist yet. A request's real-time window
``[realtime_start, realtime_end]`` keeps the periods that overlap it, clipped to it, which is why
the default window (today, today) shows every row with realtime_start = realtime_end = today.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from emulator.fred_series import MISSING, SeriesHistory

OPEN_END = np.datetime64("9999-12-31", "D")
MAX_VINTAGES = 2000  # FRED refuses wider vintage tables


def _day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def _known(h: SeriesHistory, today: date) -> tuple[np.ndarray, np.ndarray]:
    """Which observations exist by ``today``, and which corrections have happened by then."""
    return h.published <= _day(today), h.revised <= _day(today)  # NaT compares False


def periods(
    h: SeriesHistory, window: tuple[date, date], observed: tuple[date, date], today: date
) -> list[tuple[str, str, str, str]]:
    """Observation rows by real-time period (FRED's ``output_type=1``).

    Args:
        h: the series history.
        window: (realtime_start, realtime_end) of the request.
        observed: (observation_start, observation_end) of the request.
        today: the emulator's today; later vintages do not exist.

    Returns:
        (realtime_start, realtime_end, date, value) as wire strings, ordered by date, then
        realtime_start.
    """
    rs, re = _day(window[0]), _day(window[1])
    exists, corrected = _known(h, today)
    exists &= (h.dates >= _day(observed[0])) & (h.dates <= _day(observed[1]))
    first_end = np.where(corrected, h.revised - 1, OPEN_END)
    parts = [
        (h.published[exists], first_end[exists], h.dates[exists], h.first_values[exists]),
        (
            h.revised[exists & corrected],
            np.full(int((exists & corrected).sum()), OPEN_END),
            h.dates[exists & corrected],
            h.values[exists & corrected],
        ),
    ]
    start, end, dates, values = (np.concatenate(col) for col in zip(*parts, strict=True))
    overlap = (start <= re) & (end >= rs)
    start, end = np.maximum(start[overlap], rs), np.minimum(end[overlap], re)
    dates, values = dates[overlap], values[overlap]
    order = np.lexsort((start, dates))
    return list(
        zip(
            start[order].astype(str),
            end[order].astype(str),
            dates[order].astype(str),
            values[order],
            strict=True,
        )
    )


def known_on(h: SeriesHistory, day: date, today: date) -> tuple[np.ndarray, np.ndarray]:
    """The series as it stood on ``day`` (the latest vintage then; fredgraph serves ``today``).

    Args:
        h: the series history.
        day: the as-of date.
        today: the emulator's today (vintages after it do not exist).

    Returns:
        (dates as ``datetime64[D]``, wire values) of every observation published by then.
    """
    cut = _day(min(day, today))
    exists = h.published <= cut
    corrected = h.revised <= cut
    return h.dates[exists], np.where(corrected, h.values, h.first_values)[exists]


def vintage_dates(h: SeriesHistory, window: tuple[date, date], today: date) -> np.ndarray:
    """The vintages a by-vintage table shows for a real-time window.

    FRED's vintage dates are the days a release added or revised observations. The table shows
    the one in force on ``realtime_start`` and every later one up to ``realtime_end``.

    Args:
        h: the series history.
        window: (realtime_start, realtime_end).
        today: the emulator's today.

    Returns:
        Sorted ``datetime64[D]`` vintage dates (possibly empty).
    """
    rs, re = _day(window[0]), _day(min(window[1], today))
    every = np.union1d(h.published, h.revised[~np.isnat(h.revised)])
    every = every[every <= re]
    in_force = every[every <= rs][-1:]
    return np.concatenate([in_force, every[every > rs]])


def wide(
    h: SeriesHistory, vintages: np.ndarray, observed: tuple[date, date]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The by-vintage table (FRED's ``output_type=2``): one value column per vintage.

    Args:
        h: the series history.
        vintages: from :func:`vintage_dates`.
        observed: (observation_start, observation_end).

    Returns:
        (observation dates as strings, one column of wire values per vintage). An observation
        that did not exist yet in a vintage shows ``"."``.
    """
    if not len(vintages):
        return np.array([], dtype=str), []
    keep = (h.published <= vintages[-1]) & (h.dates >= _day(observed[0]))
    keep &= h.dates <= _day(observed[1])
    published, revised = h.published[keep], h.revised[keep]
    first, final = h.first_values[keep], h.values[keep]
    columns = [
        np.where(published > v, MISSING, np.where(revised <= v, final, first)) for v in vintages
    ]
    return h.dates[keep].astype(str), columns
