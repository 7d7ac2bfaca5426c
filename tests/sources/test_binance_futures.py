"""Binance USD-M futures: funding paging and quirks, mark/index klines, the two resources."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import SchemaDriftError, SourceAPIError, VenueUnavailableError
from sources import binance_futures

from . import routes, wire

FUNDING_PATH = "/fapi/v1/fundingRate"
MARK_PATH = "/fapi/v1/markPriceKlines"
INDEX_PATH = "/fapi/v1/indexPriceKlines"
SYMBOL = "BTCUSDT"
# Four days of fundings at 00, 08 and 16 UTC from 2022-01-01: the first day's old rows have
# markPrice "" and one settles 6 ms late, as real 2022 rows do.
FUNDINGS = [
    wire.funding(date(2022, 1, 1), 0, "0.00010000", "", late_ms=6),
    wire.funding(date(2022, 1, 1), 8, "-0.00012359", ""),
    wire.funding(date(2022, 1, 1), 16, "0.00010000", ""),
    *(
        wire.funding(day, hour, "0.00010000", f"{46_000 + hour}.12345678")
        for day in routes.days(date(2022, 1, 2), 3)
        for hour in (0, 8, 16)
    ),
]
DAYS = routes.days(date(2024, 3, 1), 7)
MARK = [wire.price_kline(day, 60_000.0 + 100 * i) for i, day in enumerate(DAYS)]
INDEX = [wire.price_kline(day, 59_950.0 + 100 * i) for i, day in enumerate(DAYS)]
NOON_MAR_7_MS = wire.day_ms(date(2024, 3, 7)) + 12 * 3_600_000


class TestParseFundingRate:
    def test_returns_the_contract_schema_with_string_numbers_parsed(self):
        """fundingRate and markPrice strings become floats; the date is the UTC day."""
        frame = binance_futures.parse_funding_rate(FUNDINGS[3:4], SYMBOL)

        assert frame.schema == pl.Schema(binance_futures.FUNDING_RATE_CONTRACT.schema)
        assert frame.row(0, named=True) == {
            "symbol": "BTCUSDT",
            "funding_time": wire.day_ms(date(2022, 1, 2)),
            "date": date(2022, 1, 2),
            "funding_rate": 0.0001,
            "mark_price": 46_000.12345678,
        }

    def test_an_empty_mark_price_on_old_rows_becomes_null(self):
        """markPrice "" (rows before about 2024) is null; the negative rate is kept."""
        frame = binance_futures.parse_funding_rate(FUNDINGS[:3], SYMBOL)

        assert frame["mark_price"].to_list() == [None, None, None]
        assert frame["funding_rate"].to_list() == [0.0001, -0.00012359, 0.0001]

    def test_a_late_funding_time_keeps_its_milliseconds_and_its_day(self):
        """1640995200006 (6 ms past midnight) is stored as sent and dated 2022-01-01."""
        frame = binance_futures.parse_funding_rate(FUNDINGS[:1], SYMBOL)

        assert frame.select("funding_time", "date").row(0) == (1_640_995_200_006, date(2022, 1, 1))

    def test_a_missing_mark_price_key_is_schema_drift(self):
        """A row without markPrice raises SchemaDriftError naming the field."""
        broken = {k: v for k, v in FUNDINGS[3].items() if k != "markPrice"}

        with pytest.raises(SchemaDriftError) as info:
            binance_futures.parse_funding_rate([broken], SYMBOL)

        assert info.value.field == "fundingRate[].markPrice"

    def test_an_error_object_instead_of_rows_is_schema_drift(self):
        """A JSON object where the array belongs is drift."""
        with pytest.raises(SchemaDriftError, match="array of fundings"):
            binance_futures.parse_funding_rate(wire.binance_error(), SYMBOL)


class TestFetchFundingRate:
    def test_paging_walks_forward_by_funding_time(self, httpserver: HTTPServer, http, base_url):
        """Twelve fundings with limit 5: pages of 5, 5 and 2, each from the last time + 1 ms."""
        httpserver.expect_request(FUNDING_PATH).respond_with_handler(
            routes.binance_funding(FUNDINGS)
        )

        pages = list(
            binance_futures.fetch_funding_rate(
                http, base_url, SYMBOL, date(2022, 1, 1), date(2022, 1, 4), page_size=5
            )
        )

        assert [len(page) for page in pages] == [5, 5, 2]
        args = [request.args for request, _ in httpserver.log]
        assert [int(a["startTime"]) for a in args] == [
            wire.day_ms(date(2022, 1, 1)),
            FUNDINGS[4]["fundingTime"] + 1,
            FUNDINGS[9]["fundingTime"] + 1,
        ]
        assert {(a["symbol"], a["limit"], a["endTime"]) for a in args} == {
            ("BTCUSDT", "5", str(wire.day_ms(date(2022, 1, 5)) - 1))
        }

    def test_a_cursor_after_a_late_funding_still_advances(
        self, httpserver: HTTPServer, http, base_url
    ):
        """A page ending on the 6-ms-late funding resumes 1 ms after it, not after the hour."""
        httpserver.expect_request(FUNDING_PATH).respond_with_handler(
            routes.binance_funding(FUNDINGS)
        )

        pages = list(
            binance_futures.fetch_funding_rate(
                http, base_url, SYMBOL, date(2022, 1, 1), date(2022, 1, 1), page_size=1
            )
        )

        # Three full pages of one, then an empty page past the day's last funding ends it.
        assert [[f["fundingTime"] for f in p] for p in pages] == [
            [FUNDINGS[0]["fundingTime"]],
            [FUNDINGS[1]["fundingTime"]],
            [FUNDINGS[2]["fundingTime"]],
            [],
        ]
        assert int(httpserver.log[1][0].args["startTime"]) == 1_640_995_200_007

    def test_an_invalid_symbol_raises_at_once(self, httpserver: HTTPServer, http, base_url):
        """HTTP 400 {"code": -1121} is SourceAPIError carrying Binance's message, no retry."""
        httpserver.expect_request(FUNDING_PATH).respond_with_json(wire.binance_error(), status=400)

        with pytest.raises(SourceAPIError, match="Invalid symbol"):
            list(
                binance_futures.fetch_funding_rate(
                    http, base_url, "BTCXYZ", date(2022, 1, 1), date(2022, 1, 4)
                )
            )

        assert len(httpserver.log) == 1


