"""marts.dim_calendar: every calendar day of the data with its NYSE session flag, H.4.1 week, month.

grain: one row per calendar date, from the earliest to the latest date in marts.fct_asset_daily
       and marts.fct_net_liquidity (no rows when both are empty).
audits: dim_calendar__unique_date

Columns:
  - is_nyse_session: the New York Stock Exchange held a session that day, per
    exchange_calendars' XNYS: weekends, holidays and one-off closures (2018-12-05 for
    President Bush, 2025-01-09 for President Carter) are not sessions; an early close is one.
    Equities are checked against it (a missing session is a gap, a holiday is not); crypto
    trades every day and needs no calendar. Null where the calendar does not reach: before
    CALENDAR_START, and after its last session (a year past today), so a day there is
    "unknown", never silently a holiday.
  - week_wednesday: the Wednesday ENDING the date's H.4.1 week. The Fed's weekly H.4.1 week
    runs Thursday to Wednesday (WALCL is the Wednesday level, WTREGEN the average of the week
    ending Wednesday), so Thursday 2024-01-04 .. Wednesday 2024-01-10 all map to 2024-01-10.
    Chosen over the ISO week's Wednesday, which would split that week between two Wednesdays.
    The Wednesday's figures are published on the Thursday after: the week a date belongs to
    is not yet known on that date unless the date is past its week_wednesday.
  - month: the first day of the date's month.
"""

from __future__ import annotations

import warnings
from datetime import date

import duckdb
import exchange_calendars
import polars as pl

DEPENDS_ON = ("marts.fct_asset_daily", "marts.fct_net_liquidity")

EXCHANGE = "XNYS"
# Fixed, not the data's first date: exchange_calendars caches a calendar per (name, start),
# so every build in a process reuses one (building it takes about 0.2 s). XNYS's modern rules
# are reliable from here on; the warehouse's sources start in 2015.
CALENDAR_START = date(1990, 1, 1)
WEDNESDAY = 3  # ISO weekday, Monday = 1

SCHEMA = {
    "date": pl.Date,
    "is_nyse_session": pl.Boolean,
    "week_wednesday": pl.Date,
    "month": pl.Date,
}


def nyse_sessions() -> tuple[pl.Series, date]:
    """The XNYS sessions from CALENDAR_START, and the last day the calendar covers.

    Returns:
        The session dates, and the calendar's last session.
    """
    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads a tz-aware Series.values, which pandas 3 deprecates;
        # harmless here (it wants UTC nanoseconds, and gets them) and not ours to fix
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        calendar = exchange_calendars.get_calendar(EXCHANGE, start=CALENDAR_START.isoformat())
    sessions = pl.Series("session", calendar.sessions.to_numpy().astype("datetime64[D]"))
    return sessions, calendar.last_session.date()


def calendar_days(first: date, last: date) -> pl.DataFrame:
    """One row per day from ``first`` to ``last`` with the columns of the module docstring.

    Args:
        first: the first date.
        last: the last date (inclusive).

    Returns:
        A frame with exactly ``SCHEMA``.
    """
    sessions, last_session = nyse_sessions()
    days = pl.DataFrame({"date": pl.date_range(first, last, "1d", eager=True)})
    covered = pl.col("date").is_between(CALENDAR_START, last_session)
    # days to the Wednesday on or after: Thursday (4) -> 6, Wednesday (3) -> 0, Sunday (7) -> 3
    to_wednesday = (7 + WEDNESDAY - pl.col("date").dt.weekday()) % 7
    return days.select(
        "date",
        is_nyse_session=pl.when(covered).then(pl.col("date").is_in(sessions.implode())),
        week_wednesday=pl.col("date") + pl.duration(days=to_wednesday),
        month=pl.col("date").dt.month_start(),
    ).cast(SCHEMA)


def build(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Build the mart over the dates of marts.fct_asset_daily and marts.fct_net_liquidity.

    Args:
        con: the warehouse, with both marts built.

    Returns:
        The calendar frame (``SCHEMA``), empty when both marts are.
    """
    ((first, last),) = con.execute(
        "select min(date), max(date) from ("
        " select date from marts.fct_asset_daily"
        " union all select date from marts.fct_net_liquidity)"
    ).fetchall()
    if first is None:
        return pl.DataFrame(schema=SCHEMA)
    return calendar_days(first, last)
