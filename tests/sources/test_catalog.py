"""The catalog of sources (sources.catalog): what a run selection may name, which API each calls."""

from __future__ import annotations

import pytest

from rotation_kernel.errors import ConfigError
from rotation_kernel.settings import load_settings
from sources.catalog import (
    ALL_SOURCES,
    api_of,
    base_url_for,
    check_selection,
    interleave,
    source_contracts,
    source_limit,
    streams,
)


class TestCheckSelection:
    def test_known_sources_and_listed_symbols_pass(self):
        settings = load_settings(sources="binance,fred_rates", binance_symbols="ETHUSDT")
        assert check_selection(settings) is settings

    def test_an_unknown_source_is_refused_naming_the_variable_and_the_known_ones(self):
        settings = load_settings(sources="binance,nasdaq")
        with pytest.raises(
            ConfigError, match=r"ROTATION_SOURCES: unknown source\(s\) \['nasdaq'\]"
        ):
            check_selection(settings)

    def test_an_unlisted_symbol_is_refused_and_planning_refuses_it_too(self):
        settings = load_settings(binance_symbols="DOGEUSDT,FOOUSDT")
        message = r"ROTATION_BINANCE_SYMBOLS: unlisted symbol\(s\) \['FOOUSDT'\]; listed: \["
        with pytest.raises(ConfigError, match=message):
            check_selection(settings)
        with pytest.raises(ConfigError, match="FOOUSDT"):
            streams(settings)

    def test_a_malformed_symbol_is_refused_by_the_settings_themselves(self):
        with pytest.raises(ConfigError, match="ROTATION_BINANCE_SYMBOLS"):
            load_settings(binance_symbols="btc/usdt")


class TestStreams:
    def test_sources_and_symbols_narrow_the_planned_streams(self):
        settings = load_settings(
            fred_api_key="k", sources=("fred_rates", "binance"), binance_symbols=("ETHUSDT",)
        )
        assert streams(settings) == [
            ("fred_rates", "DFF"),
            ("fred_rates", "DGS10"),
            ("fred_rates", "DTB3"),
            ("binance", "ETHUSDT"),
        ]

    def test_no_selection_plans_every_stream_of_every_source(self):
        planned = streams(load_settings(fred_api_key="k"))
        assert len(planned) > 40
        assert ("yahoo", "^RUT") in planned and ("binance", "BNBUSDT") in planned


class TestSourceContracts:
    def test_every_source_fallback_venues_included_has_its_contract_by_name(self):
        """Rates share FRED's table; the fallback venues have their own."""
        by_source = source_contracts()
        assert by_source["fred_rates"] is by_source["fred"]
        assert by_source["coinbase"].table == "raw.coinbase__candles"
        assert set(by_source) == set(ALL_SOURCES)


class TestApis:
    def test_every_source_names_its_api_and_the_minute_klines_share_binance_s(self):
        """Each source the catalog can run maps to a base URL (else its run fails with a
        KeyError before extracting); the 1-minute klines take Binance's slots."""
        settings = load_settings()
        assert {s: api_of(s, settings) for s in ALL_SOURCES}["binance_klines_1m"] == "binance"

    @pytest.mark.parametrize(
        ("key", "url", "limit"),
        [
            # With a key FRED is called at fred_base_url; the limit is API then host:port.
            pytest.param("k", "http://127.0.0.1:8080/fred", "api-fred-127-0-0-1-8080", id="keyed"),
            # Without one it reads fredgraph (another API, so another limit) on the same host.
            pytest.param(
                "", "http://127.0.0.1:8080/fredgraph", "api-fredgraph-127-0-0-1-8080", id="keyless"
            ),
        ],
    )
    def test_a_keyless_fred_calls_fredgraph_under_its_own_limit(self, key, url, limit):
        settings = load_settings(
            fred_api_key=key,
            fred_base_url="http://127.0.0.1:8080/fred",
            fredgraph_base_url="http://127.0.0.1:8080/fredgraph",
        )
        assert base_url_for("fred_rates", settings) == url
        assert source_limit("fred_rates", settings) == limit

    def test_streams_are_submitted_round_robin_over_apis(self):
        settings = load_settings()
        keys = [("fred", "A"), ("fred", "B"), ("fred", "C"), ("binance", "X"), ("yahoo", "Y")]
        assert interleave(keys, settings) == [
            ("fred", "A"),
            ("binance", "X"),
            ("yahoo", "Y"),
            ("fred", "B"),
            ("fred", "C"),
        ]
