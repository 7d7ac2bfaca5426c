"""Binance USD-M futures on the emulator: funding history, mark/index klines, the leverage flush."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
import requests

from emulator import serve_emulator
from tests.emulator.conftest import NOW, TODAY

DAY_MS = 86_400_000
SLOT_MS = 8 * 3_600_000


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def after_flush():
    """A GET helper on an emulator whose today (2025-10-20) is after the leverage flush."""
    with (
        serve_emulator(today=date(2025, 10, 20)) as emu,
        requests.Session() as session,
    ):
        root = emu.base_urls["binance_futures_base_url"] + "/fapi/v1/"
        yield lambda endpoint, **params: session.get(root + endpoint, params=params)


def _funding(futures, symbol: str, start: date, end: date) -> list[dict]:
    """Every record of [start, end), paging by the last fundingTime + 1 ms."""
    out, cursor = [], _ms(start)
    while True:
        page = futures(
            "fundingRate", symbol=symbol, startTime=cursor, endTime=_ms(end) - 1, limit=1000
        ).json()
        out.extend(page)
        if len(page) < 1000:
            return out
        cursor = page[-1]["fundingTime"] + 1


class TestFundingWire:
    def test_a_record_has_binance_s_fields_with_string_rate_and_mark_price(self, futures):
        """symbol, fundingTime (ms), fundingRate and markPrice as 8-decimal strings, rateType."""
        record = futures("fundingRate", symbol="BTCUSDT", startTime=_ms(date(2025, 1, 1)), limit=1)
        (row,) = record.json()
        assert list(row) == ["symbol", "fundingTime", "fundingRate", "markPrice", "rateType"]
        assert row["symbol"] == "BTCUSDT" and row["rateType"] == "Regular"
        assert 0 <= row["fundingTime"] - _ms(date(2025, 1, 1)) < 10
        assert len(row["fundingRate"].split(".")[1]) == 8
        assert float(row["markPrice"]) > 0

    def test_settlements_come_every_8_hours_ascending_some_a_few_ms_late(self, futures):
        """00:00, 08:00, 16:00 UTC; fundingTime is at most 9 ms after the slot, and sometimes is."""
        rows = _funding(futures, "ETHUSDT", date(2024, 1, 1), date(2024, 3, 1))
        times = np.array([r["fundingTime"] for r in rows])
        slots = times - times % SLOT_MS
        assert len(rows) == 3 * 60  # Jan + Feb 2024
        assert np.array_equal(slots, _ms(date(2024, 1, 1)) + SLOT_MS * np.arange(180))
        lateness = times - slots
        assert lateness.max() <= 9 and 0.2 < (lateness > 0).mean() < 0.6

    def test_old_records_send_an_empty_mark_price(self, futures):
        """Before mid-2023 the markPrice field is "" (Binance never backfilled it)."""
        old = _funding(futures, "BTCUSDT", date(2022, 1, 1), date(2022, 1, 2))
        new = _funding(futures, "BTCUSDT", date(2024, 1, 1), date(2024, 1, 2))
        assert [r["markPrice"] for r in old] == ["", "", ""]
        assert all(float(r["markPrice"]) > 0 for r in new)

    def test_limit_defaults_to_100_and_is_capped_at_1000(self, futures):
        """Without a window, the newest 100; limit=5000 gives 1000."""
        newest = futures("fundingRate", symbol="SOLUSDT").json()
        assert len(newest) == 100
        assert (
            newest[-1]["fundingTime"] - newest[-1]["fundingTime"] % SLOT_MS == _ms(TODAY) + SLOT_MS
        )
        assert len(futures("fundingRate", symbol="SOLUSDT", startTime=0, limit=5000).json()) == 1000

    def test_only_settled_funding_is_served(self, futures):
        """At 15:30 UTC today's 16:00 settlement has not happened yet."""
        last = futures("fundingRate", symbol="BTCUSDT", limit=1).json()[-1]
        assert (
            last["fundingTime"] // SLOT_MS * SLOT_MS
            == _ms(TODAY) + SLOT_MS
            < NOW.timestamp() * 1000
        )

    def test_history_starts_at_the_first_settlement(self, futures):
        """BTCUSDT's first funding record is 2019-09-13 08:00 UTC, without a mark price."""
        (first,) = futures("fundingRate", symbol="BTCUSDT", startTime=0, limit=1).json()
        assert first["fundingTime"] // SLOT_MS * SLOT_MS == _ms(date(2019, 9, 13)) + SLOT_MS
        assert first["markPrice"] == ""

    def test_without_a_symbol_every_perpetual_comes_merged_by_time(self, futures):
        """One slot of 2024-05-01 holds nine records, one per listed perpetual."""
        rows = futures(
            "fundingRate", startTime=_ms(date(2024, 5, 1)), endTime=_ms(date(2024, 5, 1)) + 9
        ).json()
        assert sorted(r["symbol"] for r in rows) == sorted(
            ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT",
             "AVAXUSDT", "LINKUSDT"]
        )  # fmt: skip
        assert [r["fundingTime"] for r in rows] == sorted(r["fundingTime"] for r in rows)

    def test_an_unknown_symbol_is_code_minus_1121(self, futures):
        """Binance's error body, HTTP 400."""
        response = futures("fundingRate", symbol="NOPEUSDT")
        assert (response.status_code, response.json()) == (
            400,
            {"code": -1121, "msg": "Invalid symbol."},
        )


