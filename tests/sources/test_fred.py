"""FRED observations: unit registry, parsing quirks, offset paging and key handling."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import ConfigError, SchemaDriftError, SourceAPIError
from rotation_kernel.settings import Settings
from sources import fred

from . import routes, wire
from .pages import typed_pages, typed_raw

OBS_PATH = "/fred/series/observations"
WALCL_WEEKS = [
    # Wednesday levels in USD millions, shaped like H.4.1 in early 2025.
    wire.fred_observation(date(2025, 1, 1), "6853000.0"),
    wire.fred_observation(date(2025, 1, 8), "6869000.0"),
    wire.fred_observation(date(2025, 1, 15), "6835000.0"),
    wire.fred_observation(date(2025, 1, 22), "6840000.0"),
    wire.fred_observation(date(2025, 1, 29), "6818000.0"),
]


class TestToUsdBn:
    @pytest.mark.parametrize(
        ("series_id", "value", "expected"),
        [
            # 6,853,000 USD mn (Fed total assets) = 6,853 USD bn.
            pytest.param("WALCL", 6_853_000.0, 6_853.0, id="walcl_millions"),
            # 750,000 USD mn week-average TGA = 750 USD bn.
            pytest.param("WTREGEN", 750_000.0, 750.0, id="wtregen_millions"),
            # 722,500 USD mn Wednesday TGA = 722.5 USD bn.
            pytest.param("WDTGAL", 722_500.0, 722.5, id="wdtgal_millions"),
            # RRPONTSYD is published in billions already: 2,553.716 stays 2,553.716.
            pytest.param("RRPONTSYD", 2_553.716, 2_553.716, id="rrp_already_billions"),
            # 2,250,000 USD mn of MBS = 2,250 USD bn.
            pytest.param("WSHOMCB", 2_250_000.0, 2_250.0, id="wshomcb_millions"),
            # FRED's "." parsed to null stays null in any unit.
            pytest.param("WALCL", None, None, id="missing_stays_missing"),
        ],
    )
    def test_values_convert_to_usd_billions(self, series_id, value, expected):
        """Each series converts with its registry factor."""
        assert fred.to_usd_bn(series_id, value) == pytest.approx(expected)

    def test_an_unknown_series_is_a_config_error(self):
        """A series outside the registry has no known unit: ConfigError naming it."""
        with pytest.raises(ConfigError, match="'SOFR'"):
            fred.to_usd_bn("SOFR", 5.33)

    @pytest.mark.parametrize("series_id", ["DFF", "DGS10", "DTB3"])
    def test_a_rate_in_percent_has_no_usd_value(self, series_id):
        """5.33 % is not money: converting a rate raises ConfigError naming it and its unit."""
        with pytest.raises(ConfigError, match=f"'{series_id}' is in 'pct', not USD"):
            fred.to_usd_bn(series_id, 5.33)


class TestSeriesRegistry:
    def test_streams_are_the_five_liquidity_series_in_order(self):
        """STREAMS lists the registry: WALCL, WTREGEN, WDTGAL, RRPONTSYD, WSHOMCB."""
        assert fred.STREAMS == ("WALCL", "WTREGEN", "WDTGAL", "RRPONTSYD", "WSHOMCB")

    def test_units_and_factors_agree(self):
        """usd_mn series carry 0.001, usd_bn 1.0 and pct (rates) no factor: none is mistyped."""
        factors = {s.unit: s.usd_bn_per_unit for s in fred.SERIES.values()}
        assert factors == {"usd_mn": 0.001, "usd_bn": 1.0, "pct": None}

    def test_rates_are_registered_in_percent_beside_the_nightly_streams(self):
        """DFF, DGS10 and DTB3 are 'pct' with no USD factor; STREAMS keeps the USD five."""
        rates = {sid: (s.unit, s.usd_bn_per_unit) for sid, s in fred.SERIES.items()}

        assert fred.RATE_STREAMS == ("DFF", "DGS10", "DTB3")
        assert {sid: rates[sid] for sid in fred.RATE_STREAMS} == {
            "DFF": ("pct", None),
            "DGS10": ("pct", None),
            "DTB3": ("pct", None),
        }
        assert set(fred.STREAMS).isdisjoint(fred.RATE_STREAMS)

    def test_only_the_week_average_is_not_a_level(self):
        """WTREGEN averages a week; every other series is a point-in-time level."""
        assert [sid for sid, s in fred.SERIES.items() if not s.is_level] == ["WTREGEN"]


def typed(tmp_path, series_id, *pages):
    return typed_pages(fred.CONTRACT, fred.observations_reader(series_id), tmp_path, *pages)


class TestObservationsReader:
    """The one parser of FRED observations (plain and ALFRED vintages): DuckDB types the
    spooled pages at load time."""

    def test_returns_exactly_the_contract_schema_with_typed_values(self, tmp_path):
        """Strings become dates and floats; the series id is added from the request."""
        frame = typed(tmp_path, "WALCL", wire.fred_page(WALCL_WEEKS[:2]))

        assert frame.schema == pl.Schema(fred.CONTRACT.schema)
        assert frame.row(0, named=True) == {
            "series_id": "WALCL",
            "date": date(2025, 1, 1),
            "value": 6_853_000.0,
            "realtime_start": date(2025, 1, 15),
            "realtime_end": date(2025, 1, 15),
        }

    def test_dot_value_becomes_null(self, tmp_path):
        """FRED's "." (no observation, e.g. 2024-01-01 for RRPONTSYD) types to null."""
        page = wire.fred_page(
            [
                wire.fred_observation(date(2024, 1, 1), "."),
                wire.fred_observation(date(2024, 1, 2), "680.563"),
            ]
        )

        frame = typed(tmp_path, "RRPONTSYD", page)

        assert frame["value"].to_list() == [None, 680.563]

    def test_an_empty_page_gives_no_rows_with_the_schema(self, tmp_path):
        """No observations is an empty, correctly typed batch."""
        frame = typed(tmp_path, "WALCL", wire.fred_page([]))

        assert frame.height == 0
        assert frame.schema == pl.Schema(fred.CONTRACT.schema)

    def test_a_missing_value_field_is_schema_drift(self, tmp_path):
        """An observation without "value" raises SchemaDriftError naming the field."""
        broken = dict(WALCL_WEEKS[0])
        del broken["value"]

        with pytest.raises(SchemaDriftError, match="missing or null") as info:
            typed(tmp_path, "WALCL", wire.fred_page([WALCL_WEEKS[1], broken]))

        assert (info.value.source, info.value.field) == ("fred", "observations[].value")

    def test_a_json_null_value_is_schema_drift_not_a_missing_observation(self, tmp_path):
        """Only "." means no observation; a JSON null is a shape FRED never sends."""
        broken = {**WALCL_WEEKS[0], "value": None}

        with pytest.raises(SchemaDriftError, match="missing or null"):
            typed(tmp_path, "WALCL", wire.fred_page([broken]))

    def test_a_value_that_is_not_a_number_is_schema_drift(self, tmp_path):
        """A value other than a number or "." is drift, not a silent null."""
        page = wire.fred_page([wire.fred_observation(date(2025, 1, 1), "n/a")])

        with pytest.raises(SchemaDriftError, match="n/a") as info:
            typed(tmp_path, "WALCL", page)

        assert info.value.field == "observations[].value"

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(6853000.5, 6_853_000.5, id="json_number"),  # not a string: parsed
            pytest.param("6.8e6", 6_800_000.0, id="exponent"),  # a valid float literal
        ],
    )
    def test_a_number_in_another_spelling_is_parsed_to_its_value(self, tmp_path, value, expected):
        """A number sent as a JSON number or in exponent form is never a wrong value."""
        frame = typed(tmp_path, "WALCL", wire.fred_page([{**WALCL_WEEKS[0], "value": value}]))

        assert frame["value"].to_list() == [expected]

    def test_a_date_in_another_format_is_schema_drift(self, tmp_path):
        """2025/01/01 is not FRED's ISO date: drift naming the field."""
        page = wire.fred_page([{**WALCL_WEEKS[0], "date": "2025/01/01"}])

        with pytest.raises(SchemaDriftError, match="2025/01/01") as info:
            typed(tmp_path, "WALCL", page)

        assert info.value.field == "observations[].date"

    def test_an_extra_field_is_ignored(self, tmp_path):
        """A field FRED adds later does not stop the load."""
        frame = typed(tmp_path, "WALCL", wire.fred_page([{**WALCL_WEEKS[0], "vintage": "x"}]))

        assert frame["value"].to_list() == [6_853_000.0]

    def test_a_payload_without_observations_is_schema_drift(self, tmp_path):
        """An envelope missing the observations list raises SchemaDriftError."""
        with pytest.raises(SchemaDriftError, match="'observations'"):
            typed(tmp_path, "WALCL", {"count": 0})


