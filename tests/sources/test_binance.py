"""Binance klines: string numbers, the unfinished candle, time-cursor paging, error payloads."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import SchemaDriftError, SourceAPIError
from sources import binance

from . import routes, wire
from .pages import typed_pages, typed_raw

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


def typed(tmp_path, now_ms, *pages, symbol="BTCUSDT"):
    return typed_pages(binance.CONTRACT, binance.klines_reader(symbol, now_ms), tmp_path, *pages)


class TestKlinesReader:
    def test_returns_exactly_the_contract_schema_with_string_numbers_parsed(self, tmp_path):
        """Prices arrive as strings like "60000.00000000" and leave as floats."""
        frame = typed(tmp_path, AFTER_WEEK_MS, WEEK[:1])

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

    def test_the_unfinished_last_candle_is_dropped(self, tmp_path):
        """At 2024-03-07 12:00 UTC the 03-07 candle closes in the future: six rows remain."""
        noon_ms = wire.day_ms(date(2024, 3, 7)) + 12 * 3_600_000

        frame = typed(tmp_path, noon_ms, WEEK)

        assert frame.height == 6
        assert frame["date"].max() == date(2024, 3, 6)

    def test_a_candle_closed_one_ms_ago_is_kept(self, tmp_path):
        """now = closeTime + 1 ms: the candle is finished and stays."""
        frame = typed(tmp_path, WEEK[0][6] + 1, WEEK[:1])

        assert frame.height == 1

    def test_a_candle_closing_exactly_now_is_dropped(self, tmp_path):
        """now = closeTime: the candle's last millisecond is still running."""
        frame = typed(tmp_path, WEEK[0][6], WEEK[:1])

        assert frame.height == 0

    def test_an_empty_page_is_an_empty_batch(self, tmp_path):
        """[] types to no rows with the contract's schema."""
        frame = typed(tmp_path, AFTER_WEEK_MS, [])

        assert frame.height == 0
        assert frame.schema == pl.Schema(binance.CONTRACT.schema)

    def test_rows_of_every_page_are_kept_in_page_order(self, tmp_path):
        """Three pages of the week type to its seven candles."""
        frame = typed(tmp_path, AFTER_WEEK_MS, WEEK[:3], WEEK[3:6], WEEK[6:])

        assert frame["close"].to_list() == [60_000.0 + 100 * i for i in range(7)]

    def test_a_kline_with_a_missing_field_is_schema_drift(self, tmp_path):
        """Eleven fields where twelve belong raise SchemaDriftError."""
        short = [k[:11] for k in WEEK[:2]]

        with pytest.raises(SchemaDriftError, match="12 fields") as info:
            typed(tmp_path, AFTER_WEEK_MS, short)

        assert (info.value.source, info.value.field) == ("binance", "klines[]")

    def test_a_price_that_is_not_a_number_is_schema_drift(self, tmp_path):
        """A close of "n/a" raises SchemaDriftError naming klines[].close."""
        broken = list(WEEK[0])
        broken[4] = "n/a"

        with pytest.raises(SchemaDriftError, match="n/a") as info:
            typed(tmp_path, AFTER_WEEK_MS, [WEEK[1], broken])

        assert info.value.field == "klines[].close"

    def test_a_null_price_is_schema_drift_not_a_missing_value(self, tmp_path):
        """Binance always sends every field: a JSON null is drift."""
        broken = list(WEEK[0])
        broken[2] = None

        with pytest.raises(SchemaDriftError, match="missing or null") as info:
            typed(tmp_path, AFTER_WEEK_MS, [broken])

        assert info.value.field == "klines[].high"

    @pytest.mark.parametrize(
        ("position", "value", "column", "expected"),
        [
            # openTime sent as a string: the same instant, never a wrong one.
            pytest.param(0, "1709251200000", "open_time", 1_709_251_200_000, id="time_as_string"),
            # a price sent as a JSON number instead of a string.
            pytest.param(4, 60000.5, "close", 60_000.5, id="price_as_number"),
        ],
    )
    def test_a_number_in_another_json_type_is_parsed_to_its_value(
        self, tmp_path, position, value, column, expected
    ):
        """String numbers and numeric strings both type to the value they spell."""
        kline = list(WEEK[0])
        kline[position] = value

        frame = typed(tmp_path, AFTER_WEEK_MS, [kline])

        assert frame[column].to_list() == [expected]

    def test_a_fractional_open_time_is_schema_drift(self, tmp_path):
        """1709251200000.5 ms is not the integer the API promises: drift, not a rounding."""
        kline = list(WEEK[0])
        kline[0] = "1709251200000.5"

        with pytest.raises(SchemaDriftError, match="not a bigint") as info:
            typed(tmp_path, AFTER_WEEK_MS, [kline])

        assert info.value.field == "klines[].open_time"

    def test_an_error_object_instead_of_rows_is_schema_drift(self, tmp_path):
        """A JSON object where the klines array belongs is drift, not an empty page."""
        with pytest.raises(SchemaDriftError, match="top-level JSON array") as info:
            typed(tmp_path, AFTER_WEEK_MS, wire.binance_error())

        assert info.value.field == "klines[]"


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

        assert [len(page) for _, page in pages] == [3, 3, 1]
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
    def test_pages_hold_the_finished_candles_of_the_window(
        self, httpserver: HTTPServer, http, settings, tmp_path
    ):
        """Mid-day on 03-07 the window 03-01..03-07 yields the six finished candles."""
        httpserver.expect_request(KLINES_PATH).respond_with_handler(routes.binance_klines(WEEK))
        noon_ms = wire.day_ms(date(2024, 3, 7)) + 12 * 3_600_000

        pages = list(
            binance.extract(
                http, settings, "BTCUSDT", date(2024, 3, 1), date(2024, 3, 7), now_ms=noon_ms
            )
        )
        frame = typed_raw(binance.CONTRACT, pages, tmp_path)

        assert [p.rows for p in pages] == [6]
        assert frame["close"].to_list() == [
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


class TestMinuteKlines:
    def test_the_minute_resource_asks_for_1m_candles_and_types_them(
        self, httpserver: HTTPServer, http, settings, tmp_path
    ):
        """raw.binance__klines_1m: interval=1m on the wire, the same reader and schema."""
        minutes = [
            [t, *kline[1:6], t + 59_999, *kline[7:]]
            for t, kline in zip(
                range(WEEK[0][0], WEEK[0][0] + 3 * 60_000, 60_000), WEEK[:3], strict=True
            )
        ]
        httpserver.expect_request(KLINES_PATH).respond_with_handler(routes.binance_klines(minutes))

        pages = list(
            binance.MINUTE_KLINES.extract(
                http, settings, "BTCUSDT", date(2024, 3, 1), date(2024, 3, 1), now_ms=AFTER_WEEK_MS
            )
        )
        frame = typed_raw(binance.CONTRACT_1M, pages, tmp_path)

        assert {request.args["interval"] for request, _ in httpserver.log} == {"1m"}
        assert frame["open_time"].diff().drop_nulls().to_list() == [60_000, 60_000]
        assert frame["date"].unique().to_list() == [date(2024, 3, 1)]
        assert binance.CONTRACT_1M.table == "raw.binance__klines_1m"
        assert binance.CONTRACT_1M.schema == binance.CONTRACT.schema
