"""Coinbase Exchange candles: daily USD prices, the first fallback venue when Binance fails."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import SchemaDriftError
from sources._pagination import TimeWindowPaginator, epoch_s, paginate
from sources._records import typed_columns, wire_frame

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

SOURCE = "coinbase"
ENDPOINT = "/products/{product_id}/candles"
GRANULARITY_S = 86_400  # one day; the only other choices are minutes to six hours
MAX_CANDLES = 300  # per request; a wider range is rejected with HTTP 400
RECORDS_PATH = "candles[]"

# Position in the 6-field candle array -> raw column. Unlike Binance, every field is a JSON
# number (the time an integer), and the order is low, high, open, close: not OHLC.
FIELD_MAP: dict[str, str] = {
    "time": "time",
    "low": "low",
    "high": "high",
    "open": "open",
    "close": "close",
    "volume": "volume",
}

# Product id -> asset code. Quotes are USD, not Binance's USDT (no BNB on Coinbase).
ASSETS: dict[str, str] = {
    "BTC-USD": "BTC",
    "ETH-USD": "ETH",
    "SOL-USD": "SOL",
    "XRP-USD": "XRP",
    "ADA-USD": "ADA",
    "DOGE-USD": "DOGE",
    "AVAX-USD": "AVAX",
    "LINK-USD": "LINK",
}
QUOTE_CURRENCY = "USD"
STREAMS: tuple[str, ...] = tuple(ASSETS)

CONTRACT = LoadContract(
    source=SOURCE,
    resource="candles",
    schema={
        "product_id": pl.Utf8,
        "time": pl.Int64,
        "date": pl.Date,
        "low": pl.Float64,
        "high": pl.Float64,
        "open": pl.Float64,
        "close": pl.Float64,
        "volume": pl.Float64,
    },
    primary_key=("product_id", "time"),
    disposition="merge",
    cursor="date",
    stream_key="product_id",
    initial_value=date(2015, 1, 1),
    lookback_days=3,
    reason="finished candles never change; 3 days re-reads any run that was missed",
)


def fetch_candles(
    http: HttpClient,
    base_url: str,
    product_id: str,
    start: date,
    end: date,
    window_days: int = MAX_CANDLES,
) -> Iterator[list[Any]]:
    """Yield decoded candle pages for ``product_id``, one window of days per request.

    Args:
        http: the shared client.
        base_url: e.g. ``https://api.exchange.coinbase.com``.
        product_id: the Coinbase product, e.g. ``BTC-USD``.
        start / end: inclusive UTC dates of the candles' open times.
        window_days: days per request (at most 300, the API's cap).

    Returns:
        An iterator of pages (arrays of candles, newest first); windows run oldest first.

    Raises:
        SourceAPIError: an error payload such as HTTP 404 ``{"message": "NotFound"}``.
        SourceHTTPError: the request failed after retries.
        SchemaDriftError: a page is not an array.
    """
    # Each window is [day 00:00:00, last day 23:59:59]: exactly window_days candles, and a
    # range Coinbase counts as fewer than 300 buckets whether it reads `end` inclusively or not.
    paginator = TimeWindowPaginator(
        SOURCE,
        first_s=epoch_s(start),
        last_s=epoch_s(end + timedelta(days=1)) - 1,
        width_s=window_days * GRANULARITY_S,
    )
    url = base_url.rstrip("/") + ENDPOINT.format(product_id=product_id)
    yield from paginate(http, url, {"granularity": GRANULARITY_S}, paginator)


def parse_candles(payload: list[Any], product_id: str, now_s: int) -> pl.DataFrame:
    """Turn one candles page into the raw frame, oldest first, without today's open candle.

    Args:
        payload: one decoded page (newest first, as Coinbase sends it).
        product_id: the requested product (candles do not echo it).
        now_s: the current time in epoch seconds, injected so parsing stays pure.

    Returns:
        A frame with exactly ``CONTRACT.schema``, sorted by time.

    Raises:
        SchemaDriftError: the page is not an array of 6-number arrays.
    """
    if not isinstance(payload, list):
        raise SchemaDriftError(SOURCE, "<root>", "expected an array of candles")
    if not payload:
        return CONTRACT.empty_frame()
    wire = wire_frame(SOURCE, payload, list(FIELD_MAP), RECORDS_PATH, orient="arrays")
    columns = {
        column: pl.col(field).cast(CONTRACT.schema[column]) for field, column in FIELD_MAP.items()
    }
    frame = typed_columns(SOURCE, wire, columns, RECORDS_PATH)
    return (
        # quirk: today's candle is still open until its day ends.
        frame.filter(pl.col("time") + GRANULARITY_S <= now_s)
        .sort("time")
        .with_columns(
            product_id=pl.lit(product_id, pl.Utf8),
            date=pl.from_epoch("time", time_unit="s").dt.date(),
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
    now_s: int | None = None,
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one product's finished daily candles opening on ``[start, end]``.

    Args:
        http: the shared client.
        settings: supplies ``coinbase_base_url``.
        stream: a product id, e.g. one of :data:`STREAMS`.
        start / end: inclusive UTC dates.
        now_s: the time that decides which candle is unfinished; the wall clock by default.

    Returns:
        An iterator of raw frames; windows with no finished candle are skipped.

    Raises:
        SourceAPIError / SourceHTTPError / SchemaDriftError: as the fetch and parse steps.
    """
    now = int(time.time()) if now_s is None else now_s
    for page in fetch_candles(http, settings.coinbase_base_url, stream, start, end):
        # Coinbase may add candles just before the requested start; keep the window's only.
        frame = parse_candles(page, stream, now).filter(pl.col("date").is_between(start, end))
        if frame.height:
            yield frame
