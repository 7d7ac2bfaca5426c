"""Spoiled payloads for reliability tests: a normal answer, bent the way real APIs bend.

Each kind below turns the reply a route was about to send into a faulty one. The drift kinds
recognise the four wire shapes by their keys (FRED ``observations``, Fiscal Data ``data`` +
``meta``, Yahoo ``chart``, and bare arrays of rows: Binance klines and funding) and change
one thing in each; a shape they do not know is sent unchanged.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from emulator.reply import Reply

PAYLOAD_FAULTS: dict[str, str] = {
    "truncated_json": "HTTP 200 whose JSON body stops halfway (Content-Length matches the cut "
    "body, as when a proxy cuts a response short).",
    "html_error_page": "HTTP 200 carrying a text/html error page instead of JSON (a CDN or "
    "captive portal answering for the API).",
    "empty_records": "a well-formed answer with no records: FRED observations [] (count 0), "
    "Fiscal Data data [] (0 pages), Binance [], Yahoo without timestamp.",
    "renamed_field": "a field renamed: FRED value -> obs_value, Fiscal Data close_today_bal -> "
    "closing_balance_today, Yahoo quote close -> closePrice; array rows lose their last "
    "position (positional rows have no names to rename).",
    "new_field": "an extra field on every record: FRED and Fiscal Data rows gain a "
    "'footnote', Yahoo quote gains 'vwap', array rows gain a 13th position.",
    "number_as_string": "numbers sent as strings: FRED count, Fiscal Data meta.total-pages, "
    "Binance openTime and trade count, Yahoo quote prices.",
    "late_day": "the records of the answer's second-latest date are missing, as when a Fiscal "
    "Data statement (or a FRED observation) is published after the day that follows it.",
    "overlapping_pages": "a time-cursor page (Binance startTime) starts one day early and an "
    "offset page (FRED offset) one row early: each page repeats the previous page's last row.",
}
HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    "<h1>Bad Gateway</h1><p>The upstream server is temporarily unavailable.</p></body></html>"
)
DAY_MS = 86_400_000
RENAMES = {
    "fred": ("value", "obs_value"),
    "fiscal_data": ("close_today_bal", "closing_balance_today"),
    "yahoo": ("close", "closePrice"),
}


def checked_payload_kind(kind: str) -> str:
    """Validate a payload fault name.

    Args:
        kind: a key of :data:`PAYLOAD_FAULTS`.

    Returns:
        The same name.

    Raises:
        ValueError: naming the unknown kind and listing the known ones.
    """
    if kind not in PAYLOAD_FAULTS:
        raise ValueError(f"unknown payload fault {kind!r}; known: {', '.join(PAYLOAD_FAULTS)}")
    return kind


def shifted_query(kind: str, query: dict[str, str]) -> dict[str, str]:
    """The query a request is answered for: one record early for ``overlapping_pages``.

    Args:
        kind: the payload fault in force.
        query: the decoded query as sent.

    Returns:
        The query to route (unchanged for every other kind and for first pages).
    """
    if kind != "overlapping_pages":
        return query
    shifted = dict(query)
    if query.get("startTime", "").isdigit():
        shifted["startTime"] = str(int(query["startTime"]) - DAY_MS)
    if query.get("offset", "").isdigit() and int(query["offset"]) > 0:
        shifted["offset"] = str(int(query["offset"]) - 1)
    return shifted


def _shape(body: object) -> str | None:
    if isinstance(body, list):
        return "rows"
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("observations"), list):
        return "fred"
    if isinstance(body.get("data"), list) and isinstance(body.get("meta"), dict):
        return "fiscal_data"
    if isinstance(body.get("chart"), dict):
        return "yahoo"
    return None


def _quote(body: dict) -> dict:
    """Yahoo's first quote block (prices by column), or an empty dict."""
    results = body["chart"].get("result") or [{}]
    return (results[0].get("indicators") or {}).get("quote", [{}])[0]


def _empty(shape: str, body: Any) -> Any:
    if shape == "rows":
        return []
    if shape == "fred":
        body.update(observations=[], count=0)
    elif shape == "fiscal_data":
        body["data"] = []
        body["meta"].update({"count": 0, "total-count": 0, "total-pages": 0})
    else:
        result = (body["chart"].get("result") or [{}])[0]
        result.pop("timestamp", None)
        result["indicators"] = {"quote": [{}]}
    return body


def _rename(shape: str, body: Any) -> Any:
    if shape == "rows":
        return [row[:-1] if isinstance(row, list) else row for row in body]
    old, new = RENAMES[shape]
    records = [_quote(body)] if shape == "yahoo" else body[_records_key(shape)]
    for record in records:
        if old in record:
            record[new] = record.pop(old)
    return body


def _add_field(shape: str, body: Any) -> Any:
    if shape == "rows":
        return [[*row, "0"] if isinstance(row, list) else {**row, "footnote": "x"} for row in body]
    if shape == "yahoo":
        quote = _quote(body)
        quote["vwap"] = list(quote.get("close", []))
        return body
    for record in body[_records_key(shape)]:
        record["footnote"] = "preliminary"
    return body


def _stringify(shape: str, body: Any) -> Any:
    if shape == "rows":
        return [
            [str(row[0]), *row[1:8], str(row[8]), *row[9:]] if isinstance(row, list) else row
            for row in body
        ]
    if shape == "fred":
        body["count"] = str(body["count"])
    elif shape == "fiscal_data":
        body["meta"]["total-pages"] = str(body["meta"]["total-pages"])
    else:
        quote = _quote(body)
        for name in ("open", "high", "low", "close"):
            if name in quote:
                quote[name] = [None if v is None else repr(v) for v in quote[name]]
    return body


def _late_day(shape: str, body: Any) -> Any:
    if shape not in ("fred", "fiscal_data"):
        return body
    key, date_field = _records_key(shape), "date" if shape == "fred" else "record_date"
    days = sorted({record[date_field] for record in body[key]})
    if len(days) < 2:
        return body
    kept = [record for record in body[key] if record[date_field] != days[-2]]
    gone = len(body[key]) - len(kept)
    body[key] = kept
    if shape == "fred":
        body["count"] -= gone
    else:
        body["meta"].update(count=len(kept), **{"total-count": body["meta"]["total-count"] - gone})
    return body


def _records_key(shape: str) -> str:
    return "observations" if shape == "fred" else "data"


DRIFT = {
    "empty_records": _empty,
    "renamed_field": _rename,
    "new_field": _add_field,
    "number_as_string": _stringify,
    "late_day": _late_day,
}


def spoiled(kind: str, reply: Reply) -> Reply:
    """The faulty version of a reply a route was about to send.

    Args:
        kind: a key of :data:`PAYLOAD_FAULTS`.
        reply: the route's answer; error answers (status >= 400) pass through unchanged.

    Returns:
        The spoiled reply.
    """
    if reply.status >= 400:
        return reply
    if kind == "html_error_page":
        return Reply(200, HTML_ERROR_PAGE, content_type="text/html; charset=utf-8")
    if kind == "truncated_json":
        text = (
            reply.body
            if isinstance(reply.body, str)
            else json.dumps(reply.body, separators=(",", ":"))
        )
        return Reply(200, text[: len(text) // 2], reply.headers, reply.content_type)
    shape = _shape(reply.body)
    if kind not in DRIFT or shape is None:
        return reply
    body = DRIFT[kind](shape, copy.deepcopy(reply.body))
    return Reply(reply.status, body, reply.headers, reply.content_type)