class TestParsePriceKlines:
    def test_returns_the_contract_schema_with_the_kind(self):
        """A mark kline becomes one row of kind "mark" with its OHLC as floats."""
        frame = binance_futures.parse_price_klines(MARK[:1], SYMBOL, "mark", NOON_MAR_7_MS)

        assert frame.schema == pl.Schema(binance_futures.PREMIUM_KLINES_CONTRACT.schema)
        assert frame.row(0, named=True) == {
            "symbol": "BTCUSDT",
            "kind": "mark",
            "open_time": wire.day_ms(date(2024, 3, 1)),
            "date": date(2024, 3, 1),
            "open": 59_400.0,
            "high": 61_200.0,
            "low": 58_200.0,
            "close": 60_000.0,
        }

    def test_the_unfinished_last_candle_is_dropped(self):
        """At noon on 03-07 the 03-07 candle is still open: six rows remain."""
        frame = binance_futures.parse_price_klines(INDEX, SYMBOL, "index", NOON_MAR_7_MS)

        assert frame["date"].to_list() == DAYS[:6]
        assert frame["kind"].unique().to_list() == ["index"]

    def test_a_kline_with_a_missing_field_is_schema_drift(self):
        """Eleven fields where twelve belong raise SchemaDriftError."""
        with pytest.raises(SchemaDriftError, match="12 fields"):
            binance_futures.parse_price_klines([MARK[0][:11]], SYMBOL, "mark", NOON_MAR_7_MS)


