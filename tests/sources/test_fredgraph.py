"""Keyless FRED (fredgraph.csv): both header forms, both missing markers, drift, the one notice."""

from __future__ import annotations

import logging
from datetime import date

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import ConfigError, SchemaDriftError, SourceAPIError, SourceHTTPError
from rotation_kernel.settings import Settings
from sources import fred, fredgraph

from . import routes, wire

CSV_PATH = "/graph/fredgraph.csv"
# WALCL in USD millions; 01-08 has no value (sent as "" or "." depending on the file's era).
WALCL = [
    (date(2025, 1, 1), "6853000.0"),
    (date(2025, 1, 8), "."),
    (date(2025, 1, 15), "6835000.0"),
]
HEADER_FORMS = [
    # Current files: "observation_date" and an empty field for a missing value.
    pytest.param("observation_date", "", id="observation_date_header_empty_missing"),
    # Older files: "DATE" and FRED's "." for a missing value.
    pytest.param("DATE", ".", id="DATE_header_dot_missing"),
]


def csv_body(missing: str, date_header: str, rows=WALCL, series_id: str = "WALCL") -> bytes:
    rows = [(day, missing if value == "." else value) for day, value in rows]
    return wire.fredgraph_csv(series_id, rows, date_header=date_header).encode()


@pytest.fixture
def keyless(settings: Settings) -> Settings:
    """The local-server settings without FRED_API_KEY: the fredgraph fallback's case."""
    return settings.model_copy(update={"fred_api_key": None})


class TestParseCsv:
    @pytest.mark.parametrize(("date_header", "missing"), HEADER_FORMS)
    def test_both_header_forms_give_the_observations_schema(self, date_header, missing):
        """Either header parses to raw.fred__observations rows; the missing day is null."""
        frame = fredgraph.parse_csv(csv_body(missing, date_header), "WALCL")

        assert frame.schema == pl.Schema(fred.CONTRACT.schema)
        assert frame["date"].to_list() == [day for day, _ in WALCL]
        assert frame["value"].to_list() == [6_853_000.0, None, 6_835_000.0]
        assert frame["series_id"].unique().to_list() == ["WALCL"]

    def test_the_real_time_columns_are_null_without_vintages(self):
        """The download has no real-time period: realtime_start and realtime_end are null."""
        frame = fredgraph.parse_csv(csv_body("", "observation_date"), "WALCL")

        assert frame["realtime_start"].null_count() == 3
        assert frame["realtime_end"].null_count() == 3

    def test_empty_and_dot_in_one_file_are_both_null(self):
        """A file mixing "" and "." still reads both as missing."""
        rows = [(date(2024, 1, 1), "."), (date(2024, 1, 2), ""), (date(2024, 1, 3), "680.563")]
        body = wire.fredgraph_csv("RRPONTSYD", rows).encode()

        frame = fredgraph.parse_csv(body, "RRPONTSYD")

        assert frame["value"].to_list() == [None, None, 680.563]

    def test_a_header_only_file_is_an_empty_frame(self):
        """No observation in range: the header alone parses to an empty typed frame."""
        frame = fredgraph.parse_csv(b"observation_date,WALCL\n", "WALCL")

        assert frame.height == 0
        assert frame.schema == pl.Schema(fred.CONTRACT.schema)

    @pytest.mark.parametrize(
        ("body", "detail"),
        [
            pytest.param(b"observation_date,WTREGEN\n2025-01-01,1\n", "WTREGEN", id="other_id"),
            pytest.param(b"date,value\n2025-01-01,1\n", "'date', 'value'", id="plain_headers"),
            pytest.param(b"<html><body>Error</body></html>\n", "html", id="html_page"),
        ],
    )
    def test_a_header_that_is_not_date_and_the_series_is_drift(self, body, detail):
        """Only observation_date/DATE then the requested id is accepted as the header."""
        with pytest.raises(SchemaDriftError, match=detail) as info:
            fredgraph.parse_csv(body, "WALCL")

        assert (info.value.source, info.value.field) == ("fredgraph", "csv.header")

    def test_a_value_that_is_not_a_number_is_drift(self):
        """ "n/a" in the value column is drift naming csv.value, not a silent null."""
        with pytest.raises(SchemaDriftError, match="n/a") as info:
            fredgraph.parse_csv(b"observation_date,WALCL\n2025-01-01,n/a\n", "WALCL")

        assert info.value.field == "csv.value"

    def test_an_empty_body_is_drift(self):
        """Zero bytes is not a CSV: SchemaDriftError."""
        with pytest.raises(SchemaDriftError, match="not a CSV"):
            fredgraph.parse_csv(b"", "WALCL")


