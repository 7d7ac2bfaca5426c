"""Moving ``today`` forward only appends: every answer about the past stays the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import requests

from emulator import Emulator, serve_emulator

EARLIER = date(2024, 1, 10)
LATER = date(2025, 7, 11)


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Emulator, Emulator]]:
    with (
        serve_emulator(today=EARLIER, now=datetime(2024, 1, 10, 8, tzinfo=UTC)) as early,
        serve_emulator(today=LATER, now=datetime(2025, 7, 11, 8, tzinfo=UTC)) as late,
    ):
        yield early, late


def _both(pair, base: str, path: str, params: dict) -> tuple[dict, dict]:
    early, late = pair
    return tuple(
        requests.get(emu.base_urls[base] + path, params=params, timeout=10).json()
        for emu in (early, late)
    )


@pytest.mark.parametrize("series_id", ["WALCL", "RRPONTSYD", "WTREGEN"], ids=str.lower)
def test_fred_observations_before_the_earlier_today_are_unchanged(pair, series_id):
    """2015 .. 2023 observations are equal whether today is 2024-01-10 or 2025-07-11."""
    params = {"series_id": series_id, "api_key": "k", "file_type": "json",
              "observation_end": "2023-12-31"}  # fmt: skip
    early, late = _both(pair, "fred_base_url", "/fred/series/observations", params)
    strip = [(o["date"], o["value"]) for o in early["observations"]]
    assert strip == [(o["date"], o["value"]) for o in late["observations"]]
    assert early["count"] > 400


def test_dts_rows_before_the_earlier_today_are_unchanged(pair):
    """The 2023 statements are identical row for row."""
    params = {"filter": "record_date:gte:2023-01-01,record_date:lte:2023-12-31",
              "page[size]": 10000}  # fmt: skip
    early, late = _both(
        pair, "treasury_base_url", "/v1/accounting/dts/operating_cash_balance", params
    )
    assert early["data"] == late["data"]
    assert len(early["data"]) == 4 * 249  # 260 weekdays less 11 federal holidays in 2023


def test_yahoo_prices_before_the_earlier_today_are_unchanged(pair):
    """Raw OHLC of 2023 for ^RUT agree (adjclose of ETFs may move as new dividends arrive)."""
    params = {"period1": 1672531200, "period2": 1704067200, "interval": "1d"}  # calendar 2023
    early, late = _both(pair, "yahoo_base_url", "/v8/finance/chart/%5ERUT", params)
    quote = [r["chart"]["result"][0]["indicators"]["quote"] for r in (early, late)]
    assert quote[0] == quote[1] and len(quote[0][0]["close"]) == 250


def test_binance_candles_before_the_earlier_today_are_unchanged(pair):
    """The 2023 DOGE candles agree field for field."""
    params = {"symbol": "DOGEUSDT", "interval": "1d", "startTime": 1672531200000,
              "endTime": 1703980800000, "limit": 1000}  # fmt: skip
    early, late = _both(pair, "binance_base_url", "/api/v3/klines", params)
    assert early == late and len(early) == 365
