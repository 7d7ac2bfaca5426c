"""Yahoo chart v8: exchange-local dates, null bars, chart.error and the encoded symbol."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import SchemaDriftError, SourceAPIError
from sources import yahoo_chart as yahoo

from . import wire

RUT_PATH = "/v8/finance/chart/^RUT"  # the server decodes %5E; see the raw-URI test

# Three January 2024 sessions of ^RUT, stamped at the 09:30 New York open (14:30 UTC).
RUT_BARS = [
    (wire.epoch_s(date(2024, 1, 2)), 2012.5, 2020.0, 1990.25, 2008.75, 4_210_000_000),
    (wire.epoch_s(date(2024, 1, 3)), 2005.0, 2006.5, 1960.0, 1963.5, 4_380_000_000),
    (wire.epoch_s(date(2024, 1, 4)), 1965.0, 1985.0, 1962.0, 1968.25, 4_010_000_000),
]


class TestPeriodBounds:
    def test_period_covers_start_midnight_to_the_midnight_after_end_in_utc(self):
        """2024-01-02..2024-01-05 is [2024-01-02 00:00Z, 2024-01-06 00:00Z) in epoch s."""
        assert yahoo.period_bounds(date(2024, 1, 2), date(2024, 1, 5)) == (1704153600, 1704499200)


class TestChartUrl:
    def test_the_caret_is_url_encoded(self):
        """^RUT goes on the wire as %5ERUT."""
        url = yahoo.chart_url("https://query1.finance.yahoo.com/", "^RUT")

        assert url == "https://query1.finance.yahoo.com/v8/finance/chart/%5ERUT"


class TestParseChart:
    def test_returns_exactly_the_contract_schema(self):
        """A full response becomes typed rows with meta's currency and timezone."""
        frame = yahoo.parse_chart(
            wire.yahoo_chart("^RUT", RUT_BARS, adjclose=[2008.75, 1963.5, 1968.25]), "^RUT"
        )

        assert frame.schema == pl.Schema(yahoo.CONTRACT.schema)
        assert frame.row(0, named=True) == {
            "symbol": "^RUT",
            "date": date(2024, 1, 2),
            "ts": 1704205800,
            "open": 2012.5,
            "high": 2020.0,
            "low": 1990.25,
            "close": 2008.75,
            "adjclose": 2008.75,
            "volume": 4_210_000_000,
            "currency": "USD",
            "exchange_timezone": "America/New_York",
        }

    def test_bars_with_null_prices_are_dropped(self):
        """A timestamp whose quote values are null (no bar) leaves no row behind."""
        bars = [RUT_BARS[0], (RUT_BARS[1][0], None, None, None, None, None), RUT_BARS[2]]

        frame = yahoo.parse_chart(wire.yahoo_chart("^RUT", bars, adjclose=[1, None, 3]), "^RUT")

        assert frame["date"].to_list() == [date(2024, 1, 2), date(2024, 1, 4)]
        assert frame["adjclose"].to_list() == [1.0, 3.0]

    @pytest.mark.parametrize(
        ("timezone", "gmtoffset", "ts", "local_date"),
        [
            # 20:00 New York on 2 Jan 2024 is 01:00 UTC on 3 Jan: the trading date is the 2nd.
            pytest.param(
                "America/New_York",
                -18000,
                wire.epoch_s(date(2024, 1, 3), 1, 0),
                date(2024, 1, 2),
                id="new_york_evening",
            ),
            # 10:00 Sydney on 3 Jan 2024 (UTC+11 in summer) is 23:00 UTC on the 2nd.
            pytest.param(
                "Australia/Sydney",
                39600,
                wire.epoch_s(date(2024, 1, 2), 23, 0),
                date(2024, 1, 3),
                id="sydney_morning",
            ),
            # No zone name: the fixed gmtoffset (-5 h) still gives the New York date.
            pytest.param(
                None,
                -18000,
                wire.epoch_s(date(2024, 1, 3), 1, 0),
                date(2024, 1, 2),
                id="gmtoffset_fallback",
            ),
            # A zone name zoneinfo does not know falls back to gmtoffset too.
            pytest.param(
                "Mars/Olympus_Mons",
                -18000,
                wire.epoch_s(date(2024, 1, 3), 1, 0),
                date(2024, 1, 2),
                id="unknown_zone_fallback",
            ),
        ],
    )
    def test_date_is_the_exchange_local_date_not_the_utc_date(
        self, timezone, gmtoffset, ts, local_date
    ):
        """The row's date comes from the exchange's clock."""
        payload = wire.yahoo_chart(
            "^RUT", [(ts, 1.0, 1.0, 1.0, 1.0, 1)], timezone=timezone, gmtoffset=gmtoffset
        )

        frame = yahoo.parse_chart(payload, "^RUT")

        assert frame["date"].to_list() == [local_date]
        assert frame["ts"].to_list() == [ts]

    def test_a_result_without_timestamps_is_an_empty_frame(self):
        """No trading day in range: Yahoo omits "timestamp"; that is empty, not drift."""
        frame = yahoo.parse_chart(wire.yahoo_chart("^RUT", None), "^RUT")

        assert frame.height == 0
        assert frame.schema == pl.Schema(yahoo.CONTRACT.schema)

    def test_a_response_without_adjclose_gives_null_adjclose(self):
        """Some instruments carry no adjclose indicator; the column is then null."""
        frame = yahoo.parse_chart(wire.yahoo_chart("^RUT", RUT_BARS), "^RUT")

        assert frame["adjclose"].to_list() == [None, None, None]
        assert frame["close"].to_list() == [2008.75, 1963.5, 1968.25]

    def test_whole_number_prices_sent_as_json_integers_parse(self):
        """JSON may send 236 instead of 236.0; mixed ints and floats are fine."""
        bars = [(RUT_BARS[0][0], 236, 240.5, 230, 238, 1000)]

        frame = yahoo.parse_chart(wire.yahoo_chart("SPY", bars), "SPY")

        assert frame.select("open", "high", "low", "close").row(0) == (236.0, 240.5, 230.0, 238.0)

    def test_a_second_bar_on_the_same_local_day_keeps_the_later_one(self):
        """Quirk: a live session can come back as an extra bar; one row per date survives."""
        live = (RUT_BARS[2][0] + 3600, 1965.0, 1990.0, 1962.0, 1985.5, 2_000_000_000)

        frame = yahoo.parse_chart(wire.yahoo_chart("^RUT", [*RUT_BARS, live]), "^RUT")

        assert frame.height == 3
        assert frame.filter(pl.col("date") == date(2024, 1, 4))["close"].to_list() == [1985.5]

    def test_chart_error_raises_source_api_error_naming_the_symbol(self):
        """A payload with chart.error set is an error, with Yahoo's description."""
        with pytest.raises(SourceAPIError, match=r"'\^XYZ'.*Not Found: No data found"):
            yahoo.parse_chart(wire.yahoo_chart_error(), "^XYZ")

    def test_a_missing_quote_array_is_schema_drift(self):
        """A quote block without "close" raises SchemaDriftError naming that path."""
        payload = wire.yahoo_chart("^RUT", RUT_BARS)
        del payload["chart"]["result"][0]["indicators"]["quote"][0]["close"]

        with pytest.raises(SchemaDriftError, match="missing") as info:
            yahoo.parse_chart(payload, "^RUT")

        assert info.value.source == "yahoo"
        assert info.value.field == "chart.result[0].indicators.quote[0].close"

    def test_arrays_of_different_lengths_are_schema_drift(self):
        """timestamp and quote arrays must line up one to one."""
        payload = wire.yahoo_chart("^RUT", RUT_BARS)
        payload["chart"]["result"][0]["indicators"]["quote"][0]["volume"].pop()

        with pytest.raises(SchemaDriftError, match="lengths differ"):
            yahoo.parse_chart(payload, "^RUT")

    def test_prices_sent_as_strings_are_schema_drift(self):
        """Yahoo sends numbers; a string array means the format changed."""
        bars = [(RUT_BARS[0][0], "1.0", "1.0", "1.0", "1.0", 1)]

        with pytest.raises(SchemaDriftError, match="expected numbers, got String") as info:
            yahoo.parse_chart(wire.yahoo_chart("^RUT", bars), "^RUT")

        assert info.value.field == "chart.result[0].indicators.quote[0].open"


