"""FRED's keyless CSV download ``GET /graph/fredgraph.csv?id=WALCL&cosd=&coed=`` (latest vintage).

No API key and no vintages: the file holds the series as known today. ``id`` may list several
series (``id=WALCL,WTREGEN``): one column each, joined on the date. ``cosd``/``coed`` bound the
observation dates. Two header generations exist in the wild, and the snapshot's
``fredgraph_header`` picks one:

* ``observation_date,WALCL`` (current): missing values are empty;
* ``DATE,WALCL`` (older files): missing values are FRED's ``"."``.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from emulator.bad_data import fred_value_with_bad_data
from emulator.fred_series import MISSING, SERIES, series_history
from emulator.fred_vintages import known_on
from emulator.reply import Reply, Snapshot

PATH = "/graph/fredgraph.csv"
HEADERS = {"observation_date": "", "DATE": MISSING}  # first header cell -> missing-value marker
CSV = "text/csv"


def _text(status: int, message: str) -> Reply:
    return Reply(status, message + "\n", content_type="text/plain")


def _bound(query: dict[str, str], name: str, default: date) -> date | None:
    raw = query.get(name, "")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def fredgraph_csv(snap: Snapshot, query: dict[str, str]) -> Reply:
    """Answer one fredgraph CSV download.

    Args:
        snap: the market as of now (its ``fredgraph_header`` picks the header form).
        query: decoded query parameters: ``id``, optional ``cosd`` and ``coed``.

    Returns:
        200 ``text/csv``; 400 for a missing id or a bad date; 404 for an unknown series.
    """
    ids = [s for s in query.get("id", "").split(",") if s]
    if not ids:
        return _text(400, "Error: the parameter id is required.")
    unknown = [s for s in ids if s not in SERIES]
    if unknown:
        return _text(404, f"Error: series {','.join(unknown)} does not exist.")
    start = _bound(query, "cosd", date(1776, 7, 4))
    end = _bound(query, "coed", date(9999, 12, 31))
    if start is None or end is None:
        return _text(400, "Error: cosd and coed must be YYYY-MM-DD dates.")

    missing = HEADERS[snap.fredgraph_header]
    columns: list[dict[str, str]] = []
    for series_id in ids:
        dates, values = known_on(
            series_history(snap.market.seed, series_id), snap.today, snap.today
        )
        keep = (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
        column = {}
        for day, raw in zip(dates[keep].astype(str), values[keep], strict=True):
            value = fred_value_with_bad_data(snap, series_id, day, raw)
            column[day] = missing if value == MISSING else value
        columns.append(column)
    every_day = sorted(set().union(*columns))
    lines = [",".join([snap.fredgraph_header, *ids])]
    lines += [",".join([day, *(c.get(day, missing) for c in columns)]) for day in every_day]
    return Reply(200, "\n".join(lines) + "\n", content_type=CSV)
