"""Fiscal Data ``GET /v1/accounting/dts/operating_cash_balance``: filter, sort, fields, paging.

Query syntax as the real API: ``filter=record_date:gte:2025-07-07,record_date:lte:2025-07-11``
(operators eq, lt, lte, gt, gte, in:(a,b)), ``sort=-record_date,src_line_nbr``,
``fields=record_date,account_type``, ``page[number]`` (from 1) and ``page[size]`` (default 100,
at most 10000). Bad parameters answer 400 ``{"error": "Invalid Query Param", "message": ...}``.
"""

from __future__ import annotations

import bisect
import math
import re
from datetime import date
from functools import lru_cache

from emulator.bad_data import dts_rows_with_bad_data
from emulator.dts_table import COLUMNS, NUMERIC_COLUMNS, dts_rows
from emulator.reply import Reply, Snapshot

PATH = "/v1/accounting/dts/operating_cash_balance"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
OPERATORS = frozenset({"eq", "lt", "lte", "gt", "gte", "in"})
_TOP_LEVEL_COMMA = re.compile(r",(?![^()]*\))")  # commas outside an in:(...) list


class _BadParam(ValueError):
    def __init__(self, name: str, value: str) -> None:
        super().__init__(name, value)
        self.reply = Reply(
            400,
            {
                "error": "Invalid Query Param",
                "message": f"Invalid query parameter '{name}' with value '[{value}]'.  "
                "For more information please see the documentation.",
            },
        )


def _key(column: str, value: str) -> object:
    """Comparison key: numbers compare as numbers ("null" first), everything else as text."""
    if column in NUMERIC_COLUMNS:
        return -math.inf if value == "null" else float(value)
    return value


def _parse_filters(raw: str) -> list[tuple[str, str, list[object]]]:
    """Split a filter parameter into (column, operator, comparison keys) clauses."""
    filters = []
    for clause in (c for c in _TOP_LEVEL_COMMA.split(raw) if c):
        parts = clause.split(":", 2)
        if len(parts) != 3 or parts[0] not in COLUMNS or parts[1] not in OPERATORS:
            raise _BadParam("filter", clause)
        column, op, value = parts
        values = value.strip("()").split(",") if op == "in" else [value]
        try:
            filters.append((column, op, [_key(column, v) for v in values]))
        except ValueError:
            raise _BadParam("filter", clause) from None
    return filters


_COMPARE = {
    "eq": lambda have, want: have == want[0],
    "in": lambda have, want: have in want,
    "lt": lambda have, want: have < want[0],
    "lte": lambda have, want: have <= want[0],
    "gt": lambda have, want: have > want[0],
    "gte": lambda have, want: have >= want[0],
}


def _matches(row: dict[str, str], filters: list[tuple[str, str, list[object]]]) -> bool:
    return all(_COMPARE[op](_key(column, row[column]), want) for column, op, want in filters)


@lru_cache(maxsize=8)
def _dated_rows(seed: int, today: date) -> tuple[tuple[dict[str, str], ...], list[str]]:
    """The DTS rows and their record dates (sorted), for narrowing by date with bisect."""
    rows = dts_rows(seed, today)
    return rows, [r["record_date"] for r in rows]


def _date_window(filters: list[tuple[str, str, list[object]]]) -> tuple[str, str]:
    """The record_date range the filters allow at most (the full filter still runs after)."""
    low, high = "", "~"
    for column, op, want in filters:
        if column != "record_date":
            continue
        values = [str(w) for w in want]
        if op in ("eq", "in", "gt", "gte"):
            low = max(low, min(values))
        if op in ("eq", "in", "lt", "lte"):
            high = min(high, max(values))
    return low, high


def _page_param(query: dict[str, str], name: str, default: int, upper: int) -> int:
    raw = query.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise _BadParam(name, raw)
    return int(raw)


def _link(number: int | None, size: int) -> str | None:
    return None if number is None else f"&page%5Bnumber%5D={number}&page%5Bsize%5D={size}"


def operating_cash_balance(snap: Snapshot, query: dict[str, str]) -> Reply:
    """Answer one DTS operating-cash-balance request like the Fiscal Data API.

    Args:
        snap: the market as of now.
        query: decoded query parameters.

    Returns:
        200 with ``data``/``meta``/``links``, or 400 "Invalid Query Param".
    """
    try:
        filters = _parse_filters(query.get("filter", ""))
        sort_keys = [s for s in query.get("sort", "record_date,src_line_nbr").split(",") if s]
        for key in sort_keys:
            if key.lstrip("-") not in COLUMNS:
                raise _BadParam("sort", key)
        fields = [f for f in query.get("fields", "").split(",") if f] or list(COLUMNS)
        for name in fields:
            if name not in COLUMNS:
                raise _BadParam("fields", name)
        number = _page_param(query, "page[number]", 1, 10**9)
        size = _page_param(query, "page[size]", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    except _BadParam as bad:
        return bad.reply

    every, dates = _dated_rows(snap.market.seed, snap.today)
    low, high = _date_window(filters)
    candidates = every[bisect.bisect_left(dates, low) : bisect.bisect_right(dates, high)]
    candidates = dts_rows_with_bad_data(snap, candidates)
    rows = [r for r in candidates if _matches(r, filters)]
    for key in reversed(sort_keys):  # stable sorts, least significant key first
        column = key.lstrip("-")
        rows.sort(key=lambda r, c=column: _key(c, r[c]), reverse=key.startswith("-"))
    total = len(rows)
    pages = math.ceil(total / size)
    page = [{f: r[f] for f in fields} for r in rows[(number - 1) * size : number * size]]
    return Reply(
        200,
        {
            "data": page,
            "meta": {
                "count": len(page),
                "labels": {f: COLUMNS[f][0] for f in fields},
                "dataTypes": {f: COLUMNS[f][1] for f in fields},
                "dataFormats": {f: COLUMNS[f][2] for f in fields},
                "total-count": total,
                "total-pages": pages,
            },
            "links": {
                "self": _link(number, size),
                "first": _link(1, size),
                "prev": _link(number - 1 if number > 1 else None, size),
                "next": _link(number + 1 if number < pages else None, size),
                "last": _link(max(pages, 1), size),
            },
        },
    )
