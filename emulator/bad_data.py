"""Deliberately bad data: small, dated, deterministic corruptions the quality gate must catch.

Each kind corrupts one fixed place of one upstream and nothing else, so a test knows exactly
which batch must be blocked. A kind whose date lies after the emulator's ``today`` (or outside
the requested window) changes nothing in that answer. The routes call the ``*_with_bad_data``
functions below on what they are about to send; with no kind switched on they return their
input unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

import polars as pl

from emulator.reply import Snapshot

BAD_DATA_KINDS: dict[str, str] = {
    "duplicate_bars": "Binance BTCUSDT sends its 2023-03-15 kline twice in one page, and Yahoo "
    "^RUT repeats its 2023-03-15 bar (same openTime / timestamp).",
    "negative_price": "Yahoo ^RUT's 2023-06-14 bar has a negative close and low.",
    "truncated_day": "Binance ETHUSDT has no 2023-09-20 candle: a one-day gap.",
    "fred_unit_error": "FRED WALCL for Wednesday 2023-05-17 is 1000x too large (every vintage).",
    "missing_tga_row": "DTS drops the 'Treasury General Account (TGA) Closing Balance' row of "
    "2023-08-09; that day's other rows remain.",
    "archive_checksum_mismatch": "The archive's .CHECKSUM of FTTUSDT-1d-2022-06.zip names a wrong "
    "sha256 (the zip itself is intact).",
}
BINANCE_DUPLICATE_SYMBOL = "BTCUSDT"
BINANCE_DUPLICATE_DATE = date(2023, 3, 15)
YAHOO_BAD_SYMBOL = "^RUT"
YAHOO_DUPLICATE_DATE = date(2023, 3, 15)
YAHOO_NEGATIVE_DATE = date(2023, 6, 14)
BINANCE_GAP_SYMBOL = "ETHUSDT"
BINANCE_GAP_DATE = date(2023, 9, 20)
FRED_UNIT_ERROR_SERIES = "WALCL"
FRED_UNIT_ERROR_DATE = date(2023, 5, 17)  # a Wednesday: an H.4.1 observation date
FRED_UNIT_ERROR_FACTOR = 1000
TGA_MISSING_DATE = date(2023, 8, 9)
TGA_MISSING_ACCOUNT = "Treasury General Account (TGA) Closing Balance"
ARCHIVE_BAD_CHECKSUM_FILE = "FTTUSDT-1d-2022-06.zip"


def checked_kinds(kinds: Iterable[str]) -> frozenset[str]:
    """Validate bad-data kind names.

    Args:
        kinds: names from :data:`BAD_DATA_KINDS`.

    Returns:
        The kinds as a frozenset.

    Raises:
        ValueError: naming an unknown kind and listing the known ones.
    """
    chosen = frozenset(kinds)
    unknown = sorted(chosen - BAD_DATA_KINDS.keys())
    if unknown:
        raise ValueError(
            f"unknown bad-data kind(s) {', '.join(unknown)}; known: {', '.join(BAD_DATA_KINDS)}"
        )
    return chosen


def _ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86_400_000


def klines_frame_with_bad_data(snap: Snapshot, symbol: str, frame: pl.DataFrame) -> pl.DataFrame:
    """truncated_day: drop the ETHUSDT candle of BINANCE_GAP_DATE before any paging.

    Args:
        snap: the served snapshot (its ``bad_data`` decides).
        symbol: the Binance symbol asked for.
        frame: that symbol's daily candles (with a ``date`` column).

    Returns:
        The frame, without the gap day when the kind is on.
    """
    if "truncated_day" in snap.bad_data and symbol == BINANCE_GAP_SYMBOL:
        return frame.filter(pl.col("date") != BINANCE_GAP_DATE)
    return frame


def kline_page_with_bad_data(snap: Snapshot, symbol: str, page: list[list]) -> list[list]:
    """duplicate_bars: repeat the BTCUSDT kline of BINANCE_DUPLICATE_DATE right after itself.

    Args:
        snap: the served snapshot.
        symbol: the Binance symbol asked for.
        page: the wire klines about to be sent (openTime first).

    Returns:
        The page, one kline longer when the duplicated day is in it and the kind is on.
    """
    if "duplicate_bars" not in snap.bad_data or symbol != BINANCE_DUPLICATE_SYMBOL:
        return page
    target = _ms(BINANCE_DUPLICATE_DATE)
    out: list[list] = []
    for kline in page:
        out.append(kline)
        if kline[0] == target:
            out.append(list(kline))
    return out


def chart_history_with_bad_data(snap: Snapshot, symbol: str, history: pl.DataFrame) -> pl.DataFrame:
    """negative_price and duplicate_bars on Yahoo ^RUT's daily bars.

    The corrupted days are never sent as Yahoo's all-null bars, so the bad value is visible.

    Args:
        snap: the served snapshot.
        symbol: the Yahoo symbol asked for.
        history: bars with columns date, ts, open, high, low, close, ..., is_null_bar.

    Returns:
        The bars with the negative close/low and/or the repeated bar, in date order.
    """
    if symbol != YAHOO_BAD_SYMBOL or not snap.bad_data & {"negative_price", "duplicate_bars"}:
        return history
    day = pl.col("date")
    if "negative_price" in snap.bad_data:
        hit = day == YAHOO_NEGATIVE_DATE
        history = history.with_columns(
            close=pl.when(hit).then(-pl.col("close")).otherwise(pl.col("close")),
            low=pl.when(hit).then(-pl.col("close")).otherwise(pl.col("low")),
            is_null_bar=pl.col("is_null_bar") & ~hit,
        )
    if "duplicate_bars" in snap.bad_data:
        hit = day == YAHOO_DUPLICATE_DATE
        history = history.with_columns(is_null_bar=pl.col("is_null_bar") & ~hit)
        history = pl.concat([history, history.filter(hit)]).sort("date", maintain_order=True)
    return history


def fred_value_with_bad_data(snap: Snapshot, series_id: str, day: str, value: str) -> str:
    """fred_unit_error: WALCL on FRED_UNIT_ERROR_DATE is sent 1000x too large.

    Args:
        snap: the served snapshot.
        series_id: the FRED series.
        day: the observation date, ISO format.
        value: the wire value (a number string or ".").

    Returns:
        The value, multiplied by 1000 where the kind applies.
    """
    if (
        "fred_unit_error" in snap.bad_data
        and series_id == FRED_UNIT_ERROR_SERIES
        and day == FRED_UNIT_ERROR_DATE.isoformat()
        and value != "."
    ):
        return f"{float(value) * FRED_UNIT_ERROR_FACTOR:.0f}"
    return value


def dts_rows_with_bad_data(
    snap: Snapshot, rows: tuple[dict[str, str], ...]
) -> tuple[dict[str, str], ...]:
    """missing_tga_row: drop the TGA closing-balance row of TGA_MISSING_DATE.

    Args:
        snap: the served snapshot.
        rows: DTS wire rows (all string values) before filtering and paging.

    Returns:
        The rows without that one row when the kind is on.
    """
    if "missing_tga_row" not in snap.bad_data:
        return rows
    day = TGA_MISSING_DATE.isoformat()
    return tuple(
        r
        for r in rows
        if not (r["record_date"] == day and r["account_type"] == TGA_MISSING_ACCOUNT)
    )


def checksum_with_bad_data(snap: Snapshot, file_name: str, digest: str) -> str:
    """archive_checksum_mismatch: the .CHECKSUM of ARCHIVE_BAD_CHECKSUM_FILE names another digest.

    Args:
        snap: the served snapshot.
        file_name: the zip's file name, e.g. ``"FTTUSDT-1d-2022-06.zip"``.
        digest: the zip's true sha256, hex.

    Returns:
        The digest, or the sha256 of the true digest when the kind is on for this file.
    """
    if "archive_checksum_mismatch" in snap.bad_data and file_name == ARCHIVE_BAD_CHECKSUM_FILE:
        return hashlib.sha256(digest.encode()).hexdigest()
    return digest
