"""Binance spot klines: daily candles for the crypto majors, finished candles only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.errors import SchemaDriftError
from flows.sources._contract import LoadContract
from flows.sources._pagination import TimeCursorPaginator, paginate
from flows.sources._records import typed_columns, wire_frame

if TYPE_CHECKING:
    from flows.settings import Settings
    from flows.sources._http import HttpClient

SOURCE = "binance"
ENDPOINT = "/api/v3/klines"
INTERVAL = "1d"
PAGE_LIMIT = 1000  # the API's maximum `limit`
DAY_MS = 86_400_000
RECORDS_PATH = "klines[]"

# Position in the 12-field kline array -> raw column (None: not kept). Prices and volumes
# arrive as strings, times and the trade count as integers.
FIELD_MAP: dict[str, str | None] = {
    "openTime": "open_time",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
    "closeTime": "close_time",
    "quoteVolume": "quote_volume",
    "trades": "trades",
    "takerBuyBase": "taker_buy_base",
    "takerBuyQuote": "taker_buy_quote",
    "ignore": None,
}

STREAMS: tuple[str, ...] = (
    "BTCUSDT",
    "ETHUSDT",
    "SOLUSDT",
    "BNBUSDT",
    "XRPUSDT",
    "ADAUSDT",
    "DOGEUSDT",
    "AVAXUSDT",
    "LINKUSDT",
)

CONTRACT = LoadContract(
    source=SOURCE,
    resource="klines",
    schema={
        "symbol": pl.Utf8,
        "open_time": pl.Int64,
        "date": pl.Date,
        "open": pl.Float64,
        "high": pl.Float64,
        "low": pl.Float64,
        "close": pl.Float64,
        "volume": pl.Float64,
        "close_time": pl.Int64,
        "quote_volume": pl.Float64,
        "trades": pl.Int64,
        "taker_buy_base": pl.Float64,
        "taker_buy_quote": pl.Float64,
    },
    primary_key=("symbol", "open_time"),
    disposition="merge",
    cursor="date",
    stream_key="symbol",
    initial_value=date(2015, 1, 1),
    lookback_days=3,
    reason="finished candles never change; 3 days re-reads any run that was missed",
)


def window_ms(start: date, end: date) -> tuple[int, int]:
    """The klines window for candles that open on the UTC days [start, end].

    Args:
        start / end: inclusive UTC dates.

    Returns:
        ``(startTime, endTime)`` in epoch ms: start 00:00:00.000 to end 23:59:59.999.
    """
    first = int(datetime.combine(start, clock_time(), tzinfo=UTC).timestamp()) * 1000
    after = datetime.combine(end + timedelta(days=1), clock_time(), tzinfo=UTC)
    return first, int(after.timestamp()) * 1000 - 1


def fetch_klines(
    http: HttpClient,
    base_url: str,
    symbol: str,
    start: date,
    end: date,
    page_size: int = PAGE_LIMIT,
) -> Iterator[list[Any]]:
    """Yield decoded kline pages for ``symbol``, walking forward by open time.

    Args:
        http: the shared client.
        base_url: e.g. ``https://data-api.binance.vision``.
        symbol: the Binance symbol, e.g. ``BTCUSDT``.
        start / end: inclusive UTC dates of the candles' open times.
        page_size: ``limit`` per page (the API allows up to 1000).

    Returns:
        An iterator of pages (arrays of 12-field kline arrays).

    Raises:
        SourceAPIError: an error payload such as HTTP 400 ``{"code": -1121, "msg": ...}``.
        SourceHTTPError: the request failed after retries.
        SchemaDriftError: a page is not an array of kline arrays.
    """
    start_ms, end_ms = window_ms(start, end)
    params = {"symbol": symbol, "interval": INTERVAL, "endTime": end_ms}
    paginator = TimeCursorPaginator(SOURCE, start_ms=start_ms, end_ms=end_ms, limit=page_size)
    yield from paginate(http, base_url.rstrip("/") + ENDPOINT, params, paginator)


def parse_klines(payload: list[Any], symbol: str, now_ms: int) -> pl.DataFrame:
    """Turn one klines page into the raw frame, without the candle that is still open.

    Args:
        payload: one decoded page.
        symbol: the requested symbol (klines do not echo it).
        now_ms: the current time in epoch ms, injected so parsing stays pure.

    Returns:
        A frame with exactly ``CONTRACT.schema``.

    Raises:
        SchemaDriftError: the page is not an array of 12-field arrays, or a value does not
            parse as the number its position promises.
    """
    if not isinstance(payload, list):
        raise SchemaDriftError(SOURCE, "<root>", "expected an array of klines")
    if not payload:
        return CONTRACT.empty_frame()
    wire = wire_frame(SOURCE, payload, list(FIELD_MAP), RECORDS_PATH, orient="arrays")
    columns = {
        column: pl.col(field).cast(CONTRACT.schema[column])
        for field, column in FIELD_MAP.items()
        if column is not None
    }
    frame = typed_columns(SOURCE, wire, columns, RECORDS_PATH)
    return (
        # quirk: the last candle of a live range is still open; its closeTime is in the future.
        frame.filter(pl.col("close_time") < now_ms)
        .with_columns(
            symbol=pl.lit(symbol, pl.Utf8),
            date=pl.from_epoch("open_time", time_unit="ms").dt.date(),
        )
        .select(list(CONTRACT.schema))
    )


def extract(
    http: HttpClient,
    settings: Settings,
    stream: str,
    start: date,
    end: date,
    *,
    now_ms: int | None = None,
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one symbol's finished daily candles opening on ``[start, end]``.

    Args:
        http: the shared client.
        settings: supplies ``binance_base_url``.
        stream: a Binance symbol, e.g. one of :data:`STREAMS`.
        start / end: inclusive UTC dates.
        now_ms: the time that decides which candle is unfinished; the wall clock by default.

    Returns:
        An iterator of raw frames; pages with no finished candle are skipped.

    Raises:
        SourceAPIError / SourceHTTPError / SchemaDriftError: as the fetch and parse steps.
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    for page in fetch_klines(http, settings.binance_base_url, stream, start, end):
        frame = parse_klines(page, stream, now)
        if frame.height:
            yield frame
