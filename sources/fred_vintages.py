"""FRED point-in-time values (ALFRED vintages): every value each observation had, and when.

The request is the ordinary ``series/observations`` call plus a real-time range::

    GET {fred}/fred/series/observations?series_id=WALCL&file_type=json
        &observation_start=<start>&observation_end=<end>
        &realtime_start=<start>&realtime_end=9999-12-31&offset=0&limit=100000

With ``output_type`` left at 1 ("observations by real-time period") FRED then sends one row
per (observation, value) with the real-time period in which that value was the published
one: ``realtime_end`` 9999-12-31 marks the value still current. ``output_type=2`` was not
chosen: it pivots vintages into columns named like ``WALCL_20250109``, a shape per request.

FRED clips each row's ``realtime_start`` to the requested one. Starting the real-time range
at the first observation date means no clipping in practice: an observation is published on
or after its own date, so its first vintage never starts before ``start``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from rotation_kernel.contract import LoadContract
from rotation_kernel.json_sql import RawPage
from sources import fred

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

# FRED's realtime_end for "still the current value".
REALTIME_END_LATEST = date(9999, 12, 31)

# Point-in-time history matters for the liquidity components (the rates are never revised).
STREAMS: tuple[str, ...] = fred.STREAMS

CONTRACT = LoadContract(
    source=fred.SOURCE,
    resource="observations_vintages",
    schema=fred.CONTRACT.schema,
    primary_key=("series_id", "date", "realtime_start"),
    disposition="merge",
    cursor="date",
    stream_key="series_id",
    initial_value=date(2015, 1, 1),
    lookback_days=35,
    reason="an H.4.1 revision closes the old value's realtime_end; re-read 35 days of revisions",
)


def fetch_vintages(
    http: HttpClient,
    base_url: str,
    series_id: str,
    api_key: SecretStr,
    start: date,
    end: date,
    page_size: int = fred.PAGE_LIMIT,
) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """Yield the pages of every vintage of the observations dated [start, end].

    Args:
        http: the client; the key is registered in its ``secrets``.
        base_url: e.g. ``https://api.stlouisfed.org``.
        series_id: the FRED series.
        api_key: the FRED key.
        start / end: inclusive observation dates; the real-time range is [start, 9999-12-31].
        page_size: the ``limit`` per page.

    Returns:
        An iterator of ``(body as received, decoded page)``, paged by offset like
        :func:`sources.fred.fetch_observation_pages`.

    Raises:
        SourceAPIError / SourceHTTPError / SchemaDriftError: as ``fetch_observation_pages``.
    """
    yield from fred.fetch_observation_pages(
        http,
        base_url,
        series_id,
        api_key,
        start,
        end,
        page_size,
        realtime=(start, REALTIME_END_LATEST),
    )


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[RawPage]:
    """Fetch every vintage of one series' observations dated ``[start, end]``, page bodies
    as received.

    Vintages are plain observation rows with a real-time period, so they are typed at load
    time by the same reader as the observations (:func:`sources.fred.observations_reader`);
    ``realtime_end`` 9999-12-31 is kept as sent.

    Args:
        http: the shared client.
        settings: supplies ``fred_base_url`` and the FRED key (vintages need the API).
        stream: a series id of the unit registry.
        start / end: inclusive observation dates.

    Returns:
        An iterator of raw pages; a window with no observations yields nothing.

    Raises:
        ConfigError: the key is unset or the series is not in the registry.
        SourceAPIError / SourceHTTPError: as the fetch step.
        SchemaDriftError: a page without an observations list, or a record without a field.
    """
    fred.series_unit(stream)
    api_key = settings.require_fred_key()
    pages = fetch_vintages(http, settings.fred_base_url, stream, api_key, start, end)
    yield from fred.raw_pages(pages, stream)
