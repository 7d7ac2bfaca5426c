"""Kraken OHLC: the renamed pair key, `last` as string or int, the 720-row cap, errors in 200s."""

from __future__ import annotations

import logging
from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import SchemaDriftError, SourceAPIError
from sources import kraken

from . import routes, wire

OHLC_PATH = "/0/public/OHLC"
PAIR = "XBTUSD"
KEY = "XXBTZUSD"  # what Kraken calls XBTUSD in its answer
# 800 committed daily candles from 2023-01-01 (to 2025-03-10), closing 30000, 30010, ...
DAYS = routes.days(date(2023, 1, 1), 800)
COMMITTED = [wire.kraken_row(day, 30_000.0 + 10 * i) for i, day in enumerate(DAYS)]
TODAY = date(2025, 3, 11)
OPEN_CANDLE = wire.kraken_row(TODAY, 99_999.0)  # today's, still moving
LAST = COMMITTED[-1][0]


def payload(rows, last=str(LAST), key=KEY):
    return wire.kraken_ohlc(key, rows, last)


class TestResultKey:
    def test_the_renamed_pair_key_is_found_beside_last(self):
        """XBTUSD comes back as XXBTZUSD: the one key that is not "last"."""
        assert kraken.result_key(payload([OPEN_CANDLE])) == "XXBTZUSD"

    def test_two_pair_keys_are_schema_drift(self):
        """A result with two pairs is ambiguous: SchemaDriftError naming result."""
        broken = payload([OPEN_CANDLE])
        broken["result"]["XETHZUSD"] = [OPEN_CANDLE]

        with pytest.raises(SchemaDriftError, match="one pair key") as info:
            kraken.result_key(broken)

        assert (info.value.source, info.value.field) == ("kraken", "result")

    def test_a_missing_result_is_schema_drift(self):
        """{"error": []} without result raises SchemaDriftError."""
        with pytest.raises(SchemaDriftError, match="expected an object"):
            kraken.result_key({"error": []})


class TestLastCommitted:
    @pytest.mark.parametrize(
        "last",
        [
            # As recorded from the real API: a string of epoch seconds.
            pytest.param("1706796000", id="string"),
            # As Kraken's documentation describes it: an integer.
            pytest.param(1706796000, id="integer"),
        ],
    )
    def test_last_is_read_in_either_form(self, last):
        """ "1706796000" and 1706796000 both mean 2024-02-01 14:00 UTC."""
        assert kraken.last_committed(payload([OPEN_CANDLE], last=last)) == 1_706_796_000

    @pytest.mark.parametrize(
        "last",
        [
            pytest.param("soon", id="word"),
            pytest.param(None, id="null"),
            pytest.param(True, id="bool"),
        ],
    )
    def test_anything_else_is_schema_drift(self, last):
        """A `last` that is not epoch seconds raises SchemaDriftError naming result.last."""
        with pytest.raises(SchemaDriftError) as info:
            kraken.last_committed(payload([OPEN_CANDLE], last=last))

        assert info.value.field == "result.last"


class TestParseOhlc:
    def test_rows_are_typed_with_the_pair_as_asked_and_the_key_as_sent(self):
        """Strings become floats, time and count stay integers; both pair names are kept."""
        frame = kraken.parse_ohlc(payload([COMMITTED[0], OPEN_CANDLE]), PAIR)

        assert frame.schema == pl.Schema(kraken.CONTRACT.schema)
        assert frame.row(0, named=True) == {
            "pair": "XBTUSD",
            "result_key": "XXBTZUSD",
            "time": wire.epoch_s(date(2023, 1, 1), 0, 0),
            "date": date(2023, 1, 1),
            "open": 29_700.0,
            "high": 30_600.0,
            "low": 29_100.0,
            "close": 30_000.0,
            "vwap": 30_030.0,
            "volume": 1393.73441254,
            "count": 25_000,
        }

    def test_the_last_row_is_the_open_candle_and_is_dropped(self):
        """Three committed candles plus today's: three rows, none dated today."""
        frame = kraken.parse_ohlc(payload([*COMMITTED[-3:], OPEN_CANDLE]), PAIR)

        assert frame["date"].to_list() == DAYS[-3:]
        assert TODAY not in frame["date"].to_list()

    def test_only_the_open_candle_gives_an_empty_frame(self):
        """Asked since yesterday, Kraken sends today's open candle alone: no rows."""
        frame = kraken.parse_ohlc(payload([OPEN_CANDLE]), PAIR)

        assert frame.height == 0
        assert frame.schema == pl.Schema(kraken.CONTRACT.schema)

    def test_a_price_that_is_not_a_number_is_schema_drift(self):
        """A close of "n/a" raises SchemaDriftError naming the close column."""
        broken = list(COMMITTED[0])
        broken[4] = "n/a"

        with pytest.raises(SchemaDriftError, match="n/a") as info:
            kraken.parse_ohlc(payload([broken, OPEN_CANDLE]), PAIR)

        assert info.value.field == "result.<pair>[].close"

    def test_a_row_with_seven_fields_is_schema_drift(self):
        """Seven fields where eight belong raise SchemaDriftError."""
        with pytest.raises(SchemaDriftError, match="8 fields"):
            kraken.parse_ohlc(payload([COMMITTED[0][:7], OPEN_CANDLE]), PAIR)


