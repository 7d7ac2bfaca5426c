"""Binance spot ``GET /api/v3/klines`` (1d and 1m candles) over the synthetic crypto market.

A symbol has candles from its listing date through the UTC day of ``now`` (never after
``today``). The candle of ``now``'s day is returned unfinished: its closeTime is still in the
future and its close, wicks and volumes are those of the day so far.

1m candles are derived from the day's: the price walks geometrically from the day's open to
its close, each minute gets a small deterministic wick inside the day's range, and the day's
volumes are spread evenly. They run up to the minute that contains ``now`` (unfinished).
"""

from __future__ import annotations

from emulator.bad_data import kline_page_with_bad_data, klines_frame_with_bad_data
from emulator.binance_params import error_reply, mandatory_reply, time_window
from emulator.candles import PRICE_FIELDS, as_of_now, served_days
from emulator.crypto import COINS, DAY_MS
from emulator.reply import Reply, Snapshot

MINUTE_MS = 60_000
MINUTES_A_DAY = DAY_MS // MINUTE_MS

PATH = "/api/v3/klines"
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
SUPPORTED_INTERVALS = frozenset({"1d", "1m"})


def _wire(row: dict) -> list:
    """One kline: 12 fields, prices and volumes as strings with 8 decimals."""
    return [
        row["open_time"],
        *(f"{row[k]:.8f}" for k in PRICE_FIELDS),
        f"{row['volume']:.8f}",
        row["open_time"] + DAY_MS - 1,
        f"{row['quote_volume']:.8f}",
        row["trades"],
        f"{row['taker_buy_base']:.8f}",
        f"{row['taker_buy_quote']:.8f}",
        "0",
    ]


def klines(snap: Snapshot, query: dict[str, str]) -> Reply:
    """Answer one klines request like Binance (including its error codes).

    Args:
        snap: the market as of now.
        query: decoded query parameters.

    Returns:
        200 with a JSON array of klines, or 400 with ``{"code": ..., "msg": ...}``.
    """
    symbol = query.get("symbol", "")
    if not symbol:
        return mandatory_reply("symbol")
    if not query.get("interval"):
        return mandatory_reply("interval")
    if symbol not in COINS:
        return error_reply(-1121, "Invalid symbol.")
    if query["interval"] not in SUPPORTED_INTERVALS:
        return error_reply(-1120, "Invalid interval.")
    window = time_window(query, DEFAULT_LIMIT, MAX_LIMIT)
    if isinstance(window, Reply):
        return window

    spec = COINS[symbol]
    if query["interval"] == "1m":
        return Reply(200, _minute_page(snap, symbol, window))
    frame = klines_frame_with_bad_data(snap, symbol, served_days(snap, symbol, spec.listing))
    chosen = window.pick(frame["open_time"].to_numpy())
    rows = frame[chosen].to_dicts() if len(chosen) else []
    page = [_wire(row) for row in as_of_now(snap, rows, spec.tick)]
    return Reply(200, kline_page_with_bad_data(snap, symbol, page))


def _minute_page(snap: Snapshot, symbol: str, window) -> list[list]:
    """The 1m klines of one request: from ``startTime`` (or the last ``limit`` before
    ``endTime``), listing day through the minute of ``now``."""
    days = served_days(snap, symbol, COINS[symbol].listing)
    if days.is_empty():
        return []
    first = int(days["open_time"][0])
    last = min(
        snap.now_ms // MINUTE_MS * MINUTE_MS, int(days["open_time"][-1]) + DAY_MS - MINUTE_MS
    )
    if window.end is not None:
        last = min(last, window.end // MINUTE_MS * MINUTE_MS)
    if window.start is not None:
        begin = max(first, -(-window.start // MINUTE_MS) * MINUTE_MS)
        end = min(last, begin + (window.limit - 1) * MINUTE_MS)
    else:
        end = last
        begin = max(first, end - (window.limit - 1) * MINUTE_MS)
    if begin > end:
        return []
    by_day = {
        int(r["open_time"]): r
        for r in days.filter(
            (days["open_time"] >= begin - begin % DAY_MS) & (days["open_time"] <= end)
        ).to_dicts()
    }
    return [_minute(by_day[t - t % DAY_MS], t) for t in range(begin, end + 1, MINUTE_MS)]


def _minute(day: dict, open_time: int) -> list:
    """One minute of ``day``'s candle, as the 12 wire fields."""
    i = (open_time - day["open_time"]) // MINUTE_MS
    o_day, c_day = day["open"], day["close"]
    o = o_day * (c_day / o_day) ** (i / MINUTES_A_DAY)
    c = o_day * (c_day / o_day) ** ((i + 1) / MINUTES_A_DAY)
    wick = 0.0002 * (1 + i % 7)  # deterministic, a few basis points
    h = min(max(o, c) * (1 + wick), max(day["high"], o, c))
    lo = max(min(o, c) * (1 - wick), min(day["low"], o, c))
    share = 1 / MINUTES_A_DAY
    return [
        open_time,
        *(f"{v:.8f}" for v in (o, h, lo, c, day["volume"] * share)),
        open_time + MINUTE_MS - 1,
        f"{day['quote_volume'] * share:.8f}",
        max(day["trades"] // MINUTES_A_DAY, 1),
        f"{day['taker_buy_base'] * share:.8f}",
        f"{day['taker_buy_quote'] * share:.8f}",
        "0",
    ]
