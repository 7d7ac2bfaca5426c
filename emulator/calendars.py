"""Holiday calendars of the synthetic market: NYSE trading days and US federal business days.

Rules (computed, not looked up; one-off closures such as the 2018-12-05 and 2025-01-09 national
days of mourning are deliberately left out):

* NYSE: New Year's Day, Martin Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial
  Day, Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving, Christmas. A Sunday
  holiday is observed on Monday, a Saturday one on Friday, except New Year's Day on a Saturday,
  which the NYSE does not observe (its rule 7.2).
* Federal (FRED's daily series and the Daily Treasury Statement): the eleven federal holidays
  (Juneteenth from 2021), Saturday -> Friday, Sunday -> Monday. Good Friday is a business day.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

_MON, _THU, _SAT, _SUN = 0, 3, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) given weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _observed(day: date, *, saturday_to_friday: bool = True) -> date | None:
    """Move a weekend holiday to its observed weekday (None: not observed at all)."""
    if day.weekday() == _SUN:
        return day + timedelta(days=1)
    if day.weekday() == _SAT:
        return day - timedelta(days=1) if saturday_to_friday else None
    return day


def nyse_holidays(year: int) -> list[date]:
    """NYSE full-day closures of one year (see the module docstring for the rules).

    Args:
        year: calendar year.

    Returns:
        The observed holiday dates, all weekdays.
    """
    fixed = [
        _observed(date(year, 1, 1), saturday_to_friday=False),
        _observed(date(year, 7, 4)),
        _observed(date(year, 12, 25)),
    ]
    if year >= 2022:
        fixed.append(_observed(date(year, 6, 19)))
    floating = [
        _nth_weekday(year, 1, _MON, 3),
        _nth_weekday(year, 2, _MON, 3),
        _easter(year) - timedelta(days=2),
        _nth_weekday(year, 5, _MON, -1),
        _nth_weekday(year, 9, _MON, 1),
        _nth_weekday(year, 11, _THU, 4),
    ]
    return sorted(d for d in fixed + floating if d is not None)


def federal_holidays(year: int) -> list[date]:
    """US federal holidays observed in one year (a Saturday New Year may fall on Dec 31 before).

    Args:
        year: calendar year.

    Returns:
        The observed holiday dates; the New Year's Day of ``year + 1`` is included when it is
        observed on December 31 of ``year``.
    """
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    if year >= 2021:
        fixed.append(date(year, 6, 19))
    days = [_observed(d) for d in fixed] + [
        _nth_weekday(year, 1, _MON, 3),
        _nth_weekday(year, 2, _MON, 3),
        _nth_weekday(year, 5, _MON, -1),
        _nth_weekday(year, 9, _MON, 1),
        _nth_weekday(year, 10, _MON, 2),
        _nth_weekday(year, 11, _THU, 4),
    ]
    if date(year + 1, 1, 1).weekday() == _SAT:
        days.append(date(year, 12, 31))
    return sorted(d for d in days if d is not None and d.year == year)


def _open_mask(days: np.ndarray, holidays: list[date]) -> np.ndarray:
    weekday = (days.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
    return (weekday < 5) & ~np.isin(days, np.array(holidays, dtype="datetime64[D]"))


def nyse_open(days: np.ndarray) -> np.ndarray:
    """Mask of NYSE trading days.

    Args:
        days: ``datetime64[D]`` array.

    Returns:
        Boolean array, True where the exchange is open.
    """
    years = range(int(days.min().astype(object).year), int(days.max().astype(object).year) + 1)
    return _open_mask(days, [d for y in years for d in nyse_holidays(y)])


def federal_business(days: np.ndarray) -> np.ndarray:
    """Mask of US federal business days (weekdays that are not federal holidays).

    Args:
        days: ``datetime64[D]`` array.

    Returns:
        Boolean array, True on business days.
    """
    years = range(int(days.min().astype(object).year) - 1, int(days.max().astype(object).year) + 1)
    return _open_mask(days, [d for y in years for d in federal_holidays(y)])
