"""Coinbase candles: newest-first numeric rows, 300-candle windows, the open candle, errors."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request

from rotation_kernel.errors import SchemaDriftError, SourceAPIError
from sources import coinbase

from . import routes, wire

PRODUCT = "BTC-USD"
CANDLES_PATH = f"/products/{PRODUCT}/candles"
# 700 daily candles from 2022-01-01 (to 2023-12-01), closing 40000, 40001, ...
DAYS = routes.days(date(2022, 1, 1), 700)
CANDLES = [wire.coinbase_candle(day, 40_000.0 + i) for i, day in enumerate(DAYS)]
DAY_S = 86_400


def noon_s(day: date) -> int:
    return wire.epoch_s(day, 12, 0)


class TestParseCandles:
    def test_newest_first_rows_come_out_oldest_first_with_the_contract_schema(self):
        """Three candles sent newest first are typed, sorted by time, and keep low/high apart."""
        page = list(reversed(CANDLES[:3]))

        frame = coinbase.parse_candles(page, PRODUCT, noon_s(date(2022, 2, 1)))

        assert frame.schema == pl.Schema(coinbase.CONTRACT.schema)
        assert frame["date"].to_list() == DAYS[:3]
        assert frame.row(0, named=True) == {
            "product_id": "BTC-USD",
            "time": wire.epoch_s(date(2022, 1, 1), 0, 0),
            "date": date(2022, 1, 1),
            "low": 38_800.0,  # position 1 is the low (0.97 x close), not the open
            "high": 40_800.0,
            "open": 39_600.0,
            "close": 40_000.0,
            "volume": 1234.56789012,
        }

    def test_todays_open_candle_is_dropped(self):
        """At 12:00 UTC on 2022-01-03 the 01-03 candle is still open: two rows remain."""
        page = list(reversed(CANDLES[:3]))

        frame = coinbase.parse_candles(page, PRODUCT, noon_s(date(2022, 1, 3)))

        assert frame["date"].to_list() == [date(2022, 1, 1), date(2022, 1, 2)]

    def test_a_candle_whose_day_just_ended_is_kept(self):
        """now = time + 86400 exactly: the day is over and the candle stays."""
        frame = coinbase.parse_candles(CANDLES[:1], PRODUCT, CANDLES[0][0] + DAY_S)

        assert frame.height == 1

    def test_integer_prices_parse_as_floats(self):
        """A JSON integer price (43000) is a float in the frame, not drift."""
        candle = [wire.epoch_s(date(2022, 1, 1), 0, 0), 42_000, 44_000, 43_000, 43_500, 12]

        frame = coinbase.parse_candles([candle], PRODUCT, noon_s(date(2022, 2, 1)))

        assert frame.select("low", "high", "open", "close", "volume").row(0) == (
            42_000.0,
            44_000.0,
            43_000.0,
            43_500.0,
            12.0,
        )

    def test_an_empty_page_is_an_empty_frame(self):
        """[] (a window before the product listed) parses to a typed empty frame."""
        frame = coinbase.parse_candles([], PRODUCT, noon_s(date(2022, 2, 1)))

        assert frame.height == 0
        assert frame.schema == pl.Schema(coinbase.CONTRACT.schema)

    def test_a_candle_with_five_fields_is_schema_drift(self):
        """Five numbers where six belong raise SchemaDriftError naming candles[]."""
        short = [candle[:5] for candle in CANDLES[:2]]

        with pytest.raises(SchemaDriftError, match="6 fields") as info:
            coinbase.parse_candles(short, PRODUCT, noon_s(date(2022, 2, 1)))

        assert (info.value.source, info.value.field) == ("coinbase", "candles[]")

    def test_an_error_object_instead_of_rows_is_schema_drift(self):
        """{"message": ...} where the array belongs is drift, not an empty page."""
        with pytest.raises(SchemaDriftError, match="array of candles"):
            coinbase.parse_candles(wire.coinbase_error("NotFound"), PRODUCT, 0)


class TestFetchCandles:
    def test_700_days_come_in_300_day_windows_oldest_window_first(
        self, httpserver: HTTPServer, http, base_url
    ):
        """2022-01-01..2023-12-01 is three requests: 300, 300 and 100 candles."""
        httpserver.expect_request(CANDLES_PATH).respond_with_handler(
            routes.coinbase_candles(CANDLES)
        )

        pages = list(coinbase.fetch_candles(http, base_url, PRODUCT, DAYS[0], DAYS[-1]))

        assert [len(page) for page in pages] == [300, 300, 100]
        assert pages[0][0][0] > pages[0][-1][0]  # each page newest first, as sent
        args = [request.args for request, _ in httpserver.log]
        assert [(a["start"], a["end"]) for a in args] == [
            ("2022-01-01T00:00:00Z", "2022-10-27T23:59:59Z"),
            ("2022-10-28T00:00:00Z", "2023-08-23T23:59:59Z"),
            ("2023-08-24T00:00:00Z", "2023-12-01T23:59:59Z"),
        ]
        assert {a["granularity"] for a in args} == {"86400"}

    def test_a_window_wider_than_300_candles_is_refused_without_retry(
        self, httpserver: HTTPServer, http, base_url
    ):
        """Asking 301 days at once gets Coinbase's HTTP 400 message, raised after one request."""
        httpserver.expect_request(CANDLES_PATH).respond_with_handler(
            routes.coinbase_candles(CANDLES)
        )
        pages = coinbase.fetch_candles(http, base_url, PRODUCT, DAYS[0], DAYS[-1], window_days=301)

        with pytest.raises(SourceAPIError, match="exceeds 300") as info:
            next(pages)

        assert info.value.status == 400
        assert len(httpserver.log) == 1

    def test_an_unknown_product_raises_not_found_at_once(
        self, httpserver: HTTPServer, http, base_url
    ):
        """BNB-USD is not listed: HTTP 404 {"message": "NotFound"} is SourceAPIError."""
        httpserver.expect_request("/products/BNB-USD/candles").respond_with_json(
            wire.coinbase_error("NotFound"), status=404
        )

        with pytest.raises(SourceAPIError, match="NotFound") as info:
            list(coinbase.fetch_candles(http, base_url, "BNB-USD", DAYS[0], DAYS[10]))

        assert info.value.status == 404
        assert len(httpserver.log) == 1


