"""Kraken OHLC on the emulator: renamed pair keys, the 720-row window, `last`, HTTP-200 errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.emulator.conftest import TODAY

DAY_S = 86_400


def _s(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


class TestPairs:
    @pytest.mark.parametrize(
        ("pair", "key"),
        [
            pytest.param("XBTUSD", "XXBTZUSD", id="btc"),
            pytest.param("ETHUSD", "XETHZUSD", id="eth"),
            pytest.param("SOLUSD", "SOLUSD", id="sol"),
            pytest.param("XRPUSD", "XXRPZUSD", id="xrp"),
            pytest.param("ADAUSD", "ADAUSD", id="ada"),
            pytest.param("DOGEUSD", "XDGUSD", id="doge"),
            pytest.param("AVAXUSD", "AVAXUSD", id="avax"),
            pytest.param("LINKUSD", "LINKUSD", id="link"),
        ],
    )
    def test_the_result_is_keyed_by_kraken_s_own_pair_name(self, kraken, pair, key):
        """The key is not the name asked for (XBTUSD -> XXBTZUSD), next to `last`."""
        body = kraken(pair=pair, since=_s(TODAY) - DAY_S).json()
        assert body["error"] == []
        assert list(body["result"]) == [key, "last"]

    def test_the_kraken_key_itself_is_accepted_as_pair(self, kraken):
        """pair=XXBTZUSD answers like pair=XBTUSD."""
        assert kraken(pair="XXBTZUSD").json() == kraken(pair="XBTUSD").json()

    def test_an_unknown_pair_is_an_error_list_with_http_200(self, kraken):
        """Kraken reports errors in the body: EQuery:Unknown asset pair, status 200."""
        response = kraken(pair="BNBUSD")
        assert (response.status_code, response.json()) == (
            200,
            {"error": ["EQuery:Unknown asset pair"]},
        )

    @pytest.mark.parametrize(
        "params",
        [
            pytest.param({"pair": ""}, id="no_pair"),
            pytest.param({"pair": "XBTUSD", "since": "yesterday"}, id="bad_since"),
            pytest.param({"pair": "XBTUSD", "interval": 7}, id="bad_interval"),
        ],
    )
    def test_invalid_arguments_are_an_egeneral_error_with_http_200(self, kraken, params):
        """Bad parameters answer 200 with an EGeneral:Invalid arguments entry."""
        response = kraken(**params)
        assert response.status_code == 200
        assert response.json()["error"][0].startswith("EGeneral:Invalid arguments")


class TestWire:
    def test_an_entry_is_time_five_price_strings_volume_string_and_count(self, kraken):
        """[time, open, high, low, close, vwap, volume, count]; XBT prices have one decimal."""
        rows = kraken(pair="XBTUSD", since=_s(date(2025, 7, 1))).json()["result"]["XXBTZUSD"]
        time, *strings, count = rows[0]
        assert time == _s(date(2025, 7, 2))
        assert all(isinstance(v, str) for v in strings) and isinstance(count, int)
        open_, high, low, close, vwap = (float(v) for v in strings[:5])
        assert all(len(v.split(".")[1]) == 1 for v in strings[:5])
        assert len(strings[5].split(".")[1]) == 8  # volume
        assert low <= min(open_, close, vwap) <= max(open_, close, vwap) <= high

    def test_doge_prices_carry_seven_decimals(self, kraken):
        """Each pair has its own price precision."""
        row = kraken(pair="DOGEUSD").json()["result"]["XDGUSD"][-1]
        assert len(row[4].split(".")[1]) == 7


class TestWindow:
    def test_only_the_720_most_recent_candles_exist_whatever_since_says(self, kraken):
        """since=0 (or any old time) still starts 719 days before today."""
        for since in (0, _s(date(2020, 1, 1))):
            rows = kraken(pair="ETHUSD", since=since).json()["result"]["XETHZUSD"]
            assert len(rows) == 720
            assert (rows[0][0], rows[-1][0]) == (_s(TODAY) - 719 * DAY_S, _s(TODAY))

    def test_since_keeps_the_candles_after_it(self, kraken):
        """since = 2025-07-08 00:00 returns the 9th, 10th and today's (the 11th)."""
        rows = kraken(pair="XBTUSD", since=_s(date(2025, 7, 8))).json()["result"]["XXBTZUSD"]
        assert [r[0] for r in rows] == [_s(date(2025, 7, d)) for d in (9, 10, 11)]

    def test_last_is_the_newest_committed_candle_as_a_string(self, kraken):
        """Today's candle is unfinished, so `last` is yesterday's time, sent as a string."""
        result = kraken(pair="XBTUSD").json()["result"]
        assert result["last"] == str(_s(TODAY) - DAY_S)

    def test_the_unfinished_candle_is_always_present(self, kraken):
        """Polling with since=last returns just the current, unfinished day."""
        last = kraken(pair="SOLUSD").json()["result"]["last"]
        rows = kraken(pair="SOLUSD", since=last).json()["result"]["SOLUSD"]
        assert [r[0] for r in rows] == [_s(TODAY)]

    def test_kraken_closes_track_binance_within_half_a_percent(self, kraken, klines):
        """USD vs USDT: the same market, a few basis points apart."""
        rows = kraken(pair="ADAUSD", since=_s(date(2025, 6, 1))).json()["result"]["ADAUSD"][:-1]
        usdt = {
            k[0] // 1000: float(k[4])
            for k in klines(symbol="ADAUSDT", startTime=_s(date(2025, 6, 2)) * 1000).json()
        }
        assert len(rows) == 39
        assert all(abs(float(r[4]) / usdt[r[0]] - 1) < 0.005 for r in rows)
