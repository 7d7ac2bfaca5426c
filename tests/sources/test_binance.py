"""Binance klines: string numbers, the unfinished candle, time-cursor paging, error payloads."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from flows.errors import SchemaDriftError, SourceAPIError
from flows.sources import binance

from . import routes, wire

KLINES_PATH = "/api/v3/klines"
# Seven daily BTCUSDT candles from 2024-03-01 with closes 60000, 60100, ... 60600.
WEEK = [
    wire.kline(day, 60_000.0 + 100 * i) for i, day in enumerate(routes.days(date(2024, 3, 1), 7))
]
# 2024-03-08 00:00 UTC: every candle of WEEK has closed.
AFTER_WEEK_MS = wire.day_ms(date(2024, 3, 8))


class TestWindowMs:
    def test_window_covers_candles_opening_on_start_through_end(self):
        """2024-03-01..2024-03-07 is [03-01 00:00:00.000, 03-07 23:59:59.999] UTC in ms."""
        assert binance.window_ms(date(2024, 3, 1), date(2024, 3, 7)) == (
            wire.day_ms(date(2024, 3, 1)),
            wire.day_ms(date(2024, 3, 8)) - 1,
        )


class TestParseKlines:
    def test_returns_exactly_the_contract_schema_with_string_numbers_parsed(self):
        """Prices arrive as strings like "60000.00000000" and leave as floats."""
        frame = binance.parse_klines(WEEK[:1], "BTCUSDT", AFTER_WEEK_MS)

        assert frame.schema == pl.Schema(binance.CONTRACT.schema)
        row = frame.row(0, named=True)
        assert row["symbol"] == "BTCUSDT"
        assert row["open_time"] == wire.day_ms(date(2024, 3, 1))
        assert row["date"] == date(2024, 3, 1)
        assert row["close"] == 60_000.0
        assert row["open"] == pytest.approx(59_400.0)  # the builder opens 1 % below close
        assert row["close_time"] == wire.day_ms(date(2024, 3, 2)) - 1
        assert row["trades"] == 1000
        assert row["taker_buy_base"] == 600.25

    def test_the_unfinished_last_candle_is_dropped(self):
        """At 2024-03-07 12:00 UTC the 03-07 candle closes in the future: six rows remain."""
        noon_ms = wire.day_ms(date(2024, 3, 7)) + 12 * 3_600_000

        frame = binance.parse_klines(WEEK, "BTCUSDT", noon_ms)

        assert frame.height == 6
        assert frame["date"].max() == date(2024, 3, 6)

    def test_a_candle_closed_one_ms_ago_is_kept(self):
        """now = closeTime + 1 ms: the candle is finished and stays."""
        frame = binance.parse_klines(WEEK[:1], "BTCUSDT", WEEK[0][6] + 1)

        assert frame.height == 1

    def test_an_empty_page_is_an_empty_frame(self):
        """[] parses to a typed empty frame."""
        frame = binance.parse_klines([], "BTCUSDT", AFTER_WEEK_MS)

        assert frame.height == 0
        assert frame.schema == pl.Schema(binance.CONTRACT.schema)

    def test_a_kline_with_a_missing_field_is_schema_drift(self):
        """Eleven fields where twelve belong raise SchemaDriftError."""
        short = [k[:11] for k in WEEK[:2]]

        with pytest.raises(SchemaDriftError, match="12 fields") as info:
            binance.parse_klines(short, "BTCUSDT", AFTER_WEEK_MS)

        assert (info.value.source, info.value.field) == ("binance", "klines[]")

    def test_a_price_that_is_not_a_number_is_schema_drift(self):
        """A close of "n/a" raises SchemaDriftError naming klines[].close."""
        broken = list(WEEK[0])
        broken[4] = "n/a"

        with pytest.raises(SchemaDriftError, match="n/a") as info:
            binance.parse_klines([broken], "BTCUSDT", AFTER_WEEK_MS)

        assert info.value.field == "klines[].close"

    def test_an_error_object_instead_of_rows_is_schema_drift(self):
        """A JSON object where the klines array belongs is drift, not an empty page."""
        with pytest.raises(SchemaDriftError, match="array of klines"):
            binance.parse_klines(wire.binance_error(), "BTCUSDT", AFTER_WEEK_MS)


class TestFetchKlines:
    def test_paging_walks_forward_by_open_time_across_pages(
        self, httpserver: HTTPServer, http, base_url
    ):
        """Seven candles with limit 3: pages of 3, 3 and 1, each starting 1 ms after the last."""
        httpserver.expect_request(KLINES_PATH).respond_with_handler(routes.binance_klines(WEEK))

        pages = list(
            binance.fetch_klines(
                http, base_url, "BTCUSDT", date(2024, 3, 1), date(2024, 3, 7), page_size=3
            )
        )

        assert [len(p) for p in pages] == [3, 3, 1]
        args = [request.args for request, _ in httpserver.log]
        assert [int(a["startTime"]) for a in args] == [
            wire.day_ms(date(2024, 3, 1)),
            wire.day_ms(date(2024, 3, 3)) + 1,
            wire.day_ms(date(2024, 3, 6)) + 1,
        ]
        assert {a["endTime"] for a in args} == {str(wire.day_ms(date(2024, 3, 8)) - 1)}
        assert {(a["symbol"], a["interval"], a["limit"]) for a in args} == {("BTCUSDT", "1d", "3")}

    def test_an_invalid_symbol_raises_at_once(self, httpserver: HTTPServer, http, base_url):
        """HTTP 400 {"code": -1121} is SourceAPIError carrying Binance's message, no retry."""
        httpserver.expect_request(KLINES_PATH).respond_with_json(wire.binance_error(), status=400)

        with pytest.raises(SourceAPIError, match="Invalid symbol") as info:
            list(binance.fetch_klines(http, base_url, "BTCXYZ", date(2024, 3, 1), date(2024, 3, 7)))

        assert "-1121" in str(info.value)
        assert len(httpserver.log) == 1


class TestExtract:
    def test_frames_hold_the_finished_candles_of_the_window(
        self, httpserver: HTTPServer, http, settings
    ):
        """Mid-day on 03-07 the window 03-01..03-07 yields the six finished candles."""
        httpserver.expect_request(KLINES_PATH).respond_with_handler(routes.binance_klines(WEEK))
        noon_ms = wire.day_ms(date(2024, 3, 7)) + 12 * 3_600_000

        frames = list(
            binance.extract(
                http, settings, "BTCUSDT", date(2024, 3, 1), date(2024, 3, 7), now_ms=noon_ms
            )
        )

        assert [f.height for f in frames] == [6]
        assert frames[0]["close"].to_list() == [
            60_000.0,
            60_100.0,
            60_200.0,
            60_300.0,
            60_400.0,
            60_500.0,
        ]

    def test_a_window_with_only_the_open_candle_yields_nothing(
        self, httpserver: HTTPServer, http, settings
    ):
        """Today's candle alone is not yet data: no frame, no error."""
        httpserver.expect_request(KLINES_PATH).respond_with_handler(routes.binance_klines(WEEK))
        noon_ms = wire.day_ms(date(2024, 3, 7)) + 12 * 3_600_000

        frames = list(
            binance.extract(
                http, settings, "BTCUSDT", date(2024, 3, 7), date(2024, 3, 7), now_ms=noon_ms
            )
        )

        assert frames == []
