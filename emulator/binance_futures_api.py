"""Binance USD-M futures: funding-rate history and daily mark/index price klines (``/fapi/v1``).

* ``GET /fapi/v1/fundingRate?symbol=&startTime=&endTime=&limit=`` (limit default 100, max
  1000): settled funding, ascending, ``[{"symbol", "fundingTime", "fundingRate", "markPrice",
  "rateType"}]``; without a symbol every perpetual's records, merged by time. Quirks: see
  ``perpetuals.py`` (late fundingTime milliseconds, empty markPrice on old records).
* ``GET /fapi/v1/markPriceKlines?symbol=`` and ``GET /fapi/v1/indexPriceKlines?pair=`` with
  ``interval=1d``, ``startTime``/``endTime``, ``limit`` (default 500, max 1500): 12-field klines
  like spot, the volume fields ``"0"`` and the count the number of basic data points. As on
  Binance, mark klines take ``symbol`` and index klines take ``pair``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from emulator.binance_params import error_reply, mandatory_reply, time_window
from emulator.candles import PRICE_FIELDS, as_of_now
from emulator.crypto import DAY_MS
from emulator.perpetuals import PERPETUALS, Perpetual, mark_price_known, perpetual
from emulator.reply import Reply, Snapshot

FUNDING_PATH = "/fapi/v1/fundingRate"
MARK_PATH = "/fapi/v1/markPriceKlines"
INDEX_PATH = "/fapi/v1/indexPriceKlines"
FUNDING_LIMITS = (100, 1000)  # default, max
KLINE_LIMITS = (500, 1500)
PRICE_TICK = 1e-8
EPOCH = date(1970, 1, 1)


def _perpetual(snap: Snapshot, name: str) -> Perpetual:
    """The perpetual of one coin of the market being served (of its kind and effect)."""
    market = snap.market
    return perpetual(market.seed, name, market.kind, market.effect)


def _end_ms(snap: Snapshot) -> int:
    """Nothing after now, nor after the end of ``today``."""
    today_end = ((snap.today - EPOCH).days + 1) * DAY_MS
    return min(snap.now_ms, today_end - 1)


def funding_rate(snap: Snapshot, query: dict[str, str]) -> Reply:
    """Answer one funding-rate history request.

    Args:
        snap: the market as of now.
        query: decoded query parameters.

    Returns:
        200 with the settled records, or 400 with Binance's error body.
    """
    symbol = query.get("symbol")
    if symbol is not None and symbol not in PERPETUALS:
        return error_reply(-1121, "Invalid symbol.")
    window = time_window(query, *FUNDING_LIMITS)
    if isinstance(window, Reply):
        return window
    records = []
    end_ms = _end_ms(snap)
    for name in [symbol] if symbol else list(PERPETUALS):
        perp = _perpetual(snap, name)
        settled = perp.funding_slot <= end_ms
        for i in np.flatnonzero(settled)[window.pick(perp.funding_time[settled])]:
            mark = perp.funding_mark[i]
            records.append(
                {
                    "symbol": name,
                    "fundingTime": int(perp.funding_time[i]),
                    "fundingRate": f"{perp.funding_rate[i]:.8f}",
                    "markPrice": f"{mark:.8f}" if mark_price_known(perp.funding_slot[i]) else "",
                    "rateType": "Regular",
                }
            )
    if not symbol:  # merged across symbols: the window applies to the merged list
        records.sort(key=lambda r: (r["fundingTime"], r["symbol"]))
        times = np.array([r["fundingTime"] for r in records], dtype=np.int64)
        records = [records[i] for i in window.pick(times)]
    return Reply(200, records)


def _wire(row: dict) -> list:
    """A price kline: open time, four 8-decimal prices, zero volumes, the basic-data count."""
    return [
        row["open_time"],
        *(f"{row[k]:.8f}" for k in PRICE_FIELDS),
        "0",
        row["open_time"] + DAY_MS - 1,
        "0",
        row["trades"],
        "0",
        "0",
        "0",
    ]


def price_klines(snap: Snapshot, kind: str, query: dict[str, str]) -> Reply:
    """Answer one mark- or index-price klines request.

    Args:
        snap: the market as of now.
        kind: ``"mark"`` (takes ``symbol``) or ``"index"`` (takes ``pair``).
        query: decoded query parameters.

    Returns:
        200 with klines in ascending time, or 400 with Binance's error body.
    """
    key = "symbol" if kind == "mark" else "pair"
    name = query.get(key, "")
    if not name:
        return mandatory_reply(key)
    if not query.get("interval"):
        return mandatory_reply("interval")
    if name not in PERPETUALS:
        return error_reply(-1121, "Invalid symbol." if kind == "mark" else "Invalid pair.")
    if query["interval"] != "1d":
        return error_reply(-1120, "Invalid interval.")
    window = time_window(query, *KLINE_LIMITS)
    if isinstance(window, Reply):
        return window
    frame = _perpetual(snap, name).klines
    frame = frame.filter(pl.col("open_time") <= _end_ms(snap)).select(
        "open_time", "trades", *(pl.col(f"{kind}_{k}").alias(k) for k in PRICE_FIELDS)
    )
    chosen = window.pick(frame["open_time"].to_numpy())
    rows = frame[chosen].to_dicts() if len(chosen) else []
    return Reply(200, [_wire(r) for r in as_of_now(snap, rows, PRICE_TICK)])


def mark_klines(snap: Snapshot, query: dict[str, str]) -> Reply:
    """``GET /fapi/v1/markPriceKlines``: see :func:`price_klines`."""
    return price_klines(snap, "mark", query)


def index_klines(snap: Snapshot, query: dict[str, str]) -> Reply:
    """``GET /fapi/v1/indexPriceKlines``: see :func:`price_klines`."""
    return price_klines(snap, "index", query)
