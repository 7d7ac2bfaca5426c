"""Which archive files an extraction window reads (sources.binance_archive)."""

from __future__ import annotations

from datetime import date

from sources.binance_archive import (
    ArchiveFile,
    files_for_window,
    next_uncovered_month,
    period_end,
)


def _monthly(year: int, month: int) -> ArchiveFile:
    label = f"{year}-{month:02d}"
    key = f"data/spot/monthly/klines/FTTUSDT/1d/FTTUSDT-1d-{label}.zip"
    return ArchiveFile(key, "FTTUSDT", "monthly", date(year, month, 1))


def _daily(day: date) -> ArchiveFile:
    key = f"data/spot/daily/klines/FTTUSDT/1d/FTTUSDT-1d-{day.isoformat()}.zip"
    return ArchiveFile(key, "FTTUSDT", "daily", day)


def test_a_monthly_file_ends_on_the_last_day_of_its_month_and_a_daily_file_on_its_day():
    assert period_end(_monthly(2024, 2)) == date(2024, 2, 29)
    assert period_end(_monthly(2022, 12)) == date(2022, 12, 31)
    assert period_end(_daily(date(2022, 6, 5))) == date(2022, 6, 5)


def test_complete_months_are_read_from_monthly_files_and_the_current_month_from_daily_files():
    monthly = [_monthly(2022, 9), _monthly(2022, 10), _monthly(2022, 11)]
    daily = [_daily(date(2022, 11, d)) for d in range(1, 31)]
    daily += [_daily(date(2022, 12, d)) for d in range(1, 6)]

    chosen = files_for_window(monthly, daily, date(2022, 10, 28), date(2022, 12, 3))

    assert [f.name for f in chosen] == [
        "FTTUSDT-1d-2022-10.zip",
        "FTTUSDT-1d-2022-11.zip",
        "FTTUSDT-1d-2022-12-01.zip",
        "FTTUSDT-1d-2022-12-02.zip",
        "FTTUSDT-1d-2022-12-03.zip",
    ]


def test_daily_files_are_listed_from_the_first_month_without_a_monthly_file():
    monthly = [_monthly(2022, 10), _monthly(2022, 11)]

    assert next_uncovered_month(monthly, date(2022, 10, 28)) == date(2022, 12, 1)
    assert next_uncovered_month(monthly, date(2022, 12, 2)) == date(2022, 12, 1)
    assert next_uncovered_month([], date(2022, 10, 28)) == date(2022, 10, 1)
