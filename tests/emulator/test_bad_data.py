"""Deliberately bad data: each kind corrupts exactly its one documented place, and only when on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import requests

from emulator import Emulator, serve_emulator
from emulator.bad_data import BAD_DATA_KINDS
from tests.emulator.conftest import NOW, TODAY

DAY_MS = 86_400_000


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _s(day: date) -> int:
    return _ms(day) // 1000


@pytest.fixture(scope="module")
def bad() -> Iterator[Emulator]:
    """Every kind switched on from the start; ``emu`` (conftest) serves the clean data."""
    with serve_emulator(today=TODAY, now=NOW, bad_data=BAD_DATA_KINDS) as running:
        yield running


def _klines(emu: Emulator, symbol: str, start: date, limit: int) -> list[list]:
    url = emu.base_urls["binance_base_url"] + "/api/v3/klines"
    params = {"symbol": symbol, "interval": "1d", "startTime": _ms(start), "limit": limit}
    return requests.get(url, params=params, timeout=5).json()


def _rut(emu: Emulator, first: date, last: date) -> dict:
    url = emu.base_urls["yahoo_base_url"] + "/v8/finance/chart/%5ERUT"
    params = {"period1": _s(first), "period2": _s(last), "interval": "1d"}
    return requests.get(url, params=params, timeout=5).json()["chart"]["result"][0]


def _walcl(emu: Emulator, path: str = "fred") -> dict[str, str]:
    if path == "fredgraph":
        url = emu.base_urls["fredgraph_base_url"] + "/graph/fredgraph.csv"
        params = {"id": "WALCL", "cosd": "2023-05-10", "coed": "2023-05-24"}
        lines = requests.get(url, params=params, timeout=5).text.splitlines()[1:]
        return dict(line.split(",") for line in lines)
    url = emu.base_urls["fred_base_url"] + "/fred/series/observations"
    params = {"series_id": "WALCL", "api_key": "k", "observation_start": "2023-05-10",
              "observation_end": "2023-05-24"}  # fmt: skip
    body = requests.get(url, params=params, timeout=5).json()
    return {o["date"]: o["value"] for o in body["observations"]}


def _dts_day(emu: Emulator, day: str) -> list[str]:
    url = emu.base_urls["treasury_base_url"] + "/v1/accounting/dts/operating_cash_balance"
    body = requests.get(url, params={"filter": f"record_date:eq:{day}"}, timeout=5).json()
    return [r["account_type"] for r in body["data"]]


class TestKinds:
    def test_there_are_six_kinds_each_with_a_one_line_description(self):
        """The public list the CLI exposes: six names, each described in one line."""
        assert list(BAD_DATA_KINDS) == [
            "duplicate_bars",
            "negative_price",
            "truncated_day",
            "fred_unit_error",
            "missing_tga_row",
            "archive_checksum_mismatch",
        ]
        assert all(text and "\n" not in text for text in BAD_DATA_KINDS.values())

    def test_an_unknown_kind_is_refused_when_serving_and_when_injecting(self, emu):
        """A typo fails loudly instead of silently serving clean data."""
        with (
            pytest.raises(ValueError, match="unknown bad-data kind"),
            serve_emulator(today=TODAY, bad_data=["duplicate_bar"]),
        ):
            pass
        with pytest.raises(ValueError, match="negative_prices"):
            emu.inject("negative_prices")
        assert emu.bad_data == frozenset()


class TestDuplicateBars:
    def test_btcusdt_sends_the_2023_03_15_kline_twice_in_one_page(self, bad, emu):
        """Asking for 3 candles from 03-14 gives 4: the 03-15 one twice, identical, adjacent."""
        dirty, clean = (
            _klines(bad, "BTCUSDT", date(2023, 3, 14), 3),
            _klines(emu, "BTCUSDT", date(2023, 3, 14), 3),
        )
        assert [k[0] for k in dirty] == [
            _ms(date(2023, 3, 14)),
            _ms(date(2023, 3, 15)),
            _ms(date(2023, 3, 15)),
            _ms(date(2023, 3, 16)),
        ]
        assert dirty[1] == dirty[2] == clean[1]
        assert [k[0] for k in clean] == [k[0] for k in dirty[:2]] + [dirty[3][0]]

    def test_other_symbols_have_no_duplicate(self, bad):
        """Only BTCUSDT is touched: ETHUSDT's 03-15 candle appears once."""
        times = [k[0] for k in _klines(bad, "ETHUSDT", date(2023, 3, 14), 3)]
        assert times == [_ms(date(2023, 3, 14)) + i * DAY_MS for i in range(3)]

    def test_rut_repeats_its_2023_03_15_bar_with_the_same_timestamp(self, bad, emu):
        """Mon 03-13 .. Fri 03-17: six bars instead of five, the Wednesday one twice."""
        dirty = _rut(bad, date(2023, 3, 13), date(2023, 3, 18))
        clean = _rut(emu, date(2023, 3, 13), date(2023, 3, 18))
        assert len(clean["timestamp"]) == 5
        wednesday = clean["timestamp"][2]  # 2023-03-15 09:30 New York
        assert dirty["timestamp"] == [*clean["timestamp"][:3], wednesday, *clean["timestamp"][3:]]
        close = dirty["indicators"]["quote"][0]["close"]
        assert close[2] == close[3] == clean["indicators"]["quote"][0]["close"][2]
        assert len(dirty["indicators"]["adjclose"][0]["adjclose"]) == 6


