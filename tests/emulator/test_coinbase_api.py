"""Coinbase Exchange candles on the emulator: row order, 300-candle cap, products, USD prices."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import requests

from emulator import serve_emulator
from tests.emulator.conftest import TODAY

DAY_S = 86_400


def _s(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


class TestWire:
    def test_a_row_is_time_low_high_open_close_volume_as_numbers(self, coinbase):
        """Six numbers; time in epoch seconds; low and high come before open and close."""
        row = coinbase("BTC-USD", start="2024-01-01", end="2024-01-01").json()[0]
        time, low, high, open_, close, volume = row
        assert time == _s(date(2024, 1, 1))
        assert all(isinstance(v, int | float) for v in row)
        assert low <= min(open_, close) <= max(open_, close) <= high
        assert volume > 0

    def test_rows_come_newest_first(self, coinbase):
        """2024-01-01 .. 2024-01-10: ten rows from the 10th down to the 1st."""
        rows = coinbase("ETH-USD", start="2024-01-01T00:00:00Z", end="2024-01-10T00:00:00Z").json()
        assert [r[0] for r in rows] == [_s(date(2024, 1, 10)) - i * DAY_S for i in range(10)]

    def test_start_is_floored_to_the_day_and_both_ends_are_inclusive(self, coinbase):
        """start at noon still returns that day's candle; epoch seconds work as well as ISO."""
        rows = coinbase("SOL-USD", start=_s(date(2024, 3, 1)) + 43_200, end=_s(date(2024, 3, 3)))
        assert [r[0] for r in rows.json()] == [_s(date(2024, 3, d)) for d in (3, 2, 1)]


class TestLimits:
    def test_300_candles_are_served(self, coinbase):
        """2023-01-01 .. 2023-10-27 is exactly 300 days."""
        rows = coinbase("BTC-USD", start="2023-01-01", end="2023-10-27").json()
        assert len(rows) == 300

    def test_more_than_300_candles_are_refused_with_a_400(self, coinbase):
        """301 days: Coinbase's message, HTTP 400."""
        response = coinbase("BTC-USD", start="2023-01-01", end="2023-10-28")
        assert response.status_code == 400
        assert response.json() == {
            "message": "granularity too small for the requested time range. "
            "Count of aggregations requested exceeds 300"
        }

    @pytest.mark.parametrize(
        "params",
        [pytest.param({}, id="neither"), pytest.param({"start": "2020-01-01"}, id="only_start")],
    )
    def test_without_both_ends_the_newest_300_candles_come_back(self, coinbase, params):
        """One missing end makes Coinbase ignore both: the 300 newest, today's first."""
        rows = coinbase("XRP-USD", **params).json()
        assert len(rows) == 300
        assert rows[0][0] == _s(TODAY)
        assert rows[-1][0] == _s(TODAY) - 299 * DAY_S

    def test_an_unsupported_granularity_is_a_400(self, coinbase):
        """Only Coinbase's six granularities exist."""
        response = coinbase("BTC-USD", granularity=7200)
        assert (response.status_code, response.json()) == (
            400,
            {"message": "Unsupported granularity"},
        )


class TestProducts:
    @pytest.mark.parametrize(
        "product", ["BNB-USD", "BTC-USDT", "NOPE-USD"], ids=["bnb", "usdt_quote", "unknown"]
    )
    def test_an_unlisted_product_is_a_404_not_found(self, coinbase, product):
        """Coinbase has no BNB; its 404 body is {"message": "NotFound"}."""
        response = coinbase(product)
        assert (response.status_code, response.json()) == (404, {"message": "NotFound"})

    def test_nothing_before_the_listing_date(self, coinbase):
        """ADA-USD listed 2021-03-18: a window ending the day before is empty."""
        assert coinbase("ADA-USD", start="2021-03-01", end="2021-03-17").json() == []
        assert coinbase("ADA-USD", start="2021-03-01", end="2021-03-18").json()[0][0] == _s(
            date(2021, 3, 18)
        )

    @pytest.mark.parametrize(
        ("product", "symbol"),
        [
            pytest.param("BTC-USD", "BTCUSDT", id="btc"),
            pytest.param("ETH-USD", "ETHUSDT", id="eth"),
            pytest.param("SOL-USD", "SOLUSDT", id="sol"),
            pytest.param("XRP-USD", "XRPUSDT", id="xrp"),
            pytest.param("ADA-USD", "ADAUSDT", id="ada"),
            pytest.param("DOGE-USD", "DOGEUSDT", id="doge"),
            pytest.param("AVAX-USD", "AVAXUSDT", id="avax"),
            pytest.param("LINK-USD", "LINKUSDT", id="link"),
        ],
    )
    def test_usd_closes_track_binance_usdt_closes_within_a_few_basis_points(
        self, coinbase, klines, product, symbol
    ):
        """USDT ~ USD: over 60 days every close is within 0.3% and they are not identical."""
        start, end = date(2025, 3, 1), date(2025, 4, 29)
        usd = {r[0] * 1000: r[4] for r in coinbase(product, start=start, end=end).json()}
        usdt = {
            k[0]: float(k[4])
            for k in klines(symbol=symbol, startTime=_s(start) * 1000, limit=60).json()
        }
        assert usd.keys() == usdt.keys() and len(usd) == 60
        ratios = [usd[t] / usdt[t] for t in usd]
        assert all(abs(r - 1) < 0.003 for r in ratios)
        assert len({round(r, 6) for r in ratios}) > 30


class TestToday:
    def test_today_s_candle_is_unfinished_until_the_next_day(self, coinbase):
        """At 15:30 UTC, 15.5 of 24 hours have traded: that share of the final volume."""
        partial = coinbase("BTC-USD").json()[0]
        with serve_emulator(
            today=date(2025, 7, 12), now=datetime(2025, 7, 12, 6, tzinfo=UTC)
        ) as later:
            url = later.base_urls["coinbase_base_url"] + "/products/BTC-USD/candles"
            params = {"granularity": 86400, "start": "2025-07-11", "end": "2025-07-11"}
            finished = requests.get(url, params=params, timeout=5).json()[0]
        assert partial[0] == finished[0] == _s(TODAY)
        assert partial[3] == finished[3]  # same open
        assert partial[5] == pytest.approx(finished[5] * 15.5 / 24, rel=1e-6)
