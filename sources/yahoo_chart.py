"""Yahoo Finance chart v8: daily bars for indices and ETFs, dated by the exchange's calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import SchemaDriftError, SourceAPIError

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

SOURCE = "yahoo"
ENDPOINT = "/v8/finance/chart/{symbol}"
INTERVAL = "1d"
# Regular session only; ask for dividends and splits so adjclose is computed with them.
EXTRA_PARAMS = {"includePrePost": "false", "events": "div|split"}

# Wire array (indicators.quote[0]) -> raw column.
FIELD_MAP: dict[str, str] = {
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
}
PRICE_FIELDS = ("open", "high", "low", "close")
# Payload paths named in SchemaDriftError.
RESULT = "chart.result[0]"
QUOTE = f"{RESULT}.indicators.quote[0]"
ADJCLOSE = f"{RESULT}.indicators.adjclose[0]"

STREAMS: tuple[str, ...] = ("^RUT", "^GSPC", "IWM", "SPY")

CONTRACT = LoadContract(
    source=SOURCE,
    resource="chart",
    schema={
        "symbol": pl.Utf8,
        "date": pl.Date,
        "ts": pl.Int64,
        "open": pl.Float64,
        "high": pl.Float64,
        "low": pl.Float64,
        "close": pl.Float64,
        "adjclose": pl.Float64,
        "volume": pl.Int64,
        "currency": pl.Utf8,
        "exchange_timezone": pl.Utf8,
    },
    primary_key=("symbol", "date"),
    disposition="merge",
    cursor="date",
    stream_key="symbol",
    initial_value=date(2015, 1, 1),
    lookback_days=10,
    reason="adjclose is restated after dividends and splits and a live bar can be partial",
)


def chart_url(base_url: str, symbol: str) -> str:
    """The chart endpoint for one symbol.

    Args:
        base_url: e.g. ``https://query1.finance.yahoo.com``.
        symbol: the Yahoo symbol, unencoded.

    Returns:
        The URL with the symbol percent-encoded (``^RUT`` -> ``%5ERUT``).
    """
    return base_url.rstrip("/") + ENDPOINT.format(symbol=quote(symbol, safe=""))


def period_bounds(start: date, end: date) -> tuple[int, int]:
    """The chart request's period for the calendar days [start, end].

    Args:
        start / end: inclusive calendar dates.

    Returns:
        ``(period1, period2)`` in epoch seconds: [start 00:00 UTC, end + 1 day 00:00 UTC).
    """
    first = datetime.combine(start, time(), tzinfo=UTC)
    after = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    return int(first.timestamp()), int(after.timestamp())


def fetch_chart(
    http: HttpClient, base_url: str, symbol: str, start: date, end: date
) -> Iterator[dict[str, Any]]:
    """Yield the one chart page for ``symbol`` over [start, end] (Yahoo does not page 1d bars).

    Args:
        http: the shared client.
        base_url: e.g. ``https://query1.finance.yahoo.com``.
        symbol: the Yahoo symbol, unencoded (``^RUT``).
        start / end: inclusive calendar dates.

    Returns:
        An iterator holding a single decoded page.

    Raises:
        SourceAPIError: ``chart.error`` is set (HTTP 404 for an unknown symbol); names the symbol.
        SourceHTTPError: the request failed after retries.
    """
    url = chart_url(base_url, symbol)
    period1, period2 = period_bounds(start, end)
    params = {"period1": period1, "period2": period2, "interval": INTERVAL, **EXTRA_PARAMS}
    try:
        payload = http.get_json(url, params)
    except SourceAPIError as exc:
        raise SourceAPIError(
            f"yahoo chart for symbol {symbol!r} failed: {exc}", url=exc.url, status=exc.status
        ) from exc
    raise_for_chart_error(payload, symbol, url)
    yield payload


def raise_for_chart_error(payload: Any, symbol: str, url: str) -> None:
    """Raise when a chart payload carries ``chart.error`` instead of a result.

    Args:
        payload: the decoded response.
        symbol: the requested symbol, named in the error.
        url: the (sanitized) URL the payload came from.

    Raises:
        SourceAPIError: naming the symbol and Yahoo's code and description.
    """
    chart = payload.get("chart") if isinstance(payload, dict) else None
    error = chart.get("error") if isinstance(chart, dict) else None
    if error:
        if isinstance(error, dict):
            error = f"{error.get('code')}: {error.get('description')}"
        raise SourceAPIError(f"yahoo chart for symbol {symbol!r} failed: {error}", url=url)


def parse_chart(payload: dict[str, Any], symbol: str) -> pl.DataFrame:
    """Turn a chart response into the raw frame: one row per trading day with a full bar.

    Args:
        payload: the decoded response.
        symbol: the requested symbol, stored as sent (``^RUT``).

    Returns:
        A frame with exactly ``CONTRACT.schema``. A result without ``timestamp`` (no trading
        days in range) gives an empty frame; bars with a null price are dropped.

    Raises:
        SourceAPIError: the payload carries ``chart.error``.
        SchemaDriftError: a key is missing, has the wrong type, or arrays differ in length.
    """
    raise_for_chart_error(payload, symbol, ENDPOINT.format(symbol=quote(symbol, safe="")))
    result = _dig(payload, ("chart", "result"), list)
    if not result:
        raise SchemaDriftError(SOURCE, "chart.result", "expected one result")
    first = _dig(result[0], ("meta",), dict, RESULT)
    timezone = first.get("exchangeTimezoneName")
    if "currency" not in first:
        raise SchemaDriftError(SOURCE, f"{RESULT}.meta.currency", "missing")
    if "timestamp" not in result[0]:
        # Yahoo leaves the key out when the range holds no trading day.
        return CONTRACT.empty_frame()

    arrays = _wire_arrays(result[0])
    if len({len(values) for _, values in arrays.values()}) != 1:
        lengths = {name: len(values) for name, (_, values) in arrays.items()}
        raise SchemaDriftError(SOURCE, f"{RESULT}.indicators", f"lengths differ: {lengths}")

    frame = pl.DataFrame([_numeric_series(name, *wire) for name, wire in arrays.items()])
    if "adjclose" not in frame.columns:
        frame = frame.with_columns(adjclose=pl.lit(None, pl.Float64))
    frame = (
        frame.drop_nulls(list(PRICE_FIELDS))  # quirk: a bar Yahoo has no prices for
        .with_columns(
            date=_local_date(pl.col("ts").cast(pl.Int64), timezone, first.get("gmtoffset")),
            symbol=pl.lit(symbol, pl.Utf8),
            currency=pl.lit(first["currency"], pl.Utf8),
            exchange_timezone=pl.lit(timezone, pl.Utf8),
        )
        # quirk: a still-open session can come back as an extra bar on the same local day.
        .unique(subset="date", keep="last", maintain_order=True)
    )
    return frame.select(pl.col(name).cast(dtype) for name, dtype in CONTRACT.schema.items())


def _dig(node: Any, keys: tuple[str, ...], kind: type, at: str = "") -> Any:
    """Follow ``keys`` into nested dicts and check the leaf's type, or raise drift."""
    path = at
    for key in keys:
        path = f"{path}.{key}" if path else key
        if not isinstance(node, dict) or key not in node:
            raise SchemaDriftError(SOURCE, path, "missing")
        node = node[key]
    if not isinstance(node, kind):
        raise SchemaDriftError(SOURCE, path, f"expected {kind.__name__}, got {type(node).__name__}")
    return node