class TestFetchChart:
    def test_request_encodes_the_symbol_and_sends_the_period(
        self, httpserver: HTTPServer, http, base_url
    ):
        """One GET to /v8/finance/chart/%5ERUT with period1/period2 and 1d bars."""
        httpserver.expect_request(RUT_PATH).respond_with_json(wire.yahoo_chart("^RUT", RUT_BARS))

        pages = list(yahoo.fetch_chart(http, base_url, "^RUT", date(2024, 1, 2), date(2024, 1, 5)))

        assert len(pages) == 1
        request = httpserver.log[0][0]
        assert request.environ["RAW_URI"].startswith("/v8/finance/chart/%5ERUT?")
        assert request.args.to_dict() == {
            "period1": "1704153600",
            "period2": "1704499200",
            "interval": "1d",
            "includePrePost": "false",
            "events": "div|split",
        }

    def test_an_unknown_symbol_404_raises_once_naming_the_symbol(
        self, httpserver: HTTPServer, http, base_url
    ):
        """HTTP 404 with chart.error is SourceAPIError naming the symbol, not retried."""
        httpserver.expect_request("/v8/finance/chart/NOPE").respond_with_json(
            wire.yahoo_chart_error(), status=404
        )

        with pytest.raises(SourceAPIError, match=r"'NOPE'.*symbol may be delisted") as info:
            list(yahoo.fetch_chart(http, base_url, "NOPE", date(2024, 1, 2), date(2024, 1, 5)))

        assert info.value.status == 404
        assert len(httpserver.log) == 1


class TestExtract:
    def test_one_frame_per_symbol_window(self, httpserver: HTTPServer, http, settings):
        """^RUT over three sessions is one frame of three rows."""
        httpserver.expect_request(RUT_PATH).respond_with_json(wire.yahoo_chart("^RUT", RUT_BARS))

        frames = list(yahoo.extract(http, settings, "^RUT", date(2024, 1, 2), date(2024, 1, 4)))

        assert [f.height for f in frames] == [3]
        assert frames[0]["symbol"].unique().to_list() == ["^RUT"]

    def test_a_weekend_window_yields_nothing(self, httpserver: HTTPServer, http, settings):
        """Saturday and Sunday have no bars: no frame and no error."""
        httpserver.expect_request(RUT_PATH).respond_with_json(wire.yahoo_chart("^RUT", None))

        frames = list(yahoo.extract(http, settings, "^RUT", date(2024, 1, 6), date(2024, 1, 7)))

        assert frames == []
