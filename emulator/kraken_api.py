"""Kraken ``GET /0/public/OHLC?pair=&interval=1440&since=`` (daily): the synthetic coins in USD.

Wire quirks reproduced:

* ``{"error": [], "result": {"<KEY>": [[time, "open", "high", "low", "close", "vwap", "volume",
  count], ...], "last": "<epoch s>"}}``: prices and volume are strings, time and count numbers;
* the result key is Kraken's own pair name, not the one asked for (XBTUSD -> XXBTZUSD,
  DOGEUSD -> XDGUSD, ...); either name is accepted in ``pair``;
* only the 720 most recent candles exist, whatever ``since`` says; ``since`` keeps the candles
  after it, and the last entry is the current, unfinished day, always present;
* ``last`` is the time of the last committed (finished) candle, sent as a string as in the
  recorded response (Kraken's documentation calls it an integer);
* errors are HTTP 200 with a non-empty ``error`` list, e.g. ``["EQuery:Unknown asset pair"]``.
"""

from __future__ import annotations

from emulator.crypto import DAY_MS
from emulator.reply import Reply, Snapshot
from emulator.venues import KRAKEN, usd_candles

PATH = "/0/public/OHLC"
MAX_ROWS = 720
SERVED_INTERVAL = 1440
INTERVALS = frozenset({1, 5, 15, 30, 60, 240, 1440, 10080, 21600})
ALTNAMES = {
    "XBTUSD": "XXBTZUSD",
    "ETHUSD": "XETHZUSD",
    "SOLUSD": "SOLUSD",
    "XRPUSD": "XXRPZUSD",
    "ADAUSD": "ADAUSD",
    "DOGEUSD": "XDGUSD",
    "AVAXUSD": "AVAXUSD",
    "LINKUSD": "LINKUSD",
}


def _error(*messages: str) -> Reply:
    return Reply(200, {"error": list(messages)})


def _wire(row: dict, decimals: int) -> list:
    """One OHLC entry: time, five price strings at the pair's decimals, volume, trade count."""
    vwap = (row["high"] + row["low"] + 2 * row["close"]) / 4  # inside the day's range
    prices = (row["open"], row["high"], row["low"], row["close"], vwap)
    return [
        row["open_time"] // 1000,
        *(f"{p:.{decimals}f}" for p in prices),
        f"{row['volume']:.8f}",
        int(row["trades"]),
    ]


def ohlc(snap: Snapshot, query: dict[str, str]) -> Reply:
    """Answer one OHLC request like Kraken's public REST API.

    Args:
        snap: the market as of now.
        query: decoded query parameters (``pair``, ``interval``, ``since``).

    Returns:
        Always HTTP 200: the candles, or ``{"error": [...]}``.
    """
    pair = query.get("pair", "").upper()
    if not pair:
        return _error("EGeneral:Invalid arguments")
    key = ALTNAMES.get(pair, pair)
    if key not in KRAKEN.listings:
        return _error("EQuery:Unknown asset pair")
    interval, since = query.get("interval", "1"), query.get("since", "0")
    if not interval.isdigit() or int(interval) not in INTERVALS or not since.isdigit():
        return _error("EGeneral:Invalid arguments")
    if int(interval) != SERVED_INTERVAL:
        return _error("EGeneral:Invalid arguments:interval (this emulator serves 1440 only)")
    recent = usd_candles(snap, KRAKEN, key)[-MAX_ROWS:]
    if not recent:
        return Reply(200, {"error": [], "result": {key: [], "last": "0"}})
    open_now = recent[-1]["open_time"] + DAY_MS > snap.now_ms  # today's day is still trading
    finished = recent[:-1] if open_now else recent
    committed = finished[-1]["open_time"] // 1000 if finished else 0
    since_ms = int(since) * 1000
    rows = [r for r in recent[:-1] if r["open_time"] > since_ms] + recent[-1:]
    decimals = KRAKEN.listings[key].decimals
    result = {key: [_wire(r, decimals) for r in rows], "last": str(committed)}
    return Reply(200, {"error": [], "result": result})
