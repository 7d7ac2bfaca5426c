"""Treasury Daily Treasury Statement: operating cash balance (the TGA), kept as sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import ConfigError
from rotation_kernel.json_sql import (
    JsonReader,
    RawPage,
    check_records,
    drift,
    read_json_sql,
    required,
    typed,
)
from sources._pagination import PageNumberPaginator, paginate_bodies

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

SOURCE = "treasury"
RESOURCE = "operating_cash_balance"
ENDPOINT = "/v1/accounting/dts/operating_cash_balance"
PAGE_SIZE = 10_000
NULL_VALUE = "null"  # Fiscal Data sends a missing amount as the *string* "null"
DATE_FORMAT = "%Y-%m-%d"
RECORDS_PATH = "data[]"

# Wire field -> raw column. Every wire value is a string; amounts are USD millions.
FIELD_MAP: dict[str, str] = {
    "record_date": "record_date",
    "account_type": "account_type",
    "close_today_bal": "close_today_bal",
    "open_today_bal": "open_today_bal",
    "open_month_bal": "open_month_bal",
    "open_fiscal_year_bal": "open_fiscal_year_bal",
    "table_nbr": "table_nbr",
    "src_line_nbr": "src_line_nbr",
}
AMOUNT_FIELDS = ("close_today_bal", "open_today_bal", "open_month_bal", "open_fiscal_year_bal")
# How read_json reads a page: only these fields (an extra one is ignored), all as text.
PAGE_COLUMNS = "{data: 'STRUCT(" + ", ".join(f"{field} VARCHAR" for field in FIELD_MAP) + ")[]'}"

# The account names the TGA balance has been reported under. The parser keeps every row as
# sent; staging stitches the eras into one daily series with ERAS below, which the warehouse
# writes to meta.dts_eras (era_rows()) for staging.stg_treasury_tga to join: the era dates
# live here and nowhere else.
ACCOUNT_FEDERAL_RESERVE = "Federal Reserve Account"
ACCOUNT_TGA = "Treasury General Account (TGA)"
ACCOUNT_TGA_OPENING = "Treasury General Account (TGA) Opening Balance"
ACCOUNT_TGA_DEPOSITS = "Total TGA Deposits (Table II)"
ACCOUNT_TGA_WITHDRAWALS = "Total TGA Withdrawals (Table II) (-)"
ACCOUNT_TGA_CLOSING = "Treasury General Account (TGA) Closing Balance"

ERA_FEDERAL_RESERVE_ACCOUNT_LAST = date(2021, 9, 30)
ERA_TGA_FIRST = date(2021, 10, 1)
ERA_TGA_SPLIT_FIRST = date(2022, 4, 18)


@dataclass(frozen=True)
class AccountEra:
    """Where one era of the DTS reports the day's closing TGA balance."""

    name: str
    first_date: date | None  # None: from the start of the dataset
    last_date: date | None  # None: still current
    account_type: str
    balance_field: str


ERAS: tuple[AccountEra, ...] = (
    AccountEra(
        "federal_reserve_account",
        None,
        ERA_FEDERAL_RESERVE_ACCOUNT_LAST,
        ACCOUNT_FEDERAL_RESERVE,
        "close_today_bal",
    ),
    AccountEra("tga", ERA_TGA_FIRST, date(2022, 4, 17), ACCOUNT_TGA, "close_today_bal"),
    # From here close_today_bal is "null" on every row: the close sits in open_today_bal.
    AccountEra("tga_split", ERA_TGA_SPLIT_FIRST, None, ACCOUNT_TGA_CLOSING, "open_today_bal"),
)
STREAMS: tuple[str, ...] = (RESOURCE,)


def era_rows() -> list[tuple[str, date | None, date | None, str, str]]:
    """:data:`ERAS` as rows of ``meta.dts_eras`` (name, first_date, last_date, account_type,
    balance_field), the table staging.stg_treasury_tga joins; a None date is an open end."""
    return [(e.name, e.first_date, e.last_date, e.account_type, e.balance_field) for e in ERAS]


CONTRACT = LoadContract(
    source=SOURCE,
    resource=RESOURCE,
    schema={
        "record_date": pl.Date,
        "account_type": pl.Utf8,
        "close_today_bal": pl.Float64,
        "open_today_bal": pl.Float64,
        "open_month_bal": pl.Float64,
        "open_fiscal_year_bal": pl.Float64,
        "table_nbr": pl.Utf8,
        "src_line_nbr": pl.Int32,
    },
    primary_key=("record_date", "account_type"),
    disposition="merge",
    cursor="record_date",
    stream_key=None,
    initial_value=date(2015, 1, 1),
    lookback_days=7,
    reason="a statement is final once published; a week re-reads late or corrected days",
)


