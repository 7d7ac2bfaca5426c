"""Treasury Daily Treasury Statement: operating cash balance (the TGA), kept as sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.errors import ConfigError, SchemaDriftError
from flows.sources._contract import LoadContract
from flows.sources._pagination import PageNumberPaginator, paginate
from flows.sources._records import typed_columns, wire_frame

if TYPE_CHECKING:
    from flows.settings import Settings
    from flows.sources._http import HttpClient

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

# The account names the TGA balance has been reported under. The parser keeps every row as
# sent; staging stitches the eras into one daily series using these constants.
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
) -> Iterator[dict[str, Any]]:
    """Yield decoded pages of operating cash balance rows with record dates in [start, end].

    Args:
        http: the shared client.
        base_url: e.g. ``https://api.fiscaldata.treasury.gov/services/api/fiscal_service``.
        start / end: inclusive record dates.
        page_size: ``page[size]`` (the API allows up to 10000).

    Returns:
        An iterator of pages, following ``meta["total-pages"]``.

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
    yield from paginate(http, base_url.rstrip("/") + ENDPOINT, params, paginator)


def parse_operating_cash_balance(payload: dict[str, Any]) -> pl.DataFrame:
    """Turn one page into the raw frame: every row as sent, amounts in USD millions.

    Args:
        payload: one decoded page.

    Returns:
        A frame with exactly ``CONTRACT.schema``; the string "null" becomes null.

    Raises:
        SchemaDriftError: ``data`` is missing or not a list of objects, a field is missing
            from a row, or a date/number does not parse.
    """
    rows = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise SchemaDriftError(SOURCE, "data", "expected a list")
    if not rows:
        return CONTRACT.empty_frame()
    # Every field is sent on every row (a missing amount as "null"), so an absent key is drift.
    wire = wire_frame(SOURCE, rows, list(FIELD_MAP), RECORDS_PATH, orient="objects")
    amounts = {f: pl.col(f).replace(NULL_VALUE, None).cast(pl.Float64) for f in AMOUNT_FIELDS}
    columns = {
        "record_date": pl.col("record_date").str.to_date(DATE_FORMAT),
        "account_type": pl.col("account_type"),
        **amounts,
        "table_nbr": pl.col("table_nbr"),
        "src_line_nbr": pl.col("src_line_nbr").cast(pl.Int32),
    }
    renamed = {FIELD_MAP[field]: expr for field, expr in columns.items()}
    return typed_columns(SOURCE, wire, renamed, RECORDS_PATH).select(list(CONTRACT.schema))


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[pl.DataFrame]:
    """Fetch and parse the operating cash balance over ``[start, end]``, a frame per page.

    Args:
        http: the shared client.
        settings: supplies ``treasury_base_url``.
        stream: ``"operating_cash_balance"``, the only stream.
        start / end: inclusive record dates.

    Returns:
        An iterator of raw frames; a window with no statements (a weekend) yields nothing.

    Raises:
        ConfigError: for any other stream.
        SourceAPIError / SourceHTTPError / SchemaDriftError: as the fetch and parse steps.
    """
    if stream not in STREAMS:
        raise ConfigError(f"unknown Treasury DTS stream {stream!r}; known: {', '.join(STREAMS)}")
    for page in fetch_operating_cash_balance(http, settings.treasury_base_url, start, end):
        frame = parse_operating_cash_balance(page)
        if frame.height:
            yield frame
