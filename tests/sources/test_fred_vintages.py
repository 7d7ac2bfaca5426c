"""FRED vintages (ALFRED): the real-time request, one row per published value, its contract."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import ConfigError
from rotation_kernel.settings import Settings
from sources import fred, fred_vintages

from . import routes, wire
from .pages import typed_pages, typed_raw

OBS_PATH = "/fred/series/observations"
CURRENT = "9999-12-31"
# WALCL as ALFRED keeps it: 01-01 was published on Thursday 01-02, then revised on 01-09;
# 01-08 was published 01-09; 01-15 on 01-16. An older vintage (12-25) lies outside the window.
VINTAGES = [
    wire.fred_observation(
        date(2024, 12, 25), "6880000.0", realtime_start="2024-12-26", realtime_end=CURRENT
    ),
    wire.fred_observation(
        date(2025, 1, 1), "6853000.0", realtime_start="2025-01-02", realtime_end="2025-01-08"
    ),
    wire.fred_observation(
        date(2025, 1, 1), "6853500.0", realtime_start="2025-01-09", realtime_end=CURRENT
    ),
    wire.fred_observation(
        date(2025, 1, 8), "6869000.0", realtime_start="2025-01-09", realtime_end=CURRENT
    ),
    wire.fred_observation(
        date(2025, 1, 15), "6835000.0", realtime_start="2025-01-16", realtime_end=CURRENT
    ),
]


def known_on(frame: pl.DataFrame, day: date) -> dict[date, float]:
    """Each observation's value as published on ``day`` (its real-time period contains it)."""
    known = frame.filter((pl.col("realtime_start") <= day) & (pl.col("realtime_end") >= day))
    return dict(known.select("date", "value").iter_rows())


class TestVintagePages:
    def test_each_published_value_is_a_row_with_its_real_time_period(self, tmp_path):
        """Typed by the observations' reader: the revised 01-01 gives two rows; the current
        one ends 9999-12-31, kept as sent."""
        reader = fred.observations_reader("WALCL")
        frame = typed_pages(fred_vintages.CONTRACT, reader, tmp_path, wire.fred_page(VINTAGES[1:3]))

        assert frame.schema == pl.Schema(fred_vintages.CONTRACT.schema)
        assert frame.rows() == [
            ("WALCL", date(2025, 1, 1), 6_853_000.0, date(2025, 1, 2), date(2025, 1, 8)),
            ("WALCL", date(2025, 1, 1), 6_853_500.0, date(2025, 1, 9), date(9999, 12, 31)),
        ]


class TestFetchVintages:
    def test_the_real_time_range_runs_from_start_to_9999_12_31(
        self, httpserver: HTTPServer, http, base_url, fred_key
    ):
        """realtime_start = observation_start and realtime_end = 9999-12-31, paged by offset."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(VINTAGES, fred_key)
        )

        pages = [
            page
            for _, page in fred_vintages.fetch_vintages(
                http,
                base_url,
                "WALCL",
                SecretStr(fred_key),
                date(2025, 1, 1),
                date(2025, 1, 31),
                page_size=3,
            )
        ]

        assert [len(p["observations"]) for p in pages] == [3, 1]
        args = [request.args for request, _ in httpserver.log]
        assert {
            (a["observation_start"], a["observation_end"], a["realtime_start"], a["realtime_end"])
            for a in args
        } == {("2025-01-01", "2025-01-31", "2025-01-01", "9999-12-31")}
        assert [a["offset"] for a in args] == ["0", "3"]
        assert "output_type" not in args[0]  # 1, the default: rows by real-time period

    def test_plain_observations_send_no_real_time_range(
        self, httpserver: HTTPServer, http, base_url, fred_key
    ):
        """Without ``realtime`` the request is the one fred.extract has always sent."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(VINTAGES, fred_key)
        )

        list(
            fred.fetch_observation_pages(
                http, base_url, "WALCL", SecretStr(fred_key), date(2025, 1, 1), date(2025, 1, 31)
            )
        )

        assert "realtime_start" not in httpserver.log[0][0].args


class TestExtract:
    def test_the_pages_say_what_was_known_on_each_day(
        self, httpserver: HTTPServer, http, settings, fred_key, tmp_path
    ):
        """On Wed 01-08 the 01-08 level is not yet known and 01-01 is the first print."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(VINTAGES, fred_key)
        )

        pages = list(
            fred_vintages.extract(http, settings, "WALCL", date(2025, 1, 1), date(2025, 1, 31))
        )
        vintages = typed_raw(fred_vintages.CONTRACT, pages, tmp_path)

        # One parser: the pages are typed by the same SQL as plain observations.
        assert {page.reader.sql for page in pages} == {fred.observations_reader("WALCL").sql}
        assert vintages.height == 4
        assert known_on(vintages, date(2025, 1, 8)) == {date(2025, 1, 1): 6_853_000.0}
        assert known_on(vintages, date(2025, 1, 9)) == {
            date(2025, 1, 1): 6_853_500.0,
            date(2025, 1, 8): 6_869_000.0,
        }

    def test_the_primary_key_holds_across_revisions(
        self, httpserver: HTTPServer, http, settings, fred_key, tmp_path
    ):
        """(series_id, date, realtime_start) is unique although 01-01 has two rows."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(VINTAGES, fred_key)
        )

        pages = fred_vintages.extract(http, settings, "WALCL", date(2025, 1, 1), date(2025, 1, 31))
        vintages = typed_raw(fred_vintages.CONTRACT, list(pages), tmp_path)

        key = list(fred_vintages.CONTRACT.primary_key)
        assert key == ["series_id", "date", "realtime_start"]
        assert vintages.select(key).is_unique().all()
        assert vintages.filter(pl.col("date") == date(2025, 1, 1)).height == 2

    def test_no_key_is_a_config_error_before_any_request(self, httpserver: HTTPServer, http):
        """Vintages exist only through the API: without FRED_API_KEY nothing is sent."""
        settings = Settings(fred_api_key=None, fred_base_url=httpserver.url_for(""))

        with pytest.raises(ConfigError, match="FRED_API_KEY"):
            list(
                fred_vintages.extract(http, settings, "WALCL", date(2025, 1, 1), date(2025, 1, 31))
            )

        assert httpserver.log == []


class TestContract:
    def test_vintages_share_the_observations_columns_in_their_own_table(self):
        """raw.fred__observations_vintages has the observation columns, keyed by vintage."""
        contract = fred_vintages.CONTRACT

        assert contract.table == "raw.fred__observations_vintages"
        assert dict(contract.schema) == dict(fred.CONTRACT.schema)
        assert (contract.disposition, contract.cursor, contract.stream_key) == (
            "merge",
            "date",
            "series_id",
        )