def fetch_operating_cash_balance(
    http: HttpClient, base_url: str, start: date, end: date, page_size: int = PAGE_SIZE
) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """Yield pages of operating cash balance rows with record dates in [start, end].

    Args:
        http: the shared client.
        base_url: e.g. ``https://api.fiscaldata.treasury.gov/services/api/fiscal_service``.
        start / end: inclusive record dates.
        page_size: ``page[size]`` (the API allows up to 10000).

    Returns:
        An iterator of ``(body as received, decoded page)``, following ``meta["total-pages"]``.

    Raises:
        SourceAPIError: an error payload such as ``{"error": "Invalid Query Param", ...}``.
        SourceHTTPError: the request failed after retries.
        SchemaDriftError: a page has no integer ``meta["total-pages"]``.
    """
    params = {
        "filter": f"record_date:gte:{start.isoformat()},record_date:lte:{end.isoformat()}",
        "sort": "record_date",
    }
    paginator = PageNumberPaginator(SOURCE, page_size=page_size)
    yield from paginate_bodies(http, base_url.rstrip("/") + ENDPOINT, params, paginator)


def cash_balance_reader() -> JsonReader:
    """The SQL that types spooled pages: every row as sent, amounts in USD millions.

    Returns:
        A reader giving exactly ``CONTRACT.schema`` (plus ``_page``); the string "null"
        becomes null. Running it raises SchemaDriftError when ``data`` is missing or not a
        list of objects, a field is missing from a row (every field is sent on every row,
        a missing amount as "null"), or a date/number does not parse.
    """
    return JsonReader(
        SOURCE, RECORDS_PATH, _cash_balance_sql(checked=False), _cash_balance_sql(checked=True)
    )


def _cash_balance_sql(*, checked: bool) -> str:
    def field(name: str) -> str:
        return f"{RECORDS_PATH}.{name}"

    def amount(name: str) -> str:
        return typed(
            SOURCE, field(name), f"r.{name}", "DOUBLE", null_marker=NULL_VALUE, checked=checked
        )

    no_list = drift(SOURCE, "data", "'expected a list'")
    record_date = typed(
        SOURCE,
        field("record_date"),
        "r.record_date",
        "DATE",
        date_format=DATE_FORMAT,
        checked=checked,
    )
    line = typed(SOURCE, field("src_line_nbr"), "r.src_line_nbr", "INTEGER", checked=checked)
    return f"""
        select
            {record_date} as record_date,
            {required(SOURCE, field("account_type"), "r.account_type")} as account_type,
            {", ".join(f"{amount(name)} as {FIELD_MAP[name]}" for name in AMOUNT_FIELDS)},
            {required(SOURCE, field("table_nbr"), "r.table_nbr")} as table_nbr,
            {line} as src_line_nbr,
            _page
        from (
            select
                unnest(case when data is null then {no_list} else data end) as r,
                file_index as _page
            from {read_json_sql(PAGE_COLUMNS, records=True)}
        )
    """


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[RawPage]:
    """Fetch the operating cash balance over ``[start, end]``, page bodies as received.

    Args:
        http: the shared client.
        settings: supplies ``treasury_base_url``.
        stream: ``"operating_cash_balance"``, the only stream.
        start / end: inclusive record dates.

    Returns:
        An iterator of raw pages typed at load time by :func:`cash_balance_reader`; a window
        with no statements (a weekend) yields nothing.

    Raises:
        ConfigError: for any other stream.
        SourceAPIError / SourceHTTPError: as the fetch step.
        SchemaDriftError: a page without a data list, or a row without a field.
    """
    if stream not in STREAMS:
        raise ConfigError(f"unknown Treasury DTS stream {stream!r}; known: {', '.join(STREAMS)}")
    reader = cash_balance_reader()
    for body, page in fetch_operating_cash_balance(http, settings.treasury_base_url, start, end):
        records = page.get("data") if isinstance(page, dict) else None
        rows = check_records(SOURCE, records, FIELD_MAP, RECORDS_PATH)
        if rows:
            yield RawPage(body, rows, reader)
