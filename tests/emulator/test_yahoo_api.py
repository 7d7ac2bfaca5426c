"""Yahoo chart v8 on the emulator: timestamps, meta, null-bar quirk, empty ranges and 404s."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

NEW_YORK = ZoneInfo("America/New_York")


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(), UTC).timestamp())


def _result(chart, symbol: str, start: date, end: date) -> dict:
    """Bars from ``start`` up to, not including, ``end`` (UTC midnights, as clients send)."""
    response = chart(symbol, period1=_epoch(start), period2=_epoch(end))
    assert response.status_code == 200
    return response.json()["chart"]["result"][0]


class TestBars:
    @pytest.mark.parametrize(
        ("day", "utc_hour"),
        [
            # 2025-03-07 is still EST (UTC-5): 09:30 New York = 14:30 UTC.
            pytest.param(date(2025, 3, 7), 14, id="est"),
            # 2025-03-10 is EDT (UTC-4) after the 03-09 switch: 09:30 New York = 13:30 UTC.
            pytest.param(date(2025, 3, 10), 13, id="edt"),
        ],
    )
    def test_timestamps_are_the_0930_new_york_open(self, chart, day, utc_hour):
        """The single bar of the day is stamped 09:30 local, whatever the DST state."""
        result = _result(chart, "^RUT", day, date.fromordinal(day.toordinal() + 1))
        assert result["timestamp"] == [_epoch(day) + utc_hour * 3600 + 30 * 60]

    def test_holidays_and_weekends_have_no_bar(self, chart):
        """2025-06-30 .. 2025-07-07: no bar on Friday 07-04 (holiday) or the weekend."""
        result = _result(chart, "SPY", date(2025, 6, 30), date(2025, 7, 8))
        days = [datetime.fromtimestamp(ts, NEW_YORK).date() for ts in result["timestamp"]]
        assert [d.day for d in days] == [30, 1, 2, 3, 7]

    def test_the_last_bar_is_today(self, chart):
        """With period2 in the future, the newest bar is 2025-07-11 (today, opened before now)."""
        result = _result(chart, "IWM", date(2025, 7, 1), date(2025, 8, 1))
        last = datetime.fromtimestamp(result["timestamp"][-1], NEW_YORK).date()
        assert last == date(2025, 7, 11)

    def test_prices_are_float32_values_as_yahoo_sends_them(self, chart):
        """Every close is exactly representable as float32 (e.g. 1198.800048828125)."""
        closes = _result(chart, "^GSPC", date(2024, 1, 1), date(2024, 2, 1))["indicators"]
        values = [v for v in closes["quote"][0]["close"] if v is not None]
        assert values == np.array(values, dtype=np.float32).astype(float).tolist()

    def test_etf_adjclose_is_below_close_in_the_past_and_index_adjclose_equals_close(self, chart):
        """Dividends paid since 2016 pull IWM's adjusted close below its close; ^RUT has none."""
        iwm = _result(chart, "IWM", date(2016, 1, 4), date(2016, 1, 9))["indicators"]
        rut = _result(chart, "^RUT", date(2016, 1, 4), date(2016, 1, 9))["indicators"]
        for adj, close in zip(iwm["adjclose"][0]["adjclose"], iwm["quote"][0]["close"]):
            assert adj < close * 0.95
        assert rut["adjclose"][0]["adjclose"] == rut["quote"][0]["close"]


class TestNullBars:
    def test_a_null_day_carries_null_in_every_quote_array_and_adjclose(self, emu, chart):
        """The market's flagged day comes back with five nulls and a null adjclose."""
        flagged = emu.market.equities["IWM"].filter(
            pl.col("is_null_bar") & (pl.col("date") < date(2025, 7, 1))
        )
        day = flagged["date"][0]
        result = _result(chart, "IWM", day, date.fromordinal(day.toordinal() + 1))
        quote = result["indicators"]["quote"][0]
        assert len(result["timestamp"]) == 1
        assert [quote[k] for k in ("open", "high", "low", "close", "volume")] == [[None]] * 5
        assert result["indicators"]["adjclose"] == [{"adjclose": [None]}]

    def test_null_days_are_rare(self, emu):
        """Fewer than 1% of IWM's bars are null, but there are some before 2025."""
        frame = emu.market.equities["IWM"].filter(pl.col("date") < date(2025, 1, 1))
        assert 0 < frame["is_null_bar"].sum() < 0.01 * frame.height


class TestMetaAndErrors:
    @pytest.mark.parametrize(
        ("symbol", "kind"),
        [
            pytest.param("^RUT", "INDEX", id="rut"),
            pytest.param("^GSPC", "INDEX", id="gspc"),
            pytest.param("IWM", "ETF", id="iwm"),
            pytest.param("SPY", "ETF", id="spy"),
        ],
    )
    def test_meta_describes_the_instrument_in_new_york_summer_time(self, chart, symbol, kind):
        """USD, America/New_York, EDT (-14400 s) for a July ``now``, and the instrument type."""
        meta = _result(chart, symbol, date(2025, 7, 7), date(2025, 7, 8))["meta"]
        assert (meta["symbol"], meta["currency"], meta["instrumentType"]) == (symbol, "USD", kind)
        assert (meta["exchangeTimezoneName"], meta["timezone"], meta["gmtoffset"]) == (
            "America/New_York",
            "EDT",
            -14400,
        )

    def test_a_range_without_bars_has_no_timestamp_and_an_empty_quote(self, chart):
        """The real empty shape: meta plus indicators.quote == [{}], no timestamp, no adjclose."""
        result = _result(chart, "SPY", date(2025, 7, 5), date(2025, 7, 7))  # a weekend
        assert "timestamp" not in result
        assert result["indicators"] == {"quote": [{}]}

    def test_an_unknown_symbol_is_a_404_with_yahoo_s_body(self, chart):
        """Yahoo's 'symbol may be delisted' error, HTTP 404."""
        response = chart("NOPE", period1=0, period2=1)
        assert response.status_code == 404
        assert response.json() == {
            "chart": {
                "result": None,
                "error": {
                    "code": "Not Found",
                    "description": "No data found, symbol may be delisted",
                },
            }
        }
