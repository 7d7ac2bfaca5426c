"""Binance USD-M futures: funding rate history and daily mark/index price klines (leverage)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import SchemaDriftError
from sources import binance
from sources._pagination import TimeCursorPaginator, paginate
from sources._records import typed_columns, wire_frame

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

SOURCE = "binance_futures"
FUNDING_ENDPOINT = "/fapi/v1/fundingRate"
FUNDING_LIMIT = 1000  # the API's maximum `limit`: 333 days at three fundings a day
FUNDING_PATH = "fundingRate[]"
# kind -> (endpoint, the query parameter naming the instrument). Index klines take the
# underlying `pair`; for a USD-M perpetual it is spelled like the symbol.
KLINE_ENDPOINTS: dict[str, tuple[str, str]] = {
    "mark": ("/fapi/v1/markPriceKlines", "symbol"),
    "index": ("/fapi/v1/indexPriceKlines", "pair"),
}
Kind = Literal["mark", "index"]
KINDS: tuple[Kind, ...] = ("mark", "index")
# 1500 is allowed, but above 1000 rows a request weighs 10 instead of 5.
KLINES_LIMIT = 1000
KLINES_PATH = "klines[]"

# Funding wire field -> raw column. Times are integers, rates and prices strings.
FUNDING_FIELD_MAP: dict[str, str] = {
    "fundingTime": "funding_time",
    "fundingRate": "funding_rate",
    "markPrice": "mark_price",
}
NO_MARK_PRICE = ""  # quirk: fundings before about 2024 carry markPrice ""
# Mark and index klines have the 12 positions of spot klines; past closeTime all are "0".
KLINE_FIELDS: tuple[str, ...] = tuple(binance.FIELD_MAP)
KLINE_COLUMNS: dict[str, str] = {
    "openTime": "open_time",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "closeTime": "close_time",
}

# Every spot symbol has a USD-M perpetual of the same name.
STREAMS: tuple[str, ...] = binance.STREAMS

FUNDING_RATE_CONTRACT = LoadContract(
    source=SOURCE,
    resource="funding_rate",
    schema={
        "symbol": pl.Utf8,
        "funding_time": pl.Int64,
        "date": pl.Date,
        "funding_rate": pl.Float64,
        "mark_price": pl.Float64,
    },
    primary_key=("symbol", "funding_time"),
    disposition="merge",
    cursor="date",
    stream_key="symbol",
    initial_value=date(2019, 9, 1),  # the first USD-M perpetual (BTCUSDT) listed 2019-09
    lookback_days=3,
    reason="a funding is final once settled; 3 days re-reads any run that was missed",
)

PREMIUM_KLINES_CONTRACT = LoadContract(
    source=SOURCE,
    resource="premium_klines",
    schema={
        "symbol": pl.Utf8,
        "kind": pl.Utf8,
        "open_time": pl.Int64,
        "date": pl.Date,
        "open": pl.Float64,
        "high": pl.Float64,
        "low": pl.Float64,
        "close": pl.Float64,
    },
    primary_key=("symbol", "kind", "open_time"),
    disposition="merge",
    cursor="date",
    stream_key="symbol",
    initial_value=date(2019, 9, 1),
    lookback_days=3,
    reason="finished candles never change; 3 days re-reads any run that was missed",
)


def fetch_funding_rate(
    http: HttpClient,
    base_url: str,
    symbol: str,
    start: date,
    end: date,
    page_size: int = FUNDING_LIMIT,
) -> Iterator[list[Any]]:
    """Yield decoded funding-rate pages for ``symbol``, walking forward by funding time.

    Args:
        http: the shared client.
        base_url: e.g. ``https://fapi.binance.com``.
        symbol: the perpetual, e.g. ``BTCUSDT``.
        start / end: inclusive UTC dates of the funding times.
        page_size: ``limit`` per page (the API allows up to 1000).

    Returns:
        An iterator of pages (arrays of funding objects, oldest first).

    Raises:
        SourceAPIError: an error payload such as HTTP 400 ``{"code": -1121, ...}``.
        VenueUnavailableError: HTTP 418 or 451: fall back, do not retry.
        SourceHTTPError: the request failed after retries.
        SchemaDriftError: a page is not an array of objects with an integer fundingTime.
    """
    start_ms, end_ms = binance.window_ms(start, end)
    paginator = TimeCursorPaginator(
        SOURCE, start_ms=start_ms, end_ms=end_ms, limit=page_size, time_key="fundingTime"
    )
    params = {"symbol": symbol, "endTime": end_ms}
    yield from paginate(http, base_url.rstrip("/") + FUNDING_ENDPOINT, params, paginator)


def parse_funding_rate(payload: list[Any], symbol: str) -> pl.DataFrame:
    """Turn one funding page into the raw frame (rates as sent: a fraction per 8 hours).

    Args:
        payload: one decoded page.
        symbol: the requested symbol.

    Returns:
        A frame with exactly ``FUNDING_RATE_CONTRACT.schema``; a markPrice of "" is null.

    Raises:
        SchemaDriftError: the page is not an array of funding objects, or a value is bad.
    """
    if not isinstance(payload, list):
        raise SchemaDriftError(SOURCE, "<root>", "expected an array of fundings")
    if not payload:
        return FUNDING_RATE_CONTRACT.empty_frame()
    wire = wire_frame(SOURCE, payload, list(FUNDING_FIELD_MAP), FUNDING_PATH, orient="objects")
    columns = {
        "funding_time": pl.col("fundingTime").cast(pl.Int64),
        "funding_rate": pl.col("fundingRate").cast(pl.Float64),
        "mark_price": pl.col("markPrice").replace(NO_MARK_PRICE, None).cast(pl.Float64),
    }
    frame = typed_columns(SOURCE, wire, columns, FUNDING_PATH)
    return frame.with_columns(
        symbol=pl.lit(symbol, pl.Utf8),
        # quirk: funding times can be a few ms past the hour (1640995200006); the date is UTC.
        date=pl.from_epoch("funding_time", time_unit="ms").dt.date(),
    ).select(list(FUNDING_RATE_CONTRACT.schema))


def fetch_price_klines(
    http: HttpClient,
    base_url: str,
    symbol: str,
    kind: Kind,
    start: date,
    end: date,
    page_size: int = KLINES_LIMIT,
) -> Iterator[list[Any]]:
    """Yield decoded daily mark or index price kline pages, walking forward by open time.

    Args:
        http: the shared client.
        base_url: e.g. ``https://fapi.binance.com``.
        symbol: the perpetual, e.g. ``BTCUSDT`` (sent as ``pair`` for index klines).
        kind: ``"mark"`` or ``"index"``.
        start / end: inclusive UTC dates of the candles' open times.
        page_size: ``limit`` per page (the API allows up to 1500).

    Returns:
        An iterator of pages (arrays of 12-field kline arrays).

    Raises:
        SourceAPIError / VenueUnavailableError / SourceHTTPError / SchemaDriftError: as above.
    """
    endpoint, instrument = KLINE_ENDPOINTS[kind]
    start_ms, end_ms = binance.window_ms(start, end)
    paginator = TimeCursorPaginator(SOURCE, start_ms=start_ms, end_ms=end_ms, limit=page_size)
    params = {instrument: symbol, "interval": binance.INTERVAL, "endTime": end_ms}
    yield from paginate(http, base_url.rstrip("/") + endpoint, params, paginator)


def parse_price_klines(payload: list[Any], symbol: str, kind: Kind, now_ms: int) -> pl.DataFrame:
    """Turn one mark or index klines page into the raw frame, without the open candle.

    Args:
        payload: one decoded page.
        symbol: the requested symbol.
        kind: ``"mark"`` or ``"index"``, stored in ``kind``.
        now_ms: the current time in epoch ms, injected so parsing stays pure.

    Returns:
        A frame with exactly ``PREMIUM_KLINES_CONTRACT.schema``.

    Raises:
        SchemaDriftError: the page is not an array of 12-field arrays, or a price is bad.
    """
    if not isinstance(payload, list):
        raise SchemaDriftError(SOURCE, "<root>", "expected an array of klines")
    if not payload:
        return PREMIUM_KLINES_CONTRACT.empty_frame()
    wire = wire_frame(SOURCE, payload, KLINE_FIELDS, KLINES_PATH, orient="arrays")
    types = {"open_time": pl.Int64, "close_time": pl.Int64}
    columns = {
        column: pl.col(field).cast(types.get(column, pl.Float64))
        for field, column in KLINE_COLUMNS.items()
    }
    frame = typed_columns(SOURCE, wire, columns, KLINES_PATH)
    return (
        # quirk: the last candle of a live range is still open; its closeTime is in the future.
        frame.filter(pl.col("close_time") < now_ms)
        .with_columns(
            symbol=pl.lit(symbol, pl.Utf8),
            kind=pl.lit(kind, pl.Utf8),
            date=pl.from_epoch("open_time", time_unit="ms").dt.date(),
        )
        .select(list(PREMIUM_KLINES_CONTRACT.schema))
    )


def extract_funding_rate(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one perpetual's fundings settled on ``[start, end]``.

    Args:
        http: the shared client.
        settings: supplies ``binance_futures_base_url``.
        stream: a perpetual, e.g. one of :data:`STREAMS`.
        start / end: inclusive UTC dates.

    Returns:
        An iterator of raw frames; empty pages are skipped.

    Raises:
        SourceAPIError / VenueUnavailableError / SourceHTTPError / SchemaDriftError: as the
            fetch and parse steps.
    """
    base_url = settings.binance_futures_base_url
    for page in fetch_funding_rate(http, base_url, stream, start, end):
        frame = parse_funding_rate(page, stream)
        if frame.height:
            yield frame