class TestFetchObservations:
    def test_offset_paging_walks_the_whole_window_with_a_small_limit(
        self, httpserver: HTTPServer, http, base_url, fred_key
    ):
        """Five observations with limit 2 arrive in three pages at offsets 0, 2, 4."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(WALCL_WEEKS, fred_key)
        )

        pages = [
            page
            for _, page in fred.fetch_observation_pages(
                http,
                base_url,
                "WALCL",
                SecretStr(fred_key),
                date(2025, 1, 1),
                date(2025, 1, 31),
                page_size=2,
            )
        ]

        assert [len(p["observations"]) for p in pages] == [2, 2, 1]
        args = [request.args for request, _ in httpserver.log]
        assert [a["offset"] for a in args] == ["0", "2", "4"]
        assert args[0]["series_id"] == "WALCL"
        assert args[0]["file_type"] == "json"
        assert args[0]["observation_start"] == "2025-01-01"
        assert args[0]["observation_end"] == "2025-01-31"

    def test_the_key_is_registered_as_a_secret_of_the_client(
        self, httpserver: HTTPServer, http, base_url, fred_key
    ):
        """Fetching adds the key to http.secrets so any echoed body is scrubbed."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(WALCL_WEEKS, fred_key)
        )

        list(
            fred.fetch_observation_pages(
                http, base_url, "WALCL", SecretStr(fred_key), date(2025, 1, 1), date(2025, 1, 1)
            )
        )

        assert http.secrets == [fred_key]