class TestNegativePrice:
    def test_rut_2023_06_14_has_a_negative_close_and_low(self, bad, emu):
        """The close is the clean close negated, the low equals it; the open and high stay."""
        dirty = _rut(bad, date(2023, 6, 14), date(2023, 6, 15))["indicators"]["quote"][0]
        clean = _rut(emu, date(2023, 6, 14), date(2023, 6, 15))["indicators"]["quote"][0]
        assert dirty["close"] == [-clean["close"][0]]
        assert dirty["low"] == dirty["close"]
        assert (dirty["open"], dirty["high"]) == (clean["open"], clean["high"])

    def test_the_days_around_it_are_clean(self, bad, emu):
        """06-13 and 06-15 are served exactly as without bad data."""
        for day in (date(2023, 6, 13), date(2023, 6, 15)):
            later = date.fromordinal(day.toordinal() + 1)
            assert _rut(bad, day, later)["indicators"] == _rut(emu, day, later)["indicators"]


class TestTruncatedDay:
    def test_ethusdt_skips_2023_09_20(self, bad):
        """Three candles from 09-19 jump from the 19th to the 21st: a one-day gap."""
        times = [k[0] for k in _klines(bad, "ETHUSDT", date(2023, 9, 19), 3)]
        assert times == [_ms(date(2023, 9, d)) for d in (19, 21, 22)]

    def test_btcusdt_keeps_2023_09_20(self, bad):
        """The gap is ETH's only."""
        times = [k[0] for k in _klines(bad, "BTCUSDT", date(2023, 9, 19), 3)]
        assert times == [_ms(date(2023, 9, d)) for d in (19, 20, 21)]


class TestFredUnitError:
    @pytest.mark.parametrize("path", ["fred", "fredgraph"], ids=["api", "fredgraph_csv"])
    def test_walcl_2023_05_17_is_1000_times_too_large(self, bad, emu, path):
        """The one Wednesday is x1000 (USD mn read as USD thousands); its neighbours are not."""
        dirty, clean = _walcl(bad, path), _walcl(emu, path)
        assert int(dirty["2023-05-17"]) == 1000 * int(clean["2023-05-17"])
        assert (dirty["2023-05-10"], dirty["2023-05-24"]) == (
            clean["2023-05-10"],
            clean["2023-05-24"],
        )

    def test_every_vintage_of_the_observation_carries_the_error(self, bad):
        """Over the full real-time range, each row of 2023-05-17 is above 1e9 (USD mn)."""
        url = bad.base_urls["fred_base_url"] + "/fred/series/observations"
        params = {"series_id": "WALCL", "api_key": "k", "observation_start": "2023-05-17",
                  "observation_end": "2023-05-17", "realtime_start": "2015-01-01",
                  "realtime_end": "9999-12-31"}  # fmt: skip
        rows = requests.get(url, params=params, timeout=5).json()["observations"]
        assert rows and all(float(r["value"]) > 1e9 for r in rows)


class TestMissingTgaRow:
    def test_2023_08_09_lacks_only_the_tga_closing_balance_row(self, bad, emu):
        """Three of the day's four rows remain; the day before keeps all four."""
        clean = _dts_day(emu, "2023-08-09")
        assert _dts_day(bad, "2023-08-09") == clean[:3]
        assert clean[3] == "Treasury General Account (TGA) Closing Balance"
        assert _dts_day(bad, "2023-08-08") == clean


class TestRuntimeSwitch:
    def test_inject_turns_a_kind_on_and_clear_turns_everything_off(self):
        """A clean emulator serves the negative ^RUT close only between inject and clear."""
        with serve_emulator(today=TODAY, now=NOW) as emu:

            def close() -> float:
                return _rut(emu, date(2023, 6, 14), date(2023, 6, 15))["indicators"]["quote"][0][
                    "close"
                ][0]

            before = close()
            emu.inject("negative_price")
            emu.inject("truncated_day")
            assert emu.bad_data == {"negative_price", "truncated_day"}
            assert close() == -before
            emu.clear_bad_data()
            assert (close(), emu.bad_data) == (before, frozenset())

    def test_a_kind_dated_after_today_changes_nothing(self):
        """With today 2023-01-31, the 2023-03-15 duplicate does not exist yet."""
        with serve_emulator(today=date(2023, 1, 31), bad_data=["duplicate_bars"]) as emu:
            times = [k[0] for k in _klines(emu, "BTCUSDT", date(2023, 1, 1), 1000)]
        assert len(times) == len(set(times)) == 31