def _wire_arrays(result: dict[str, Any]) -> dict[str, tuple[str, list[Any]]]:
    """Column -> (wire path, JSON array) for the timestamps and every indicator."""
    arrays = {"ts": (f"{RESULT}.timestamp", _dig(result, ("timestamp",), list, RESULT))}
    quote_block = _dig(result, ("indicators", "quote"), list, RESULT)
    quotes = quote_block[0] if quote_block else None
    for wire_name, column in FIELD_MAP.items():
        arrays[column] = (f"{QUOTE}.{wire_name}", _dig(quotes, (wire_name,), list, QUOTE))
    if "adjclose" in result["indicators"]:
        # Absent for some instruments; the column is then null rather than drift.
        adj_block = _dig(result, ("indicators", "adjclose"), list, RESULT)
        adj = _dig(adj_block[0] if adj_block else None, ("adjclose",), list, ADJCLOSE)
        arrays["adjclose"] = (f"{ADJCLOSE}.adjclose", adj)
    return arrays


def _numeric_series(name: str, path: str, values: list[Any]) -> pl.Series:
    """A numeric column from a JSON array of numbers and nulls (ints and floats mix)."""
    series = pl.Series(name, values, strict=False)
    if not (series.dtype.is_numeric() or series.dtype == pl.Null):
        raise SchemaDriftError(SOURCE, path, f"expected numbers, got {series.dtype}")
    return series.cast(pl.Int64 if name in ("ts", "volume") else pl.Float64)


def _local_date(ts: pl.Expr, timezone: Any, gmtoffset: Any) -> pl.Expr:
    """The exchange-local calendar date of epoch seconds ``ts``.

    A 1d bar is stamped at the session open in exchange time, so the UTC date can be the
    wrong day for far-east or late-stamped bars. The named zone handles DST; the fixed
    ``gmtoffset`` (today's offset) is the fallback when the zone is absent or unknown.
    """
    utc = pl.from_epoch(ts, time_unit="s").dt.replace_time_zone("UTC")
    if isinstance(timezone, str) and timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return utc.dt.convert_time_zone(timezone).dt.date()
    if isinstance(gmtoffset, int) and not isinstance(gmtoffset, bool):
        return pl.from_epoch(ts + gmtoffset, time_unit="s").dt.date()
    raise SchemaDriftError(SOURCE, f"{RESULT}.meta.gmtoffset", "no usable exchange timezone")


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one symbol's daily bars over ``[start, end]``.

    Args:
        http: the shared client.
        settings: supplies ``yahoo_base_url``.
        stream: a Yahoo symbol, e.g. one of :data:`STREAMS`.
        start / end: inclusive calendar dates.

    Returns:
        An iterator of raw frames; a window without trading days yields nothing.

    Raises:
        SourceAPIError / SourceHTTPError / SchemaDriftError: as the fetch and parse steps.
    """
    for page in fetch_chart(http, settings.yahoo_base_url, stream, start, end):
        frame = parse_chart(page, stream)
        if frame.height:
            yield frame