def extract_premium_klines(
    http: HttpClient,
    settings: Settings,
    stream: str,
    start: date,
    end: date,
    *,
    now_ms: int | None = None,
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one perpetual's finished daily mark, then index, price candles.

    Args:
        http: the shared client.
        settings: supplies ``binance_futures_base_url``.
        stream: a perpetual, e.g. one of :data:`STREAMS`.
        start / end: inclusive UTC dates.
        now_ms: the time that decides which candle is unfinished; the wall clock by default.

    Returns:
        An iterator of raw frames (mark pages first); pages with no finished candle skipped.

    Raises:
        SourceAPIError / VenueUnavailableError / SourceHTTPError / SchemaDriftError: as the
            fetch and parse steps.
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    base_url = settings.binance_futures_base_url
    for kind in KINDS:
        for page in fetch_price_klines(http, base_url, stream, kind, start, end):
            frame = parse_price_klines(page, stream, kind, now)
            if frame.height:
                yield frame


@dataclass(frozen=True)
class Resource:
    """One of this module's two raw tables, shaped as the catalog reads a source module
    (``CONTRACT``, ``STREAMS``, ``extract``), so each table can be listed on its own."""

    CONTRACT: LoadContract
    STREAMS: tuple[str, ...]
    extract: Callable[..., Iterator[pl.DataFrame]]


FUNDING_RATE = Resource(FUNDING_RATE_CONTRACT, STREAMS, extract_funding_rate)
PREMIUM_KLINES = Resource(PREMIUM_KLINES_CONTRACT, STREAMS, extract_premium_klines)
