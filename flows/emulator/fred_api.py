"""FRED ``GET /fred/series/observations`` over the synthetic liquidity series.

Weekly H.4.1 series (WALCL, WSHOMCB, WDTGAL, WTREGEN) are dated Wednesdays and published on
Thursday, so only Wednesdays up to ``today - 1`` exist. RRPONTSYD has a row for every weekday up
to yesterday; federal holidays carry FRED's missing-value marker ``"."``.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from flows.emulator.reply import Reply, Snapshot

PATH = "/fred/series/observations"
MAX_LIMIT = 100_000
WEDNESDAY = 2  # Monday = 0
WEEKLY_SERIES = frozenset({"WALCL", "WSHOMCB", "WDTGAL", "WTREGEN"})
DAILY_SERIES = frozenset({"RRPONTSYD"})
MISSING = "."


def _error(message: str) -> Reply:
    return Reply(400, {"error_code": 400, "error_message": f"Bad Request.  {message}"})


def _weekday(days: np.ndarray) -> np.ndarray:
    # Monday = 0; day 0 of the epoch, 1970-01-01, was a Thursday.
    return (days.astype(np.int64) - 4) % 7


def _series(snap: Snapshot, series_id: str) -> tuple[np.ndarray, list[str]]:
    """All published observation dates and their wire values (strings) for one series."""
    m = snap.market
    last = m.position(snap.yesterday) + 1 if snap.yesterday >= date(2015, 1, 1) else 0
    if series_id in DAILY_SERIES:
        pos = np.flatnonzero(_weekday(m.days[:last]) < 5)
        values = [
            f"{v:.3f}" if ok else MISSING
            for v, ok in zip(m.rrp[pos], m.fed_business[pos], strict=True)
        ]
        return m.days[pos], values
    pos = np.flatnonzero(_weekday(m.days[:last]) == WEDNESDAY)
    pos = pos[pos >= 6]  # a week average needs the Thursday before
    if series_id == "WTREGEN":
        # Week average of daily TGA closes, Thursday through Wednesday; weekends and holidays
        # count with the previous business day's close.
        window = np.stack([m.tga[pos - k] for k in range(7)])
        raw = window.mean(axis=0)
    else:
        raw = {"WALCL": m.walcl, "WSHOMCB": m.wshomcb, "WDTGAL": m.tga}[series_id][pos]
    return m.days[pos], [f"{v:.0f}" for v in np.round(raw)]


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def observations(snap: Snapshot, query: dict[str, str]) -> Reply:
    """Answer one observations request like FRED (including its error bodies).

    Args:
        snap: the market as of now.
        query: decoded query parameters.

    Returns:
        200 with the observations page, or 400 with FRED's error JSON.
    """
    if not query.get("api_key"):
        return _error(
            "Variable api_key is not set. Read https://research.stlouisfed.org/docs/api/"
            "api_key.html for more information."
        )
    series_id = query.get("series_id", "")
    if not series_id:
        return _error("Variable series_id is not set.")
    if query.get("file_type", "json") != "json":
        return _error("Variable file_type: this emulator serves file_type=json only.")
    start = _parse_date(query.get("observation_start", "1776-07-04"))
    end = _parse_date(query.get("observation_end", "9999-12-31"))
    if start is None or end is None:
        return _error(
            "Variable observation_start or observation_end is not a valid YYYY-MM-DD date."
        )
    if start > end:
        return _error("The observation_start date must be before the observation_end date.")
    try:
        limit = int(query.get("limit", MAX_LIMIT))
        offset = int(query.get("offset", 0))
    except ValueError:
        return _error("Variable limit or offset is not an integer.")
    if not 1 <= limit <= MAX_LIMIT:
        return _error(f"Variable limit is not between 1 and {MAX_LIMIT}.")
    if offset < 0:
        return _error("Variable offset is not a non-negative integer.")
    sort_order = query.get("sort_order", "asc")
    if sort_order not in ("asc", "desc"):
        return _error("Variable sort_order is not one of the values: 'asc', 'desc'.")
    if series_id not in WEEKLY_SERIES | DAILY_SERIES:
        return _error("The series does not exist.")

    dates, values = _series(snap, series_id)
    keep = (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
    rows = list(zip(dates[keep].astype(str), np.asarray(values, dtype=object)[keep], strict=True))
    if sort_order == "desc":
        rows.reverse()
    realtime = snap.today.isoformat()
    return Reply(
        200,
        {
            "realtime_start": realtime,
            "realtime_end": realtime,
            "observation_start": start.isoformat(),
            "observation_end": end.isoformat(),
            "units": "lin",
            "output_type": 1,
            "file_type": "json",
            "order_by": "observation_date",
            "sort_order": sort_order,
            "count": len(rows),
            "offset": offset,
            "limit": limit,
            "observations": [
                {"realtime_start": realtime, "realtime_end": realtime, "date": d, "value": v}
                for d, v in rows[offset : offset + limit]
            ],
        },
    )
