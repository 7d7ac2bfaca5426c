"""Keyless FRED: the fredgraph.csv download, parsed to the same raw table as the API."""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from rotation_kernel.errors import SchemaDriftError
from sources import fred
from sources._records import typed_columns

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

log = logging.getLogger("rotation.fredgraph")

SOURCE = "fredgraph"
ENDPOINT = "/graph/fredgraph.csv"
# The date column's header: "observation_date" today; files from before that said "DATE".
DATE_HEADERS = ("observation_date", "DATE")
# A day without a value: an empty field today, FRED's "." in older files.
MISSING_VALUE = "."
RECORDS_PATH = "csv"

# Same table as the API (raw.fred__observations); the CSV carries no real-time period.
CONTRACT = fred.CONTRACT
STREAMS: tuple[str, ...] = fred.STREAMS


def fetch_csv(
    http: HttpClient, base_url: str, series_id: str, start: date, end: date
) -> Iterator[bytes]:
    """Yield the one CSV body for ``series_id`` over [start, end] (the download does not page).

    Args:
        http: the shared client.
        base_url: e.g. ``https://fred.stlouisfed.org``.
        series_id: the FRED series.
        start / end: inclusive observation dates (``cosd`` / ``coed``).

    Returns:
        An iterator holding a single CSV body, as bytes.

    Raises:
        SourceHTTPError: the request failed after retries, or the series is unknown (404).
    """
    params = {"id": series_id, "cosd": start.isoformat(), "coed": end.isoformat()}
    yield http.get(base_url.rstrip("/") + ENDPOINT, params).content


def parse_csv(body: bytes, series_id: str) -> pl.DataFrame:
    """Turn a fredgraph CSV into the raw observations frame (values in the series' unit).

    Args:
        body: the CSV as downloaded: ``observation_date,<ID>`` (or ``DATE,<ID>``) then rows.
        series_id: the requested series; the value column must carry its name.

    Returns:
        A frame with exactly ``CONTRACT.schema``; empty and "." values are null, and the
        real-time columns are null (the download has no vintages).

    Raises:
        SchemaDriftError: the body is not that two-column CSV, or a date/number does not parse.
    """
    try:
        # Every column as text: the strict casts below then name the field that drifted.
        wire = pl.read_csv(io.BytesIO(body), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise SchemaDriftError(SOURCE, RECORDS_PATH, f"not a CSV: {exc}") from None
    header = wire.columns
    if len(header) != 2 or header[0] not in DATE_HEADERS or header[1] != series_id:
        expected = f"observation_date,{series_id} or DATE,{series_id}"
        raise SchemaDriftError(SOURCE, "csv.header", f"expected {expected}, got {header}")
    wire = wire.rename({header[0]: "date", header[1]: "value"})
    frame = typed_columns(
        SOURCE,
        wire,
        {
            "date": pl.col("date").str.to_date(fred.DATE_FORMAT),
            # quirk: an empty field reads as null already; "." is the older marker.
            "value": pl.col("value").replace(MISSING_VALUE, None).cast(pl.Float64),
        },
        RECORDS_PATH,
    )
    return frame.with_columns(
        series_id=pl.lit(series_id, pl.Utf8),
        realtime_start=pl.lit(None, pl.Date),
        realtime_end=pl.lit(None, pl.Date),
    ).select(list(CONTRACT.schema))


@functools.cache
def log_vintages_unavailable() -> None:
    """Say once per process that this mode cannot give point-in-time (vintage) values."""
    log.warning(
        "FRED_API_KEY is not set: reading FRED through fredgraph.csv, which has today's "
        "values only; vintages (realtime_start/realtime_end) are unavailable in this mode"
    )


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[pl.DataFrame]:
    """Fetch and parse one series over ``[start, end]`` without an API key.

    The keyless fallback of :func:`sources.fred.extract`: same streams, same raw table.

    Args:
        http: the shared client.
        settings: supplies ``fredgraph_base_url``.
        stream: a series id of the unit registry.
        start / end: inclusive observation dates.

    Returns:
        An iterator of raw frames; a window with no observations yields nothing.

    Raises:
        ConfigError: the series is not in the registry.
        SourceHTTPError / SchemaDriftError: as the fetch and parse steps.
    """
    fred.series_unit(stream)
    log_vintages_unavailable()
    for body in fetch_csv(http, settings.fredgraph_base_url, stream, start, end):
        frame = parse_csv(body, stream)
        if frame.height:
            yield frame
