"""Coinbase Exchange ``GET /products/{product_id}/candles`` (daily): the synthetic coins in USD.

Wire quirks reproduced: rows are ``[time, low, high, open, close, volume]`` (numbers, time in
epoch seconds, note low/high before open/close), NEWEST FIRST; ``start``/``end`` are ISO 8601
(or epoch seconds) and are both ignored unless both are sent (then the 300 newest candles come
back); ``start`` is floored to the granularity, both ends are inclusive, and a range of more than
300 candles is refused with HTTP 400. Unknown products (BNB is not listed) answer 404
``{"message": "NotFound"}``. The day's candle is unfinished until 00:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from emulator.reply import Reply, Snapshot
from emulator.venues import COINBASE, usd_candles

PATH = "/products/"
DAY_S = 86_400
GRANULARITIES = frozenset({60, 300, 900, 3600, 21600, 86400})
MAX_CANDLES = 300
NOT_FOUND = Reply(404, {"message": "NotFound"})


def _bad(message: str) -> Reply:
    return Reply(400, {"message": message})


def _epoch(raw: str) -> int | None:
    """ISO 8601 (``2024-01-01``, ``2024-01-01T00:00:00Z``, with offsets) or epoch seconds."""
    if raw.isdigit():
        return int(raw)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _window(snap: Snapshot, query: dict[str, str]) -> tuple[int, int] | Reply:
    """The inclusive (first bucket, end) range in epoch seconds, or the refusal."""
    raw_start, raw_end = query.get("start", ""), query.get("end", "")
    if not raw_start or not raw_end:
        # Either one missing: both are ignored and the newest candles come back.
        end = int(snap.now.timestamp())
        return (end // DAY_S - (MAX_CANDLES - 1)) * DAY_S, end
    start, end = _epoch(raw_start), _epoch(raw_end)
    if start is None:
        return _bad("Invalid start")
    if end is None:
        return _bad("Invalid end")
    if start > end:
        return _bad("start must be before end")
    first = start // DAY_S * DAY_S
    if (end - first) // DAY_S + 1 > MAX_CANDLES:
        return _bad(
            "granularity too small for the requested time range. "
            f"Count of aggregations requested exceeds {MAX_CANDLES}"
        )
    return first, end


def candles(snap: Snapshot, rest: str, query: dict[str, str]) -> Reply:
    """Answer one candles request like Coinbase Exchange.

    Args:
        snap: the market as of now.
        rest: the path after ``/products/``, e.g. ``BTC-USD/candles``.
        query: decoded query parameters (``granularity``, ``start``, ``end``).

    Returns:
        200 with candle rows (newest first), 400 ``{"message": ...}`` for bad parameters,
        404 ``{"message": "NotFound"}`` for an unknown product or path.
    """
    product, _, tail = rest.partition("/")
    if tail.rstrip("/") != "candles" or product.upper() not in COINBASE.listings:
        return NOT_FOUND
    product = product.upper()  # Coinbase product ids are case-insensitive
    granularity = query.get("granularity", str(DAY_S))
    if not granularity.isdigit() or int(granularity) not in GRANULARITIES:
        return _bad("Unsupported granularity")
    if int(granularity) != DAY_S:
        return _bad("This emulator serves granularity=86400 only")
    window = _window(snap, query)
    if isinstance(window, Reply):
        return window
    first_ms, end_ms = window[0] * 1000, window[1] * 1000
    decimals = COINBASE.listings[product].decimals
    rows = [
        [
            r["open_time"] // 1000,
            *(round(r[k], decimals) for k in ("low", "high", "open", "close")),
            round(r["volume"], 8),
        ]
        for r in usd_candles(snap, COINBASE, product)
        if first_ms <= r["open_time"] <= end_ms
    ]
    rows.reverse()
    return Reply(200, rows)