class TestFundingShape:
    def test_calm_markets_print_exactly_the_interest_rate(self, futures):
        """Binance's clamp: a small premium gives exactly 0.01% per 8 h, often."""
        rows = _funding(futures, "BTCUSDT", date(2024, 1, 1), date(2025, 1, 1))
        share = np.mean([r["fundingRate"] == "0.00010000" for r in rows])
        assert 0.2 < share < 0.9

    def test_funding_is_higher_in_uptrends_than_in_downtrends(self, futures, klines):
        """Mean funding on days after a 30-day rise of >15% beats days after a >15% fall."""
        start, end = date(2021, 1, 1), date(2025, 7, 1)
        rows = _funding(futures, "BTCUSDT", start, end)
        daily = np.array([float(r["fundingRate"]) for r in rows]).reshape(-1, 3).mean(axis=1)
        closes = []
        cursor = _ms(date(2020, 12, 1))
        while cursor < _ms(end):
            page = klines(symbol="BTCUSDT", startTime=cursor, endTime=_ms(end) - 1, limit=1000)
            closes.extend(float(k[4]) for k in page.json())
            cursor = _ms(end) if len(page.json()) < 1000 else page.json()[-1][0] + 1
        log_close = np.log(closes)
        offset = (start - date(2020, 12, 1)).days
        momentum = log_close[offset - 1 : -1] - log_close[offset - 31 : -31]
        assert len(momentum) == len(daily)
        assert daily[momentum > 0.15].mean() > 0.0001 > daily[momentum < -0.15].mean()

    def test_the_2025_10_10_leverage_flush_is_the_deepest_day_after_a_spike(self, after_flush):
        """Funding runs hot into October 10 2025, then turns deeply negative that day."""
        rows = _funding(after_flush, "BTCUSDT", date(2025, 9, 1), date(2025, 10, 21))
        by_day: dict[str, list[float]] = {}
        for r in rows:
            day = datetime.fromtimestamp(r["fundingTime"] / 1000, UTC).date().isoformat()
            by_day.setdefault(day, []).append(float(r["fundingRate"]))
        mean = {d: sum(v) / len(v) for d, v in by_day.items()}
        assert min(mean, key=mean.get) == "2025-10-10"
        assert mean["2025-10-10"] < -0.0008
        assert max(max(by_day[f"2025-10-0{d}"]) for d in range(3, 10)) > 0.0005


class TestPriceKlines:
    def test_a_mark_kline_has_twelve_fields_with_zero_volumes(self, futures):
        """Like spot klines, but volume fields are "0" and the count is basic data points."""
        (kline,) = futures(
            "markPriceKlines", symbol="BTCUSDT", interval="1d", startTime=_ms(date(2024, 1, 1)),
            limit=1,
        ).json()  # fmt: skip
        assert kline[0] == _ms(date(2024, 1, 1)) and kline[6] == kline[0] + DAY_MS - 1
        assert [kline[5], kline[7], *kline[9:]] == ["0"] * 5
        assert kline[8] == 86_400  # one basic data point per second
        o, h, low, c = (float(v) for v in kline[1:5])
        assert low <= min(o, c) <= max(o, c) <= h

    def test_index_klines_take_pair_not_symbol(self, futures):
        """indexPriceKlines?symbol= is a -1102 for the missing 'pair', as on Binance."""
        response = futures("indexPriceKlines", symbol="BTCUSDT", interval="1d")
        assert response.status_code == 400
        assert response.json()["code"] == -1102 and "'pair'" in response.json()["msg"]
        assert futures("indexPriceKlines", pair="BTCUSDT", interval="1d").status_code == 200

    def test_limit_defaults_to_500_and_is_capped_at_1500(self, futures):
        """Mark klines page at most 1500 days."""
        assert len(futures("markPriceKlines", symbol="ETHUSDT", interval="1d").json()) == 500
        many = futures("markPriceKlines", symbol="ETHUSDT", interval="1d", startTime=0, limit=9999)
        assert len(many.json()) == 1500
        assert many.json()[0][0] == _ms(date(2019, 11, 27))  # the ETH perpetual's listing

    def test_the_index_tracks_spot_and_the_basis_is_a_few_basis_points(self, futures, klines):
        """Through 2024: index close within 2 bp of spot; |mark/index - 1| under 25 bp."""
        params = {"interval": "1d", "startTime": _ms(date(2024, 1, 1)), "limit": 366}
        index = futures("indexPriceKlines", pair="BTCUSDT", **params).json()
        mark = futures("markPriceKlines", symbol="BTCUSDT", **params).json()
        spot = klines(symbol="BTCUSDT", **params).json()
        i, m, s = (np.array([float(k[4]) for k in rows]) for rows in (index, mark, spot))
        assert np.abs(i / s - 1).max() < 0.0002
        basis = m / i - 1
        assert np.abs(basis).max() < 0.0025 and 0.0001 < np.abs(basis).mean() < 0.001

    def test_the_flush_day_s_mark_wicks_two_percent_under_the_index(self, after_flush):
        """2025-10-10: mark low about 2% below index low; the day before, within the basis."""
        params = {"interval": "1d", "startTime": _ms(date(2025, 10, 9)), "limit": 2}
        index = after_flush("indexPriceKlines", pair="SOLUSDT", **params).json()
        mark = after_flush("markPriceKlines", symbol="SOLUSDT", **params).json()
        wick = [float(m[3]) / float(i[3]) - 1 for m, i in zip(mark, index, strict=True)]
        assert abs(wick[0]) < 0.003
        assert wick[1] == pytest.approx(-0.02, abs=0.003)

    def test_today_s_kline_is_unfinished(self, futures):
        """At 15:30 UTC the day has 55,800 basic data points so far."""
        last = futures("markPriceKlines", symbol="BTCUSDT", interval="1d", limit=1).json()[-1]
        assert (last[0], last[8]) == (_ms(TODAY), 55_800)