class TestExtract:
    def test_frames_hold_every_finished_candle_of_the_window(
        self, httpserver: HTTPServer, http, settings
    ):
        """Mid-day on 2023-12-01 the 700-day window yields its 699 finished candles."""
        httpserver.expect_request(CANDLES_PATH).respond_with_handler(
            routes.coinbase_candles(CANDLES)
        )

        frames = list(
            coinbase.extract(
                http, settings, PRODUCT, DAYS[0], DAYS[-1], now_s=noon_s(date(2023, 12, 1))
            )
        )

        assert [f.height for f in frames] == [300, 300, 99]
        combined = pl.concat(frames)
        assert combined["date"].to_list() == DAYS[:-1]
        assert combined["close"][-1] == 40_698.0
        assert combined["product_id"].unique().to_list() == ["BTC-USD"]

    def test_candles_before_the_requested_start_are_left_out(
        self, httpserver: HTTPServer, http, settings
    ):
        """Coinbase may add candles preceding ``start``; only the window's days are kept."""

        def early_candles(request: Request):
            # Answers with the two days before the window too, as Coinbase documents it may.
            return routes.json_response(list(reversed(CANDLES[8:15])))

        httpserver.expect_request(CANDLES_PATH).respond_with_handler(early_candles)

        frames = list(
            coinbase.extract(
                http, settings, PRODUCT, DAYS[10], DAYS[14], now_s=noon_s(date(2023, 1, 1))
            )
        )

        assert frames[0]["date"].to_list() == DAYS[10:15]