class TestExtract:
    def test_pages_cover_the_window_with_values_in_millions(
        self, httpserver: HTTPServer, http, settings, tmp_path
    ):
        """WALCL for January 2025 comes back as one page of five raw rows."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(WALCL_WEEKS, settings.require_fred_key().get_secret_value())
        )

        pages = list(fred.extract(http, settings, "WALCL", date(2025, 1, 1), date(2025, 1, 31)))
        frame = typed_raw(fred.CONTRACT, pages, tmp_path)

        assert [p.rows for p in pages] == [5]
        assert frame["value"].to_list() == [
            6853000.0,
            6869000.0,
            6835000.0,
            6840000.0,
            6818000.0,
        ]
        assert frame["series_id"].unique().to_list() == ["WALCL"]

    def test_an_empty_window_yields_no_page(self, httpserver: HTTPServer, http, settings):
        """A window before the first observation is not an error: nothing is yielded."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(WALCL_WEEKS, settings.require_fred_key().get_secret_value())
        )

        frames = list(fred.extract(http, settings, "WALCL", date(2024, 12, 1), date(2024, 12, 2)))

        assert frames == []
        assert len(httpserver.log) == 1

    def test_a_rejected_key_raises_at_once_without_leaking_it(
        self, httpserver: HTTPServer, http, settings, fred_key, client_log
    ):
        """FRED's HTTP 400 becomes SourceAPIError with its message; the key shows nowhere."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(WALCL_WEEKS, api_key="a-different-key")
        )

        with pytest.raises(SourceAPIError, match="api_key is not registered") as info:
            list(fred.extract(http, settings, "WALCL", date(2025, 1, 1), date(2025, 1, 31)))

        assert info.value.status == 400
        assert fred_key not in str(info.value)
        assert fred_key not in info.value.url
        assert all(fred_key not in r.getMessage() for r in client_log())
        assert len(httpserver.log) == 1  # an error payload is never retried

    def test_no_key_is_a_config_error_before_any_request(self, httpserver: HTTPServer, http):
        """Without FRED_API_KEY, extract names the variable and sends nothing."""
        settings = Settings(fred_api_key=None, fred_base_url=httpserver.url_for(""))

        with pytest.raises(ConfigError, match="FRED_API_KEY"):
            list(fred.extract(http, settings, "WALCL", date(2025, 1, 1), date(2025, 1, 31)))

        assert httpserver.log == []

    def test_an_empty_key_gets_fred_400_not_set_without_retry(
        self, httpserver: HTTPServer, http, base_url
    ):
        """An empty key reaches FRED as unset: its 400 "is not set" payload raises at once."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(WALCL_WEEKS, api_key="anything")
        )
        pages = fred.fetch_observation_pages(
            http, base_url, "WALCL", SecretStr(""), date(2025, 1, 1), date(2025, 1, 31)
        )

        with pytest.raises(SourceAPIError, match="Variable api_key is not set"):
            next(pages)

        assert len(httpserver.log) == 1
        assert http.secrets == []

    def test_a_rate_series_is_extracted_in_percent(
        self, httpserver: HTTPServer, http, settings, tmp_path
    ):
        """DFF is a registry series: its values come back as sent, in percent."""
        httpserver.expect_request(OBS_PATH).respond_with_handler(
            routes.fred_observations(
                [wire.fred_observation(date(2024, 6, 3), "5.33")],
                settings.require_fred_key().get_secret_value(),
            )
        )

        pages = list(fred.extract(http, settings, "DFF", date(2024, 6, 1), date(2024, 6, 6)))

        frame = typed_raw(fred.CONTRACT, pages, tmp_path)
        assert frame.select("series_id", "value").rows() == [("DFF", 5.33)]

    def test_an_unknown_series_is_a_config_error(self, httpserver: HTTPServer, http, settings):
        """Only registry series can be extracted: their unit must be known downstream."""
        with pytest.raises(ConfigError, match="'SOFR'"):
            list(fred.extract(http, settings, "SOFR", date(2025, 1, 1), date(2025, 1, 31)))

        assert httpserver.log == []
