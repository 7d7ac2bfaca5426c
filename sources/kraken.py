"""Kraken OHLC: daily USD candles, the second fallback venue (only the 720 most recent days)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import SchemaDriftError, SourceAPIError
from sources._pagination import epoch_s
from sources._records import typed_columns, wire_frame

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

log = logging.getLogger("rotation.kraken")

SOURCE = "kraken"
ENDPOINT = "/0/public/OHLC"
INTERVAL_MIN = 1440  # one day, in minutes
MAX_ROWS = 720  # Kraken keeps only the most recent 720 candles per interval, whatever `since` says
LAST_KEY = "last"  # the one key of `result` that is not the (renamed) pair
RECORDS_PATH = "result.<pair>[]"

# Position in the 8-field OHLC array -> raw column. The time and trade count are integers,
# every price and volume a string.
FIELD_MAP: dict[str, str] = {
    "time": "time",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "vwap": "vwap",
    "volume": "volume",
    "count": "count",
}

# Request pair -> asset code. Kraken names bitcoin XBT and dogecoin XDG; the response key is
# the pair's legacy name (XBTUSD -> XXBTZUSD). Quotes are USD; Kraken lists no BNB.
ASSETS: dict[str, str] = {
    "XBTUSD": "BTC",
    "ETHUSD": "ETH",
    "SOLUSD": "SOL",
    "XRPUSD": "XRP",
    "ADAUSD": "ADA",
    "XDGUSD": "DOGE",
    "AVAXUSD": "AVAX",
    "LINKUSD": "LINK",
}
QUOTE_CURRENCY = "USD"
STREAMS: tuple[str, ...] = tuple(ASSETS)

CONTRACT = LoadContract(
    source=SOURCE,
    resource="ohlc",
    schema={
        "pair": pl.Utf8,
        "result_key": pl.Utf8,
        "time": pl.Int64,
        "date": pl.Date,
        "open": pl.Float64,
        "high": pl.Float64,
        "low": pl.Float64,
        "close": pl.Float64,
        "vwap": pl.Float64,
        "volume": pl.Float64,
        "count": pl.Int64,
    },
    primary_key=("pair", "time"),
    disposition="merge",
    cursor="date",
    stream_key="pair",
    initial_value=date(2015, 1, 1),
    lookback_days=3,
    reason="committed candles never change; 3 days re-reads any run that was missed",
)


def fetch_ohlc(http: HttpClient, base_url: str, pair: str, start: date) -> Iterator[dict[str, Any]]:
    """Yield the one OHLC page for ``pair`` from ``start`` on (Kraken does not page back).

    Args:
        http: the shared client.
        base_url: e.g. ``https://api.kraken.com``.
        pair: the Kraken pair as requested, e.g. ``XBTUSD``.
        start: the first UTC date wanted; older than 720 days gets the 720 most recent.

    Returns:
        An iterator holding a single decoded page.

    Raises:
        SourceAPIError: Kraken's ``error`` list is not empty (sent with HTTP 200).
        SourceHTTPError: the request failed after retries.
    """
    url = base_url.rstrip("/") + ENDPOINT
    # `since` returns candles after the given time: one second before midnight keeps `start`.
    params = {"pair": pair, "interval": INTERVAL_MIN, "since": epoch_s(start) - 1}
    payload = http.get_json(url, params)
    errors = payload.get("error") if isinstance(payload, dict) else None
    if errors:
        # quirk: errors come as HTTP 200 with a list such as ["EQuery:Unknown asset pair"].
        raise SourceAPIError(f"kraken OHLC for pair {pair!r} failed: {'; '.join(errors)}", url=url)
    yield payload


def result_key(payload: dict[str, Any]) -> str:
    """The key under which Kraken put the candles (it renames pairs: XBTUSD -> XXBTZUSD).

    Args:
        payload: the decoded response.

    Returns:
        The one key of ``result`` that is not ``last``.

    Raises:
        SchemaDriftError: ``result`` is missing or holds other than one pair and ``last``.
    """
    result = payload.get("result") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise SchemaDriftError(SOURCE, "result", "expected an object")
    keys = [key for key in result if key != LAST_KEY]
    if len(keys) != 1:
        raise SchemaDriftError(SOURCE, "result", f"expected one pair key and 'last', got {keys}")
    return keys[0]


def last_committed(payload: dict[str, Any]) -> int:
    """``result.last``: the time of the newest committed candle, sent as a string or an int.

    Args:
        payload: the decoded response, whose ``result`` is an object.

    Returns:
        Epoch seconds.

    Raises:
        SchemaDriftError: ``last`` is missing or not an integer (in either form).
    """
    last = payload["result"].get(LAST_KEY)
    if isinstance(last, str) and last.isdigit():
        return int(last)
    if not isinstance(last, int) or isinstance(last, bool):
        raise SchemaDriftError(SOURCE, "result.last", f"expected epoch seconds, got {last!r}")
    return last


def parse_ohlc(payload: dict[str, Any], pair: str) -> pl.DataFrame:
    """Turn an OHLC response into the raw frame of committed candles.

    Args:
        payload: the decoded response.
        pair: the requested pair, stored as sent (the response key goes to ``result_key``).

    Returns:
        A frame with exactly ``CONTRACT.schema``, without the last row: Kraken always ends
        the array with the current, not yet committed candle.

    Raises:
        SchemaDriftError: the result key, ``last`` or a row has an unexpected shape.
    """
    key = result_key(payload)
    last_committed(payload)  # checked, not used: the last row is the open candle regardless
    rows = payload["result"][key]
    if not isinstance(rows, list):
        raise SchemaDriftError(SOURCE, f"result.{key}", "expected an array of candles")
    if len(rows) <= 1:
        return CONTRACT.empty_frame()
    wire = wire_frame(SOURCE, rows[:-1], list(FIELD_MAP), RECORDS_PATH, orient="arrays")
    columns = {
        column: pl.col(field).cast(CONTRACT.schema[column]) for field, column in FIELD_MAP.items()
    }
    frame = typed_columns(SOURCE, wire, columns, RECORDS_PATH)
    return frame.with_columns(
        pair=pl.lit(pair, pl.Utf8),
        result_key=pl.lit(key, pl.Utf8),
        date=pl.from_epoch("time", time_unit="s").dt.date(),
    ).select(list(CONTRACT.schema))


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one pair's committed daily candles opening on ``[start, end]``.

    A window reaching back beyond what Kraken keeps yields what is available and logs the
    gap: older days must come from another venue or a backfill done in time.

    Args:
        http: the shared client.
        settings: supplies ``kraken_base_url``.
        stream: a Kraken pair, e.g. one of :data:`STREAMS`.
        start / end: inclusive UTC dates.

    Returns:
        An iterator of at most one raw frame.

    Raises:
        SourceAPIError / SourceHTTPError / SchemaDriftError: as the fetch and parse steps.
    """
    for page in fetch_ohlc(http, settings.kraken_base_url, stream, start):
        served = parse_ohlc(page, stream)
        oldest = served["date"].min()
        if oldest is not None and oldest > start:
            log.warning(
                "kraken %s: nothing served before %s; the window starts %s (Kraken keeps only "
                "the %d most recent daily candles)",
                stream,
                oldest,
                start,
                MAX_ROWS,
            )
        frame = served.filter(pl.col("date").is_between(start, end))
        if frame.height:
            yield frame