class TestFetchOhlc:
    def test_since_is_one_second_before_the_start_day(self, httpserver: HTTPServer, http, base_url):
        """Candles after `since` are sent, so since = 2025-03-01 00:00 UTC - 1 s keeps 03-01."""
        httpserver.expect_request(OHLC_PATH).respond_with_handler(
            routes.kraken_ohlc(KEY, COMMITTED, OPEN_CANDLE)
        )

        pages = list(kraken.fetch_ohlc(http, base_url, PAIR, date(2025, 3, 1)))

        args = httpserver.log[0][0].args
        assert (args["pair"], args["interval"]) == ("XBTUSD", "1440")
        assert int(args["since"]) == wire.epoch_s(date(2025, 3, 1), 0, 0) - 1
        assert pages[0]["result"][KEY][0][0] == wire.epoch_s(date(2025, 3, 1), 0, 0)

    @pytest.mark.parametrize(
        ("errors", "expected"),
        [
            pytest.param(["EQuery:Unknown asset pair"], "EQuery:Unknown asset pair", id="pair"),
            pytest.param(
                ["EGeneral:Invalid arguments", "EGeneral:Too many requests"],
                "EGeneral:Invalid arguments; EGeneral:Too many requests",
                id="two_errors",
            ),
        ],
    )
    def test_an_error_list_in_a_200_raises_at_once(
        self, httpserver: HTTPServer, http, base_url, sleeps, errors, expected
    ):
        """HTTP 200 with a non-empty error list is SourceAPIError, not retried."""
        httpserver.expect_request(OHLC_PATH).respond_with_json(wire.kraken_error(*errors))

        with pytest.raises(SourceAPIError, match="kraken OHLC for pair 'XBTUSD'") as info:
            list(kraken.fetch_ohlc(http, base_url, PAIR, date(2025, 3, 1)))

        assert expected in str(info.value)
        assert info.value.url.endswith(OHLC_PATH)
        assert len(httpserver.log) == 1
        assert sleeps == []


class TestExtract:
    @pytest.mark.parametrize(
        "last_as", [pytest.param(str, id="last_str"), pytest.param(int, id="last_int")]
    )
    def test_a_recent_window_yields_its_committed_days_only(
        self, httpserver: HTTPServer, http, settings, last_as
    ):
        """2025-03-01..03-05 from a reply running to today: five rows, whatever `last` is."""
        httpserver.expect_request(OHLC_PATH).respond_with_handler(
            routes.kraken_ohlc(KEY, COMMITTED, OPEN_CANDLE, last_as=last_as)
        )

        frames = list(kraken.extract(http, settings, PAIR, date(2025, 3, 1), date(2025, 3, 5)))

        assert [f.height for f in frames] == [5]
        assert frames[0]["date"].to_list() == routes.days(date(2025, 3, 1), 5)

    def test_a_window_older_than_720_days_yields_what_is_kept_and_logs_it(
        self, httpserver: HTTPServer, http, settings, caplog
    ):
        """From 2023-01-01 Kraken keeps only the newest 719 committed days: those, and a warning."""
        httpserver.expect_request(OHLC_PATH).respond_with_handler(
            routes.kraken_ohlc(KEY, COMMITTED, OPEN_CANDLE)
        )
        caplog.set_level(logging.WARNING, logger="rotation.kraken")

        frames = list(kraken.extract(http, settings, PAIR, DAYS[0], TODAY))

        assert frames[0].height == 719
        assert frames[0]["date"].min() == DAYS[800 - 719]
        assert frames[0]["date"].max() == DAYS[-1]
        warnings = [r.getMessage() for r in caplog.records if r.name == "rotation.kraken"]
        assert warnings == [
            f"kraken XBTUSD: nothing served before {DAYS[81]}; the window starts 2023-01-01 "
            "(Kraken keeps only the 720 most recent daily candles)"
        ]

    def test_a_window_entirely_before_the_cap_yields_nothing(
        self, httpserver: HTTPServer, http, settings
    ):
        """2023-01-01..01-31 is gone from Kraken: no frame (the gap is logged), no error."""
        httpserver.expect_request(OHLC_PATH).respond_with_handler(
            routes.kraken_ohlc(KEY, COMMITTED, OPEN_CANDLE)
        )

        frames = list(kraken.extract(http, settings, PAIR, date(2023, 1, 1), date(2023, 1, 31)))

        assert frames == []