class TestFetchPriceKlines:
    @pytest.mark.parametrize(
        ("kind", "path", "instrument"),
        [
            pytest.param("mark", MARK_PATH, "symbol", id="mark_takes_symbol"),
            pytest.param("index", INDEX_PATH, "pair", id="index_takes_pair"),
        ],
    )
    def test_each_kind_pages_its_endpoint_with_its_parameter(
        self, httpserver: HTTPServer, http, base_url, kind, path, instrument
    ):
        """Seven candles with limit 3 arrive in pages of 3, 3 and 1 from the kind's endpoint."""
        httpserver.expect_request(path).respond_with_handler(routes.binance_klines(MARK))

        pages = list(
            binance_futures.fetch_price_klines(
                http, base_url, SYMBOL, kind, DAYS[0], DAYS[-1], page_size=3
            )
        )

        assert [len(page) for page in pages] == [3, 3, 1]
        args = [request.args for request, _ in httpserver.log]
        assert {(a[instrument], a["interval"], a["limit"]) for a in args} == {
            ("BTCUSDT", "1d", "3")
        }


class TestExtractFundingRate:
    def test_frames_hold_every_funding_of_the_window(self, httpserver: HTTPServer, http, settings):
        """2022-01-01..01-04 yields the twelve fundings, three a day."""
        httpserver.expect_request(FUNDING_PATH).respond_with_handler(
            routes.binance_funding(FUNDINGS)
        )

        frames = list(
            binance_futures.extract_funding_rate(
                http, settings, SYMBOL, date(2022, 1, 1), date(2022, 1, 4)
            )
        )

        combined = pl.concat(frames)
        assert combined.group_by("date").len().sort("date")["len"].to_list() == [3, 3, 3, 3]

    def test_a_geo_block_surfaces_as_fall_back(self, httpserver: HTTPServer, http, settings):
        """HTTP 451 from fapi is VenueUnavailableError("geo_blocked") after one request."""
        httpserver.expect_request(FUNDING_PATH).respond_with_json(
            {"code": 0, "msg": "Service unavailable from a restricted location"}, status=451
        )

        with pytest.raises(VenueUnavailableError) as info:
            list(
                binance_futures.extract_funding_rate(
                    http, settings, SYMBOL, date(2022, 1, 1), date(2022, 1, 4)
                )
            )

        assert info.value.reason == "geo_blocked"
        assert len(httpserver.log) == 1


class TestExtractPremiumKlines:
    def test_mark_then_index_frames_hold_the_finished_candles(
        self, httpserver: HTTPServer, http, settings
    ):
        """Mid-day on 03-07: six mark rows, then six index rows, each with its kind."""
        httpserver.expect_request(MARK_PATH).respond_with_handler(routes.binance_klines(MARK))
        httpserver.expect_request(INDEX_PATH).respond_with_handler(routes.binance_klines(INDEX))

        frames = list(
            binance_futures.extract_premium_klines(
                http, settings, SYMBOL, DAYS[0], DAYS[-1], now_ms=NOON_MAR_7_MS
            )
        )

        assert [(f["kind"][0], f.height) for f in frames] == [("mark", 6), ("index", 6)]
        assert frames[1]["close"][0] == 59_950.0


class TestResources:
    @pytest.mark.parametrize(
        ("resource", "table", "key"),
        [
            pytest.param(
                binance_futures.FUNDING_RATE,
                "raw.binance_futures__funding_rate",
                ("symbol", "funding_time"),
                id="funding_rate",
            ),
            pytest.param(
                binance_futures.PREMIUM_KLINES,
                "raw.binance_futures__premium_klines",
                ("symbol", "kind", "open_time"),
                id="premium_klines",
            ),
        ],
    )
    def test_each_table_is_listed_like_a_source_module(self, resource, table, key):
        """Each resource offers CONTRACT, STREAMS and extract, as the catalog reads a module."""
        assert resource.CONTRACT.table == table
        assert resource.CONTRACT.primary_key == key
        assert resource.STREAMS[0] == "BTCUSDT"
        assert callable(resource.extract)
