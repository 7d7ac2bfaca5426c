"""Binance spot ``GET /api/v3/klines`` (1d candles) over the synthetic crypto market.

A symbol has candles from its listing date through the UTC day of ``now`` (never after
``today``). The candle of ``now``'s day is returned unfinished: its closeTime is still in the
future and its close, wicks and volumes are those of the day so far.
"""

from __future__ import annotations

from flows.emulator.bad_data import kline_page_with_bad_data, klines_frame_with_bad_data
from flows.emulator.binance_params import error_reply, mandatory_reply, time_window
from flows.emulator.candles import PRICE_FIELDS, as_of_now, served_days
from flows.emulator.crypto import COINS, DAY_MS
from flows.emulator.reply import Reply, Snapshot

PATH = "/api/v3/klines"
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
SUPPORTED_INTERVALS = frozenset({"1d"})


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
    frame = klines_frame_with_bad_data(snap, symbol, served_days(snap, symbol, spec.listing))
    chosen = window.pick(frame["open_time"].to_numpy())
    rows = frame[chosen].to_dicts() if len(chosen) else []
    page = [_wire(row) for row in as_of_now(snap, rows, spec.tick)]
    return Reply(200, kline_page_with_bad_data(snap, symbol, page))
