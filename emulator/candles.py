"""Daily crypto candles as a venue serves them at one instant: cut at today, last one unfinished."""

from __future__ import annotations

from datetime import date

import polars as pl

from emulator.crypto import DAY_MS
from emulator.reply import Snapshot

PRICE_FIELDS = ("open", "high", "low", "close")
VOLUME_FIELDS = ("volume", "quote_volume", "taker_buy_base", "taker_buy_quote")


def served_days(snap: Snapshot, symbol: str, first_day: date) -> pl.DataFrame:
    """A coin's full daily candles from ``first_day`` through the UTC day of ``now``.

    Args:
        snap: the market as of now.
        symbol: a Binance symbol of the synthetic market, e.g. ``"BTCUSDT"``.
        first_day: the venue's first candle (its listing date).

    Returns:
        The coin's frame (date, open_time, prices, volumes) for those days; the last row is
        still the finished candle: apply :func:`as_of_now` to the rows before sending them.
    """
    last_day = min(snap.today, snap.now.date())
    return snap.market.crypto[symbol].filter(
        (pl.col("date") >= first_day) & (pl.col("date") <= last_day)
    )


def unfinished(row: dict, fraction: float, tick: float) -> dict:
    """The candle as it stands ``fraction`` of the way through its day.

    Args:
        row: a finished candle (open, high, low, close and any of the volume fields).
        fraction: elapsed share of the day, in [0, 1).
        tick: the price tick to round to.

    Returns:
        A copy with the close, wicks, volumes and trade count of the day so far.
    """
    o, h, lo, c = (row[k] for k in PRICE_FIELDS)
    now_c = o * (c / o) ** fraction
    now_h = max(o, now_c) * (h / max(o, c)) ** fraction
    now_l = min(o, now_c) * (lo / min(o, c)) ** fraction
    now_c, now_h, now_l = (max(round(v / tick) * tick, tick) for v in (now_c, now_h, now_l))
    out = dict(row)
    out.update(close=now_c, high=max(now_h, o, now_c), low=min(now_l, o, now_c))
    out.update({k: round(row[k] * fraction, 8) for k in VOLUME_FIELDS if k in row})
    if "trades" in row:
        out["trades"] = int(row["trades"] * fraction)
    return out


def as_of_now(snap: Snapshot, rows: list[dict], tick: float) -> list[dict]:
    """Replace the candle that contains ``now`` (if any) with its unfinished state.

    Args:
        snap: the market as of now.
        rows: candles with ``open_time`` in epoch ms.
        tick: the venue's price tick.

    Returns:
        The rows, the current day's candle partial.
    """
    now_ms = snap.now_ms
    return [
        unfinished(r, (now_ms - r["open_time"]) / DAY_MS, tick)
        if r["open_time"] <= now_ms < r["open_time"] + DAY_MS
        else r
        for r in rows
    ]
