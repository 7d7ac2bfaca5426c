"""Binance klines on the emulator: wire shape, time windows, listing dates, unfinished candle."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import requests

from emulator import serve_emulator
from tests.emulator.conftest import NOW, TODAY

DAY_MS = 86_400_000


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


class TestWire:
    def test_a_kline_has_twelve_fields_with_8_decimal_strings(self, klines):
        """openTime, 4 prices, volume, closeTime, quote volume, trades, 2 taker fields, ignore."""
        kline = klines(symbol="BTCUSDT", startTime=_ms(date(2024, 1, 1)), limit=1).json()[0]
        assert len(kline) == 12
        assert kline[0] == _ms(date(2024, 1, 1))
        assert kline[6] == kline[0] + DAY_MS - 1
        assert isinstance(kline[8], int)
        for price in [*kline[1:6], kline[7], kline[9], kline[10]]:
            assert isinstance(price, str) and len(price.split(".")[1]) == 8
        low, high = float(kline[3]), float(kline[2])
        assert 0 < low <= min(float(kline[1]), float(kline[4]))
        assert high >= max(float(kline[1]), float(kline[4]))

    def test_an_unknown_symbol_is_a_400_with_code_minus_1121(self, klines):
        """Binance's own error body."""
        response = klines(symbol="NOPEUSDT")
        assert response.status_code == 400
        assert response.json() == {"code": -1121, "msg": "Invalid symbol."}


class TestWindows:
    def test_start_and_end_select_open_times_inclusively_in_ascending_order(self, klines):
        """2024-01-01 .. 2024-01-10 inclusive: ten daily candles, oldest first."""
        rows = klines(
            symbol="ETHUSDT", startTime=_ms(date(2024, 1, 1)), endTime=_ms(date(2024, 1, 10))
        ).json()
        assert [r[0] for r in rows] == [_ms(date(2024, 1, 1)) + i * DAY_MS for i in range(10)]

    def test_limit_defaults_to_500_and_is_capped_at_1000(self, klines):
        """From the listing date forward: 500 by default, never more than 1000."""
        assert len(klines(symbol="BTCUSDT", startTime=0).json()) == 500
        assert len(klines(symbol="BTCUSDT", startTime=0, limit=5000).json()) == 1000

    def test_without_a_start_the_newest_candles_come_back(self, klines):
        """No startTime: the last ``limit`` candles, ending with today's."""
        rows = klines(symbol="SOLUSDT", limit=3).json()
        assert [r[0] for r in rows] == [_ms(TODAY) - 2 * DAY_MS, _ms(TODAY) - DAY_MS, _ms(TODAY)]

    @pytest.mark.parametrize(
        ("symbol", "listing"),
        [
            pytest.param("BTCUSDT", date(2017, 8, 17), id="btc"),
            pytest.param("ETHUSDT", date(2017, 8, 17), id="eth"),
            pytest.param("BNBUSDT", date(2017, 11, 6), id="bnb"),
            pytest.param("ADAUSDT", date(2018, 4, 17), id="ada"),
            pytest.param("XRPUSDT", date(2018, 5, 4), id="xrp"),
            pytest.param("LINKUSDT", date(2019, 1, 16), id="link"),
            pytest.param("DOGEUSDT", date(2019, 7, 5), id="doge"),
            pytest.param("SOLUSDT", date(2020, 8, 11), id="sol"),
            pytest.param("AVAXUSDT", date(2020, 9, 22), id="avax"),
        ],
    )
    def test_candles_start_on_the_listing_date(self, klines, symbol, listing):
        """Asking from the epoch returns the listing day's candle first."""
        first = klines(symbol=symbol, startTime=0, limit=1).json()[0]
        assert first[0] == _ms(listing)


class TestUnfinishedCandle:
    def test_today_s_candle_closes_in_the_future(self, klines):
        """The last candle opened today at 00:00 UTC; its closeTime is after ``now``."""
        last = klines(symbol="BTCUSDT", limit=1).json()[-1]
        assert last[0] == _ms(TODAY)
        assert last[6] == _ms(TODAY) + DAY_MS - 1 > NOW.timestamp() * 1000

    def test_the_partial_candle_becomes_the_full_one_the_next_day(self, klines):
        """At 15:30 the day's volume is a fraction of what the finished candle reports."""
        partial = klines(symbol="BTCUSDT", limit=1).json()[-1]
        tomorrow = datetime(2025, 7, 12, 6, tzinfo=UTC)
        with serve_emulator(today=date(2025, 7, 12), now=tomorrow) as later:
            url = later.base_urls["binance_base_url"] + "/api/v3/klines"
            params = {"symbol": "BTCUSDT", "interval": "1d", "startTime": _ms(TODAY), "limit": 1}
            finished = requests.get(url, params=params, timeout=5).json()[0]
        assert finished[0] == partial[0] and finished[1] == partial[1]  # same open time and open
        # 15.5 of 24 hours have traded: the partial volume is 15.5/24 of the final volume.
        assert float(partial[5]) == pytest.approx(float(finished[5]) * 15.5 / 24, rel=1e-6)
        assert partial[8] < finished[8]
