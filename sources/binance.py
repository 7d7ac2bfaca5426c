"""Binance spot klines: daily (nightly) and 1-minute (backfill) candles, finished candles only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import ConfigError
from rotation_kernel.json_sql import (
    JsonReader,
    RawPage,
    check_records,
    drift,
    literal,
    read_json_sql,
    typed,
)
from sources._pagination import TimeCursorPaginator, paginate_bodies

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

SOURCE = "binance"
ENDPOINT = "/api/v3/klines"
INTERVAL = "1d"
MINUTE_INTERVAL = "1m"
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
# The large-volume path: 1440 candles a symbol a day. Off in the nightly default
# (Settings.binance_minute_klines); the backfill deployment turns it on.
CONTRACT_1M = replace(
    CONTRACT,
    resource="klines_1m",
    initial_value=date(2017, 8, 17),  # Binance's first klines
    lookback_days=1,
    reason="finished candles never change; a day re-reads the tail of a missed run",
)
# DuckDB type of each kept column (the contract's dtypes, as SQL).
SQL_TYPES: dict[str, str] = {"open_time": "BIGINT", "close_time": "BIGINT", "trades": "BIGINT"}


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
    interval: str = INTERVAL,
) -> Iterator[tuple[bytes, list[Any]]]:
    """Yield kline pages for ``symbol``, walking forward by open time.

    Args:
        http: the shared client.
        base_url: e.g. ``https://data-api.binance.vision``.
        symbol: the Binance symbol, e.g. ``BTCUSDT``.
        start / end: inclusive UTC dates of the candles' open times.
        page_size: ``limit`` per page (the API allows up to 1000).
        interval: ``"1d"`` or ``"1m"``.

    Returns:
        An iterator of ``(body as received, decoded page)``: arrays of 12-field arrays.

    Raises:
        SourceAPIError: an error payload such as HTTP 400 ``{"code": -1121, "msg": ...}``.
        SourceHTTPError: the request failed after retries.
        SchemaDriftError: a page is not an array of kline arrays.
    """
    start_ms, end_ms = window_ms(start, end)
    params = {"symbol": symbol, "interval": interval, "endTime": end_ms}
    paginator = TimeCursorPaginator(SOURCE, start_ms=start_ms, end_ms=end_ms, limit=page_size)
    yield from paginate_bodies(http, base_url.rstrip("/") + ENDPOINT, params, paginator)


def klines_reader(symbol: str, now_ms: int) -> JsonReader:
    """The SQL that types a symbol's spooled kline pages, without the candle still open.

    Args:
        symbol: the requested symbol (klines do not echo it).
        now_ms: when extraction began, in epoch ms: a candle closing at or after it was
            still open when its page was fetched, so it is never stored.

    Returns:
        A reader giving exactly ``CONTRACT.schema`` (plus ``_page``). Running it raises
        SchemaDriftError for a page that is not an array of arrays of at least 12 fields, or
        a value that does not parse as the number its position promises.
    """
    return JsonReader(
        SOURCE,
        RECORDS_PATH,
        _klines_sql(symbol, now_ms, checked=False),
        _klines_sql(symbol, now_ms, checked=True),
    )


def _klines_sql(symbol: str, now_ms: int, *, checked: bool) -> str:
    columns = [
        typed(
            SOURCE,
            f"{RECORDS_PATH}.{column}",
            f"k[{i}]",
            SQL_TYPES.get(column, "DOUBLE"),
            checked=checked,
        )
        + f" as {column}"
        for i, column in enumerate(FIELD_MAP.values(), start=1)
        if column is not None
    ]
    shape = drift(SOURCE, RECORDS_PATH, "'expected 12 fields, got ' || coalesce(len(k), 0)")
    return f"""
        select
            {literal(symbol)} as symbol, open_time,
            cast(epoch_ms(open_time) as date) as date,
            open, high, low, close, volume, close_time, quote_volume, trades,
            taker_buy_base, taker_buy_quote, _page
        from (
            select {", ".join(columns)}, file_index as _page
            from {read_json_sql("{k: 'VARCHAR[]'}", records=False)}
            -- a position added at the end is an extra field: ignored, like one in an object
            where case when len(k) >= {len(FIELD_MAP)} then true else {shape} end
        )
        -- quirk: the last candle of a live range is still open; its closeTime is in the future.
        where close_time < {literal(now_ms)}
    """


def extract(
    http: HttpClient,
    settings: Settings,
    stream: str,
    start: date,
    end: date,
    *,
    now_ms: int | None = None,
    interval: str = INTERVAL,
) -> Iterator[RawPage]:
    """Fetch one symbol's candles opening on ``[start, end]``, page bodies as received.

    Args:
        http: the shared client.
        settings: supplies ``binance_base_url``.
        stream: a Binance symbol, e.g. one of :data:`STREAMS`.
        start / end: inclusive UTC dates.
        now_ms: the time that decides which candle is unfinished; the wall clock by default.
        interval: ``"1d"`` (raw.binance__klines) or ``"1m"`` (raw.binance__klines_1m).

    Returns:
        An iterator of raw pages typed at load time by :func:`klines_reader`; pages with no
        finished candle are skipped.

    Raises:
        SourceAPIError / SourceHTTPError: as :func:`fetch_klines`.
        SchemaDriftError: a page is not an array of arrays of at least 12 fields.
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    reader = klines_reader(stream, now)
    for body, page in fetch_klines(
        http, settings.binance_base_url, stream, start, end, interval=interval
    ):
        rows = check_records(SOURCE, page, len(FIELD_MAP), RECORDS_PATH)
        # A page holding nothing but the candle still open is no data yet.
        still_open = sum(1 for row in page if isinstance(row[6], int) and row[6] >= now)
        if still_open < rows:
            yield RawPage(body, rows - still_open, reader)


@dataclass(frozen=True)
class MinuteKlines:
    """raw.binance__klines_1m, shaped as the catalog reads a source (``CONTRACT``,
    ``STREAMS``, ``extract``): the same client and reader at ``interval=1m``."""

    CONTRACT: LoadContract = CONTRACT_1M
    STREAMS: tuple[str, ...] = STREAMS

    def extract(
        self,
        http: HttpClient,
        settings: Settings,
        stream: str,
        start: date,
        end: date,
        *,
        now_ms: int | None = None,
    ) -> Iterator[RawPage]:
        """As :func:`extract` with ``interval="1m"``."""
        if stream not in STREAMS:
            raise ConfigError(f"unknown Binance symbol {stream!r}; known: {', '.join(STREAMS)}")
        return extract(http, settings, stream, start, end, now_ms=now_ms, interval=MINUTE_INTERVAL)


MINUTE_KLINES = MinuteKlines()