class TestFetchCsv:
    def test_the_series_and_window_are_sent_as_id_cosd_coed(
        self, httpserver: HTTPServer, http, base_url
    ):
        """One request: id=WALCL&cosd=2025-01-01&coed=2025-01-31, the CSV body as bytes."""
        httpserver.expect_request(CSV_PATH).respond_with_handler(
            routes.fredgraph("WALCL", WALCL, "observation_date")
        )

        bodies = list(
            fredgraph.fetch_csv(http, base_url, "WALCL", date(2025, 1, 1), date(2025, 1, 31))
        )

        assert bodies[0].startswith(b"observation_date,WALCL\n2025-01-01,6853000.0")
        args = httpserver.log[0][0].args
        assert (args["id"], args["cosd"], args["coed"]) == ("WALCL", "2025-01-01", "2025-01-31")
        assert "api_key" not in args

    def test_an_unknown_series_is_an_http_error_raised_at_once(
        self, httpserver: HTTPServer, http, base_url
    ):
        """A 404 HTML page is SourceHTTPError (not an API payload), after one request."""
        httpserver.expect_request(CSV_PATH).respond_with_handler(
            routes.fredgraph("WALCL", WALCL, "observation_date")
        )

        with pytest.raises(SourceHTTPError, match="HTTP 404") as info:
            list(fredgraph.fetch_csv(http, base_url, "NOPE", date(2025, 1, 1), date(2025, 1, 31)))

        assert not isinstance(info.value, SourceAPIError)
        assert len(httpserver.log) == 1


class TestExtract:
    @pytest.mark.parametrize(("date_header", "missing"), HEADER_FORMS)
    def test_a_keyless_run_reads_the_window_in_either_header_form(
        self, httpserver: HTTPServer, http, keyless, date_header, missing
    ):
        """Without a key, January 2025 comes back as one frame of three rows, one null."""
        rows = [(day, missing if value == "." else value) for day, value in WALCL]
        httpserver.expect_request(CSV_PATH).respond_with_handler(
            routes.fredgraph("WALCL", rows, date_header)
        )

        frames = list(
            fredgraph.extract(http, keyless, "WALCL", date(2025, 1, 1), date(2025, 1, 31))
        )

        assert [f.height for f in frames] == [3]
        assert frames[0]["value"].to_list() == [6_853_000.0, None, 6_835_000.0]

    def test_an_empty_window_yields_no_frame(self, httpserver: HTTPServer, http, keyless):
        """A window before the first observation is not an error: nothing is yielded."""
        httpserver.expect_request(CSV_PATH).respond_with_handler(
            routes.fredgraph("WALCL", WALCL, "observation_date")
        )

        frames = list(
            fredgraph.extract(http, keyless, "WALCL", date(2024, 12, 1), date(2024, 12, 2))
        )

        assert frames == []

    def test_an_unknown_series_is_a_config_error_before_any_request(
        self, httpserver: HTTPServer, http, keyless
    ):
        """Only registry series can be extracted, keyless or not."""
        with pytest.raises(ConfigError, match="'SOFR'"):
            list(fredgraph.extract(http, keyless, "SOFR", date(2025, 1, 1), date(2025, 1, 31)))

        assert httpserver.log == []


class TestLogVintagesUnavailable:
    def test_the_notice_is_logged_once_per_process(
        self, httpserver: HTTPServer, http, keyless, caplog
    ):
        """Two series extracted keyless: one warning that vintages are unavailable."""
        httpserver.expect_request(CSV_PATH).respond_with_handler(
            routes.fredgraph("WALCL", WALCL, "observation_date")
        )
        fredgraph.log_vintages_unavailable.cache_clear()
        caplog.set_level(logging.WARNING, logger="rotation.fredgraph")

        for _ in range(2):
            list(fredgraph.extract(http, keyless, "WALCL", date(2025, 1, 1), date(2025, 1, 31)))

        notices = [r.getMessage() for r in caplog.records if r.name == "rotation.fredgraph"]
        assert len(notices) == 1
        assert "vintages (realtime_start/realtime_end) are unavailable" in notices[0]
