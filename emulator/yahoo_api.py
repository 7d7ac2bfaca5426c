"""Yahoo Finance ``GET /v8/finance/chart/{symbol}`` (daily bars) over the synthetic equities.

Bars are stamped with the 09:30 New York open of each trading day and selected by
``period1 <= timestamp < period2``; a bar exists once its open is not after ``now`` and its date
is not after ``today``. Prices go out as float32 values (``1198.800048828125``), as Yahoo sends
them. Quirk reproduced: a few fixed days per symbol carry null in every quote array.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from emulator.bad_data import chart_history_with_bad_data
from emulator.equities import adjusted_close
from emulator.reply import Reply, Snapshot

PATH = "/v8/finance/chart/"
NEW_YORK = ZoneInfo("America/New_York")
SESSION_SECONDS = 6 * 3600 + 30 * 60  # 09:30-16:00
BARS_PER_YEAR = 252
SYMBOLS = {
    # symbol: exchangeName, fullExchangeName, instrumentType, firstTradeDate, longName, shortName
    "^RUT": ("WCB", "Chicago Options", "INDEX", 558279000, "Russell 2000", "Russell 2000"),
    "^GSPC": ("SNP", "SNP", "INDEX", -1325583000, "S&P 500", "S&P 500"),
    "IWM": ("PCX", "NYSEArca", "ETF", 959088600, "iShares Russell 2000 ETF",
            "iShares Russell 2000 ETF"),
    "SPY": ("PCX", "NYSEArca", "ETF", 728317800, "SPDR S&P 500 ETF Trust", "SPDR S&P 500"),
}  # fmt: skip
NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


def _bad_request(description: str) -> Reply:
    return Reply(
        400,
        {"chart": {"result": None, "error": {"code": "Bad Request", "description": description}}},
    )


def _f32(values: np.ndarray, nulls: np.ndarray) -> list[float | None]:
    """Float32 numbers as Python floats (the precision Yahoo serves), None where the bar is null."""
    out = values.astype(np.float32).astype(np.float64).tolist()
    return [None if n else v for v, n in zip(out, nulls.tolist(), strict=True)]


def _trading_period(snap: Snapshot) -> dict:
    """Today's pre/regular/post sessions in New York time, with the zone abbreviation of now."""
    local_day = snap.now.astimezone(NEW_YORK).date()

    def span(start: time, end: time) -> dict:
        begin = datetime.combine(local_day, start, NEW_YORK)
        offset = int(begin.utcoffset().total_seconds())
        return {
            "timezone": begin.tzname(),
            "start": int(begin.timestamp()),
            "end": int(datetime.combine(local_day, end, NEW_YORK).timestamp()),
            "gmtoffset": offset,
        }

    return {
        "pre": span(time(4), time(9, 30)),
        "regular": span(time(9, 30), time(16)),
        "post": span(time(16), time(20)),
    }


def _meta(snap: Snapshot, symbol: str, history: pl.DataFrame, prev_close: float) -> dict:
    exchange, full_exchange, kind, first_trade, long_name, short_name = SYMBOLS[symbol]
    local_now = snap.now.astimezone(NEW_YORK)
    meta = {
        "currency": "USD",
        "symbol": symbol,
        "exchangeName": exchange,
        "fullExchangeName": full_exchange,
        "instrumentType": kind,
        "firstTradeDate": first_trade,
        "regularMarketTime": None,
        "hasPrePostMarketData": kind == "ETF",
        "gmtoffset": int(local_now.utcoffset().total_seconds()),
        "timezone": local_now.tzname(),
        "exchangeTimezoneName": "America/New_York",
    }
    valid = history.filter(~pl.col("is_null_bar"))
    if valid.height:
        last = valid.row(-1, named=True)
        year = valid.tail(BARS_PER_YEAR)
        meta |= {
            "regularMarketTime": min(int(last["ts"]) + SESSION_SECONDS, int(snap.now.timestamp())),
            "regularMarketPrice": _f32(np.array([last["close"]]), np.array([False]))[0],
            "fiftyTwoWeekHigh": round(float(year["high"].max()), 2),
            "fiftyTwoWeekLow": round(float(year["low"].min()), 2),
            "regularMarketDayHigh": last["high"],
            "regularMarketDayLow": last["low"],
            "regularMarketVolume": int(last["volume"]),
        }
    meta |= {
        "longName": long_name,
        "shortName": short_name,
        "chartPreviousClose": prev_close,
        "priceHint": 2,
        "currentTradingPeriod": _trading_period(snap),
        "dataGranularity": "1d",
        "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
    }
    return meta


def chart(snap: Snapshot, symbol: str, query: dict[str, str]) -> Reply:
    """Answer one chart request like Yahoo's v8 endpoint (daily bars only).

    Args:
        snap: the market as of now.
        symbol: the decoded symbol from the path, e.g. ``^RUT``.
        query: decoded query parameters (``period1``, ``period2``; others are ignored).

    Returns:
        200 with ``chart.result[0]``, 404 for an unknown symbol, 400 for bad periods.
    """
    if symbol not in SYMBOLS:
        return Reply(404, NOT_FOUND)
    now_s = int(snap.now.timestamp())
    try:
        period1 = int(query.get("period1", "0"))
        period2 = int(query.get("period2", str(now_s)))
    except ValueError:
        return _bad_request("Invalid input - period1 and period2 must be integers")
    if period1 > period2:
        return _bad_request(
            f"Invalid input - start date cannot be after end date. "
            f"startDate = {period1}, endDate = {period2}"
        )
    frame = snap.market.equities[symbol]
    history = frame.filter((pl.col("date") <= snap.today) & (pl.col("ts") <= now_s))
    history = chart_history_with_bad_data(snap, symbol, history)
    # Dividends already paid are known, so the adjustment is computed on the whole history.
    history = history.with_columns(
        adjclose=adjusted_close(history["close"].to_numpy(), history["dividend"].to_numpy())
    )
    in_range = (history["ts"] >= period1) & (history["ts"] < period2)
    bars = history.filter(in_range)
    before = history.filter((pl.col("ts") < period1) & ~pl.col("is_null_bar"))
    prev_close = float(before["close"][-1]) if before.height else None
    if prev_close is None and bars.height:
        prev_close = float(bars["open"][0])
    result: dict = {"meta": _meta(snap, symbol, history, prev_close)}
    if not bars.height:
        result["indicators"] = {"quote": [{}]}
    else:
        nulls = bars["is_null_bar"].to_numpy()
        volume = [None if n else int(v) for v, n in zip(bars["volume"], nulls, strict=True)]
        result["timestamp"] = bars["ts"].to_list()
        result["indicators"] = {
            "quote": [
                {
                    "low": _f32(bars["low"].to_numpy(), nulls),
                    "high": _f32(bars["high"].to_numpy(), nulls),
                    "volume": volume,
                    "close": _f32(bars["close"].to_numpy(), nulls),
                    "open": _f32(bars["open"].to_numpy(), nulls),
                }
            ],
            "adjclose": [{"adjclose": _f32(bars["adjclose"].to_numpy(), nulls)}],
        }
    return Reply(200, {"chart": {"result": [result], "error": None}})
