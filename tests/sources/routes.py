"""Request handlers that page through generated data the way each real API does."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from werkzeug import Request, Response

from . import wire

Handler = Callable[[Request], Response]


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def fred_observations(observations: list[dict[str, str]], api_key: str) -> Handler:
    """FRED: filter by observation_start/end, then slice by offset/limit; 400 on a bad key.

    With realtime_start/realtime_end (ALFRED), only the vintages whose real-time period meets
    the requested one are kept, and their periods are clipped to it, as FRED does.
    """

    def handle(request: Request) -> Response:
        key = request.args.get("api_key")
        if not key:
            return json_response(wire.fred_error(wire.FRED_NO_KEY_MESSAGE), status=400)
        if key != api_key:
            return json_response(wire.fred_error(wire.FRED_BAD_KEY_MESSAGE), status=400)
        start = request.args.get("observation_start", "1776-07-04")
        end = request.args.get("observation_end", "9999-12-31")
        matched = [o for o in observations if start <= o["date"] <= end]
        if "realtime_start" in request.args:
            rt_start = request.args["realtime_start"]
            rt_end = request.args.get("realtime_end", "9999-12-31")
            matched = [
                {
                    **o,
                    "realtime_start": max(o["realtime_start"], rt_start),
                    "realtime_end": min(o["realtime_end"], rt_end),
                }
                for o in matched
                if o["realtime_start"] <= rt_end and o["realtime_end"] >= rt_start
            ]
        offset = int(request.args.get("offset", 0))
        limit = int(request.args.get("limit", 100_000))
        page = wire.fred_page(
            matched[offset : offset + limit],
            start=start,
            end=end,
            count=len(matched),
            offset=offset,
            limit=limit,
        )
        return json_response(page)

    return handle


def dts_operating_cash_balance(rows: list[dict[str, str]]) -> Handler:
    """Fiscal Data: ``filter=record_date:gte:X,record_date:lte:Y``, then page[number]/page[size]."""

    def handle(request: Request) -> Response:
        bounds = {"gte": "0000-00-00", "lte": "9999-99-99"}
        for clause in request.args.get("filter", "").split(","):
            field, op, value = clause.split(":")
            if field != "record_date" or op not in bounds:
                message = f"Invalid filter: {clause}"
                return json_response(wire.dts_error(message), status=400)
            bounds[op] = value
        matched = [r for r in rows if bounds["gte"] <= r["record_date"] <= bounds["lte"]]
        number = int(request.args.get("page[number]", 1))
        size = int(request.args.get("page[size]", 100))
        chunk = matched[(number - 1) * size : number * size]
        return json_response(
            wire.dts_page(chunk, page=number, page_size=size, total_count=len(matched))
        )

    return handle


def binance_klines(klines: list[list[Any]]) -> Handler:
    """Binance: candles opening in [startTime, endTime], the first ``limit`` of them."""

    def handle(request: Request) -> Response:
        start = int(request.args.get("startTime", 0))
        end = int(request.args.get("endTime", 2**62))
        limit = int(request.args.get("limit", 500))
        matched = [k for k in klines if start <= k[0] <= end]
        return json_response(matched[:limit])

    return handle


def days(first: date, count: int) -> list[date]:
    """``count`` consecutive calendar days from ``first``."""
    return [date.fromordinal(first.toordinal() + i) for i in range(count)]


def binance_funding(rows: list[dict[str, Any]]) -> Handler:
    """Binance futures: fundings with fundingTime in [startTime, endTime], the first ``limit``."""

    def handle(request: Request) -> Response:
        start = int(request.args.get("startTime", 0))
        end = int(request.args.get("endTime", 2**62))
        limit = min(int(request.args.get("limit", 100)), 1000)
        matched = [r for r in rows if start <= r["fundingTime"] <= end]
        return json_response(matched[:limit])

    return handle


COINBASE_TOO_MANY = (
    "granularity too small for the requested time range. Count of aggregations requested "
    "exceeds 300"
)


def coinbase_candles(candles: list[list[Any]]) -> Handler:
    """Coinbase: candles with time in [start, end] (both inclusive), newest first.

    A range of more than 300 buckets is refused with HTTP 400, as the real API does.
    """

    def handle(request: Request) -> Response:
        granularity = int(request.args["granularity"])
        start, end = (_iso_epoch(request.args[name]) for name in ("start", "end"))
        if (end - start) // granularity + 1 > 300:
            return json_response({"message": COINBASE_TOO_MANY}, status=400)
        matched = [c for c in candles if start <= c[0] <= end]
        return json_response(sorted(matched, key=lambda c: c[0], reverse=True))

    return handle


def _iso_epoch(value: str) -> int:
    return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def kraken_ohlc(
    key: str, committed: list[list[Any]], current: list[Any], *, last_as: Callable[[int], Any] = str
) -> Handler:
    """Kraken: the 720 most recent committed rows after ``since``, then the open candle.

    ``last`` (the newest committed time) is sent as ``last_as`` (str as recorded, or int).
    """

    def handle(request: Request) -> Response:
        since = int(request.args.get("since", 0))
        kept = [row for row in committed[-(720 - 1) :] if row[0] > since]
        last = committed[-1][0] if committed else 0
        return json_response(wire.kraken_ohlc(key, [*kept, current], last_as(last)))

    return handle


def fredgraph(series_id: str, rows: list[tuple[date, str]], date_header: str) -> Handler:
    """fredgraph.csv: the series' rows with dates in [cosd, coed], as text/csv."""

    def handle(request: Request) -> Response:
        if request.args.get("id") != series_id:
            return Response("<html>Series not found</html>", status=404, content_type="text/html")
        cosd = date.fromisoformat(request.args.get("cosd", "1776-07-04"))
        coed = date.fromisoformat(request.args.get("coed", "9999-12-31"))
        kept = [(day, value) for day, value in rows if cosd <= day <= coed]
        body = wire.fredgraph_csv(series_id, kept, date_header=date_header)
        return Response(body, status=200, content_type="text/csv")

    return handle


def s3_listing(keys: list[str], *, max_keys: int) -> Handler:
    """S3 ListObjects v1: keys under ``prefix`` rolled up at ``delimiter`` into CommonPrefixes,
    entries after ``marker`` only, at most ``max_keys`` a page, NextMarker when truncated."""

    def handle(request: Request) -> Response:
        prefix = request.args.get("prefix", "")
        delimiter = request.args.get("delimiter", "")
        marker = request.args.get("marker", "")
        limit = min(int(request.args.get("max-keys", 1000)), max_keys)
        entries: dict[str, bool] = {}  # entry -> is a common prefix, in key order
        for key in sorted(k for k in keys if k.startswith(prefix)):
            rest = key[len(prefix) :]
            if delimiter and delimiter in rest:
                entries[prefix + rest[: rest.index(delimiter) + 1]] = True
            else:
                entries[key] = False
        after = [entry for entry in entries if entry > marker]
        page = after[:limit]
        body = wire.s3_listing(
            prefix=prefix,
            marker=marker,
            max_keys=limit,
            prefixes=[e for e in page if entries[e]],
            keys=[e for e in page if not entries[e]],
            next_marker=page[-1] if len(after) > limit else None,
            delimiter=delimiter,
        )
        return Response(body, status=200, content_type="application/xml")

    return handle
