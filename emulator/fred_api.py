"""FRED ``GET /fred/series/observations`` with ALFRED real-time periods, over the synthetic series.

Parameters served as FRED does: ``series_id``, ``api_key``, ``file_type=json``,
``observation_start``/``observation_end``, ``realtime_start``/``realtime_end`` (default: today;
``9999-12-31`` means "still current"), ``output_type`` 1 (rows by real-time period) or 2 (one
column ``<SERIES>_<YYYYMMDD>`` per vintage), ``limit``/``offset`` and ``sort_order``. What each
series holds and when it was published: see ``fred_series.py``; the vintage rules:
``fred_vintages.py``. Errors are FRED's HTTP 400 ``{"error_code", "error_message"}`` bodies.
"""

from __future__ import annotations

from datetime import date

from emulator.bad_data import fred_value_with_bad_data
from emulator.fred_series import SERIES, series_history
from emulator.fred_vintages import MAX_VINTAGES, periods, vintage_dates, wide
from emulator.reply import Reply, Snapshot

PATH = "/fred/series/observations"
MAX_LIMIT = 100_000
SERVED_OUTPUT_TYPES = ("1", "2")


def _error(message: str) -> Reply:
    return Reply(400, {"error_code": 400, "error_message": f"Bad Request.  {message}"})


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _dates(query: dict[str, str], kind: str, start: str, end: str) -> tuple[date, date] | Reply:
    """A validated (start, end) pair of one kind: ``observation`` or ``realtime``."""
    first = _parse_date(query.get(f"{kind}_start", start))
    last = _parse_date(query.get(f"{kind}_end", end))
    if first is None or last is None:
        return _error(f"Variable {kind}_start or {kind}_end is not a valid YYYY-MM-DD date.")
    if first > last:
        return _error(f"The {kind}_start date must be before the {kind}_end date.")
    return first, last


def _paging(query: dict[str, str]) -> tuple[int, int, str] | Reply:
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
    return limit, offset, sort_order


def _rows(
    snap: Snapshot, series_id: str, output_type: str, window: tuple, observed: tuple
) -> list[dict] | Reply:
    """Every observation row of the answer, before paging."""
    history = series_history(snap.market.seed, series_id)

    def value(day: str, raw: str) -> str:
        return fred_value_with_bad_data(snap, series_id, day, raw)

    if output_type == "1":
        return [
            {"realtime_start": rs, "realtime_end": re, "date": d, "value": value(d, v)}
            for rs, re, d, v in periods(history, window, observed, snap.today)
        ]
    vintages = vintage_dates(history, window, snap.today)
    if len(vintages) > MAX_VINTAGES:
        return _error(f"The real-time period holds more than {MAX_VINTAGES} vintage dates.")
    names = [f"{series_id}_{v.astype(object):%Y%m%d}" for v in vintages]
    dates, columns = wide(history, vintages, observed)
    return [
        {"date": d, **{n: value(d, c[i]) for n, c in zip(names, columns, strict=True)}}
        for i, d in enumerate(dates)
    ]


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
    today = snap.today.isoformat()
    observed = _dates(query, "observation", "1776-07-04", "9999-12-31")
    window = _dates(query, "realtime", today, today)
    paging = _paging(query)
    for checked in (observed, window, paging):
        if isinstance(checked, Reply):
            return checked
    output_type = query.get("output_type", "1")
    if output_type not in ("1", "2", "3", "4"):
        return _error("Variable output_type is not one of the values: 1, 2, 3, 4.")
    if output_type not in SERVED_OUTPUT_TYPES:
        return _error("Variable output_type: this emulator serves output_type 1 and 2 only.")
    if series_id not in SERIES:
        return _error("The series does not exist.")

    rows = _rows(snap, series_id, output_type, window, observed)
    if isinstance(rows, Reply):
        return rows
    limit, offset, sort_order = paging
    if sort_order == "desc":
        rows.reverse()
    return Reply(
        200,
        {
            "realtime_start": window[0].isoformat(),
            "realtime_end": window[1].isoformat(),
            "observation_start": observed[0].isoformat(),
            "observation_end": observed[1].isoformat(),
            "units": "lin",
            "output_type": int(output_type),
            "file_type": "json",
            "order_by": "observation_date",
            "sort_order": sort_order,
            "count": len(rows),
            "offset": offset,
            "limit": limit,
            "observations": rows[offset : offset + limit],
        },
    )
