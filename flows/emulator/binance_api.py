"""Binance spot ``GET /api/v3/klines`` (1d candles) over the synthetic crypto market.

A symbol has candles from its listing date through the UTC day of ``now`` (never after
``today``). The candle of ``now``'s day is returned unfinished: its closeTime is still in the
future and its close, wicks and volumes are those of the day so far.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from flows.emulator.crypto import COINS, DAY_MS
from flows.emulator.reply import Reply, Snapshot

PATH = "/api/v3/klines"
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
SUPPORTED_INTERVALS = frozenset({"1d"})
PRICE_FIELDS = ("open", "high", "low", "close")
VOLUME_FIELDS = ("volume", "quote_volume", "taker_buy_base", "taker_buy_quote")


def _error(code: int, msg: str) -> Reply:
    return Reply(400, {"code": code, "msg": msg})


def _mandatory(name: str) -> Reply:
    return _error(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def _int_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise ValueError(name)
    return int(raw)


def _partial(row: dict, fraction: float, tick: float) -> dict:
    """The candle as it stands ``fraction`` of the way through its day."""
    o, h, lo, c = (row[k] for k in PRICE_FIELDS)
    now_c = o * (c / o) ** fraction
    now_h = max(o, now_c) * (h / max(o, c)) ** fraction
    now_l = min(o, now_c) * (lo / min(o, c)) ** fraction
    now_c, now_h, now_l = (max(round(v / tick) * tick, tick) for v in (now_c, now_h, now_l))
    out = dict(row)
    out.update(close=now_c, high=max(now_h, o, now_c), low=min(now_l, o, now_c))
    out.update({k: round(row[k] * fraction, 8) for k in VOLUME_FIELDS})
    out["trades"] = int(row["trades"] * fraction)
    return out


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
        return _mandatory("symbol")
    if not query.get("interval"):
        return _mandatory("interval")
    if symbol not in COINS:
        return _error(-1121, "Invalid symbol.")
    if query["interval"] not in SUPPORTED_INTERVALS:
        return _error(-1120, "Invalid interval.")
    try:
        start = _int_param(query, "startTime")
        end = _int_param(query, "endTime")
        limit = _int_param(query, "limit")
    except ValueError as bad:
        return _error(
            -1100,
            f"Illegal characters found in parameter '{bad}'; legal range is '^[0-9]{{1,20}}$'.",
        )
    if limit is not None and limit < 1:
        return _error(-1130, "Data sent for parameter 'limit' is not valid.")
    limit = min(limit or DEFAULT_LIMIT, MAX_LIMIT)
    if start is not None and end is not None and start > end:
        return _error(-1023, "Start time is greater than end time.")

    spec = COINS[symbol]
    last_day = min(snap.today, snap.now.date())
    frame = snap.market.crypto[symbol].filter(
        (pl.col("date") >= spec.listing) & (pl.col("date") <= last_day)
    )
    open_time = frame["open_time"].to_numpy()
    keep = np.ones(len(open_time), dtype=bool)
    if start is not None:
        keep &= open_time >= start
    if end is not None:
        keep &= open_time <= end
    chosen = np.flatnonzero(keep)
    # Binance walks forward from startTime, or backward from endTime / now when there is none.
    chosen = chosen[:limit] if start is not None else chosen[-limit:]
    rows = frame[chosen].to_dicts() if len(chosen) else []
    now_ms = snap.now_ms
    out = []
    for row in rows:
        if row["open_time"] <= now_ms < row["open_time"] + DAY_MS:
            row = _partial(row, (now_ms - row["open_time"]) / DAY_MS, spec.tick)
        out.append(_wire(row))
    return Reply(200, out)
