"""Small raw batches in the exact contract schemas, and a helper to validate one.

Every builder returns a clean batch that passes its whole suite; a test breaks one value and
checks that exactly the right expectation, stream and severity answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import polars as pl
import pytest

from expectations import BatchValidation, validate_batch
from rotation_kernel.contract import LoadContract
from sources import binance, fred, treasury_dts, yahoo_chart

DAY_MS = 86_400_000
RUN_ID = "test-run"


@pytest.fixture(scope="session", autouse=True)
def gx_engine():
    """Build the GX context and suites once for the whole session (GX setup is slow)."""
    from expectations.validate import warm_up

    warm_up()


def days(start: date, count: int, *, weekdays_only: bool = False) -> list[date]:
    """``count`` consecutive days (or Monday-Friday days) from ``start``."""
    out, day = [], start
    while len(out) < count:
        if not weekdays_only or day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def epoch_ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp()) * 1000


def klines(symbols: Iterable[str] = ("BTCUSDT", "ETHUSDT"), dates: list[date] | None = None):
    """Finished daily candles, exactly ``binance.CONTRACT.schema``."""
    dates = dates or days(date(2024, 3, 1), 6)
    rows = []
    for n, symbol in enumerate(symbols):
        for i, day in enumerate(dates):
            price = 100.0 * (n + 1) + i
            rows.append(
                {
                    "symbol": symbol,
                    "open_time": epoch_ms(day),
                    "date": day,
                    "open": price,
                    "high": price + 2.0,
                    "low": price - 2.0,
                    "close": price + 1.0,
                    "volume": 10.0 + i,
                    "close_time": epoch_ms(day) + DAY_MS - 1,
                    "quote_volume": 1000.0,
                    "trades": 50 + i,
                    "taker_buy_base": 5.0,
                    "taker_buy_quote": 500.0,
                }
            )
    return pl.DataFrame(rows, schema=dict(binance.CONTRACT.schema))


def chart(symbols: Iterable[str] = ("^RUT", "SPY"), dates: list[date] | None = None):
    """Daily bars on weekdays, exactly ``yahoo_chart.CONTRACT.schema``."""
    dates = dates or days(date(2024, 3, 1), 6, weekdays_only=True)
    rows = []
    for n, symbol in enumerate(symbols):
        for i, day in enumerate(dates):
            price = 2000.0 * (n + 1) + i
            rows.append(
                {
                    "symbol": symbol,
                    "date": day,
                    "ts": epoch_ms(day) // 1000 + 14 * 3600 + 1800,  # 09:30 New York
                    "open": price,
                    "high": price + 10.0,
                    "low": price - 10.0,
                    "close": price + 5.0,
                    "adjclose": price + 5.0,
                    "volume": 1_000_000 + i,
                    "currency": "USD",
                    "exchange_timezone": "America/New_York",
                }
            )
    return pl.DataFrame(rows, schema=dict(yahoo_chart.CONTRACT.schema))


def observations(series: dict[str, list[tuple[date, float | None]]], realtime: date):
    """FRED observations, exactly ``fred.CONTRACT.schema`` (None is FRED's ".")."""
    rows = [
        {
            "series_id": series_id,
            "date": day,
            "value": value,
            "realtime_start": realtime,
            "realtime_end": realtime,
        }
        for series_id, points in series.items()
        for day, value in points
    ]
    return pl.DataFrame(rows, schema=dict(fred.CONTRACT.schema))


def weekly(first_wednesday: date, values: list[float]) -> list[tuple[date, float]]:
    """Wednesday observations, one a week."""
    return [(first_wednesday + timedelta(weeks=i), v) for i, v in enumerate(values)]


def dts_rows(day: date, close_usd_mn: float | None, *, with_close: bool = True) -> list[dict]:
    """One day of the operating cash table, shaped like that day's era."""

    def row(account: str, close: float | None, opening: float | None, line: int) -> dict:
        return {
            "record_date": day,
            "account_type": account,
            "close_today_bal": close,
            "open_today_bal": opening,
            "open_month_bal": opening,
            "open_fiscal_year_bal": opening,
            "table_nbr": "I",
            "src_line_nbr": line,
        }

    if day >= treasury_dts.ERA_TGA_SPLIT_FIRST:
        rows = [
            row(treasury_dts.ACCOUNT_TGA_OPENING, None, 700_000.0, 1),
            row(treasury_dts.ACCOUNT_TGA_DEPOSITS, None, 30_000.0, 2),
            row(treasury_dts.ACCOUNT_TGA_WITHDRAWALS, None, 25_000.0, 3),
        ]
        close_row = row(treasury_dts.ACCOUNT_TGA_CLOSING, None, close_usd_mn, 4)
    else:
        account = (
            treasury_dts.ACCOUNT_TGA
            if day >= treasury_dts.ERA_TGA_FIRST
            else treasury_dts.ACCOUNT_FEDERAL_RESERVE
        )
        rows = [row("Total Operating Balance", 900_000.0, 880_000.0, 5)]
        close_row = row(account, close_usd_mn, 880_000.0, 1)
    return [*rows, close_row] if with_close else rows


def cash_table(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict(treasury_dts.CONTRACT.schema))


def validate(
    contract: LoadContract,
    frame: pl.DataFrame,
    *,
    window: tuple[date, date] | None = None,
    run_date: date | None = None,
) -> BatchValidation:
    """Validate with a window spanning the batch and a run date the day after its end."""
    dates = frame[contract.cursor]
    window = window or (dates.min(), dates.max())
    return validate_batch(
        contract,
        frame,
        run_id=RUN_ID,
        run_date=run_date or window[1] + timedelta(days=1),
        window=window,
    )


def failed(result: BatchValidation, severity: str = "block") -> dict[tuple[str, str | None], int]:
    """(expectation type, stream) -> rows failed, for every failed result of ``severity``."""
    return {
        (r.expectation.split("(")[0], r.stream): r.rows_failed
        for r in result.results
        if not r.success and r.severity == severity
    }


def set_value(frame: pl.DataFrame, column: str, value, **where) -> pl.DataFrame:
    """``frame`` with ``column`` set to ``value`` on the rows matching every ``where`` pair."""
    hit = pl.lit(True)
    for name, wanted in where.items():
        hit = hit & (pl.col(name) == wanted)
    dtype = frame.schema[column]
    return frame.with_columns(
        pl.when(hit).then(pl.lit(value, dtype)).otherwise(pl.col(column)).alias(column)
    )
