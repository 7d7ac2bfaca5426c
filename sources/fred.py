"""FRED series observations: liquidity components, rates, and the unit registry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import SecretStr

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
from sources._pagination import OffsetPaginator, paginate_bodies

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

SOURCE = "fred"
ENDPOINT = "/fred/series/observations"
PAGE_LIMIT = 100_000  # the API's maximum `limit`
MISSING_VALUE = "."  # FRED's marker for "no observation" (holidays, early gaps)
DATE_FORMAT = "%Y-%m-%d"
RECORDS_PATH = "observations[]"
# How read_json reads a page: only these fields (an extra one is ignored), all as text.
PAGE_COLUMNS = (
    '{observations: \'STRUCT("date" VARCHAR, "value" VARCHAR, '
    "realtime_start VARCHAR, realtime_end VARCHAR)[]'}"
)

# Wire field -> raw column. Every wire value is a string.
FIELD_MAP: dict[str, str] = {
    "date": "date",
    "value": "value",
    "realtime_start": "realtime_start",
    "realtime_end": "realtime_end",
}


@dataclass(frozen=True)
class SeriesUnit:
    """What one FRED series measures and how to turn it into USD billions (None: not money)."""

    unit: Literal["usd_mn", "usd_bn", "pct"]
    usd_bn_per_unit: float | None
    description: str
    is_level: bool  # False for averages (WTREGEN): not comparable with a same-day level


# The unit registry; the warehouse writes it to meta.fred_series_units.
SERIES: dict[str, SeriesUnit] = {
    "WALCL": SeriesUnit("usd_mn", 0.001, "Fed total assets, Wednesday level", True),
    "WTREGEN": SeriesUnit("usd_mn", 0.001, "Treasury General Account, week average", False),
    "WDTGAL": SeriesUnit("usd_mn", 0.001, "Treasury General Account, Wednesday level", True),
    # Already in billions, unlike the H.4.1 series above.
    "RRPONTSYD": SeriesUnit("usd_bn", 1.0, "Overnight reverse repo, daily", True),
    "WSHOMCB": SeriesUnit("usd_mn", 0.001, "Fed MBS holdings, Wednesday level", True),
    # Rates in percent: no USD factor, so they can never be summed into liquidity by mistake.
    "DFF": SeriesUnit("pct", None, "Effective federal funds rate, daily", True),
    "DGS10": SeriesUnit("pct", None, "10-year Treasury constant maturity yield, daily", True),
    "DTB3": SeriesUnit("pct", None, "3-month Treasury bill rate (discount basis), daily", True),
}
# The liquidity components in USD, extracted every night. The rates are extractable streams
# too; the flow lists them once staging knows what to do with a series that is not USD.
STREAMS: tuple[str, ...] = tuple(s for s, u in SERIES.items() if u.usd_bn_per_unit is not None)
RATE_STREAMS: tuple[str, ...] = tuple(s for s, u in SERIES.items() if u.usd_bn_per_unit is None)

CONTRACT = LoadContract(
    source=SOURCE,
    resource="observations",
    schema={
        "series_id": pl.Utf8,
        "date": pl.Date,
        "value": pl.Float64,
        "realtime_start": pl.Date,
        "realtime_end": pl.Date,
    },
    primary_key=("series_id", "date"),
    disposition="merge",
    cursor="date",
    stream_key="series_id",
    initial_value=date(2015, 1, 1),
    lookback_days=35,
    reason="H.4.1 revises recent weeks, so merge with a 35-day lookback",
)


def series_unit(series_id: str) -> SeriesUnit:
    """Look up a series in the unit registry.

    Args:
        series_id: a FRED series id.

    Returns:
        Its unit, USD-billions factor, description and level flag.

    Raises:
        ConfigError: for a series the registry does not know.
    """
    try:
        return SERIES[series_id]
    except KeyError:
        known = ", ".join(SERIES)
        raise ConfigError(f"unknown FRED series {series_id!r}; known: {known}") from None


def to_usd_bn(series_id: str, value: float | None) -> float | None:
    """Convert one observation of ``series_id`` from its own unit to USD billions.

    Args:
        series_id: a key of :data:`SERIES`.
        value: the observation in the series' unit; None (FRED's ".") stays None.

    Returns:
        The value in USD billions, or None.

    Raises:
        ConfigError: for an unknown series, or one not measured in USD (a rate in percent).
    """
    spec = series_unit(series_id)
    if spec.usd_bn_per_unit is None:
        raise ConfigError(
            f"FRED series {series_id!r} is in {spec.unit!r}, not USD: it has no USD-billions value"
        )
    return None if value is None else value * spec.usd_bn_per_unit


def fetch_observation_pages(
    http: HttpClient,
    base_url: str,
    series_id: str,
    api_key: SecretStr,
    start: date,
    end: date,
    page_size: int = PAGE_LIMIT,
    *,
    realtime: tuple[date, date] | None = None,
) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """Yield ``series/observations`` pages for one series, paging by offset.

    Args:
        http: the client; the key is added to its ``secrets`` so error bodies are scrubbed.
        base_url: e.g. ``https://api.stlouisfed.org``.
        series_id: the FRED series.
        api_key: the FRED key; it only ever leaves here as a query parameter.
        start / end: inclusive observation dates.
        page_size: the ``limit`` per page (the API allows up to 100000).
        realtime: ``(realtime_start, realtime_end)``; FRED then sends one row per value and
            real-time period (ALFRED vintages) instead of today's values only.

    Returns:
        An iterator of ``(body as received, decoded page)``; one request per page, made as
        the iterator is consumed.

    Raises:
        SourceAPIError: FRED answered with an error payload (e.g. HTTP 400 for a bad key).
        SourceHTTPError: the request failed after retries.
        SchemaDriftError: a page has no integer ``count``.
    """
    secret = api_key.get_secret_value()
    if secret and secret not in http.secrets:
        http.secrets.append(secret)
    params = {
        "series_id": series_id,
        "api_key": secret,
        "file_type": "json",
        "observation_start": start.isoformat(),
        "observation_end": end.isoformat(),
    }
    if realtime is not None:
        params["realtime_start"], params["realtime_end"] = (d.isoformat() for d in realtime)
    paginator = OffsetPaginator(SOURCE, limit=page_size)
    yield from paginate_bodies(http, base_url.rstrip("/") + ENDPOINT, params, paginator)


def observations_reader(series_id: str) -> JsonReader:
    """The SQL that types one series' spooled observation pages (values in the series' unit).

    Args:
        series_id: the series the pages were requested for (FRED does not echo it).

    Returns:
        A reader giving exactly ``CONTRACT.schema`` (plus ``_page``); "." values become null.
        Running it raises SchemaDriftError when ``observations`` is missing or not a list of
        objects, a field is missing or null, or a date/number does not parse.
    """
    return JsonReader(
        SOURCE,
        RECORDS_PATH,
        _observations_sql(series_id, checked=False),
        _observations_sql(series_id, checked=True),
    )


def _observations_sql(series_id: str, *, checked: bool) -> str:
    def field(name: str) -> str:
        return f"{RECORDS_PATH}.{name}"

    def day(name: str) -> str:
        return typed(
            SOURCE, field(name), f"o.{name}", "DATE", date_format=DATE_FORMAT, checked=checked
        )

    no_list = drift(SOURCE, "observations", "'expected a list'")
    value = typed(
        SOURCE,
        field("value"),
        "o.value",
        "DOUBLE",
        null_marker=MISSING_VALUE,
        checked=checked,
    )
    return f"""
        select
            {literal(series_id)} as series_id,
            {day("date")} as date,
            {value} as value,
            {day("realtime_start")} as realtime_start,
            {day("realtime_end")} as realtime_end,
            _page
        from (
            select
                unnest(case when observations is null then {no_list} else observations end)
                    as o,
                file_index as _page
            from {read_json_sql(PAGE_COLUMNS, records=True)}
        )
    """


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[RawPage]:
    """Fetch one series over ``[start, end]``, page bodies as received.

    Args:
        http: the shared client.
        settings: supplies ``fred_base_url`` and the FRED key.
        stream: a series id from :data:`STREAMS`.
        start / end: inclusive observation dates.

    Returns:
        An iterator of raw pages typed at load time by :func:`observations_reader`; a
        window with no observations yields nothing.

    Raises:
        ConfigError: the key is unset or the series is not in the registry.
        SourceAPIError / SourceHTTPError: as the fetch step.
        SchemaDriftError: a page without an observations list, or a record without a field.
    """
    series_unit(stream)
    api_key = settings.require_fred_key()
    pages = fetch_observation_pages(http, settings.fred_base_url, stream, api_key, start, end)
    yield from raw_pages(pages, stream)


def raw_pages(pages: Iterable[tuple[bytes, dict[str, Any]]], series_id: str) -> Iterator[RawPage]:
    """The raw pages of one series' ``series/observations`` responses, plain or ALFRED
    vintages alike (same wire rows): the ONE parser of FRED observations is
    :func:`observations_reader`, which types them at load time.

    Args:
        pages: ``(body as received, decoded page)`` as :func:`fetch_observation_pages` yields.
        series_id: the series the pages were requested for (FRED does not echo it).

    Returns:
        An iterator of raw pages; a page without observations yields nothing.

    Raises:
        SchemaDriftError: a page without an observations list, or a record without a field.
    """
    reader = observations_reader(series_id)
    for body, page in pages:
        observations = page.get("observations") if isinstance(page, dict) else None
        rows = check_records(SOURCE, observations, FIELD_MAP, RECORDS_PATH)
        if rows:
            yield RawPage(body, rows, reader)
