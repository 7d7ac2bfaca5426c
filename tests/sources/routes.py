"""Request handlers that page through generated data the way each real API does."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from werkzeug import Request, Response

from . import wire

Handler = Callable[[Request], Response]


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def fred_observations(observations: list[dict[str, str]], api_key: str) -> Handler:
    """FRED: filter by observation_start/end, then slice by offset/limit; 400 on a bad key."""

    def handle(request: Request) -> Response:
        key = request.args.get("api_key")
        if not key:
            return json_response(wire.fred_error(wire.FRED_NO_KEY_MESSAGE), status=400)
        if key != api_key:
            return json_response(wire.fred_error(wire.FRED_BAD_KEY_MESSAGE), status=400)
        start = request.args.get("observation_start", "1776-07-04")
        end = request.args.get("observation_end", "9999-12-31")
        matched = [o for o in observations if start <= o["date"] <= end]
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
