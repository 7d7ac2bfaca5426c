"""The venue-fallback chain (sources.fallbacks): who stands in for a stream, and when."""

from __future__ import annotations

import logging

import pytest

from rotation_kernel.errors import (
    EmptyResponseError,
    SourceAPIError,
    SourceHTTPError,
    VenueUnavailableError,
)
from sources.fallbacks import extract_with_fallbacks, fallbacks, venue_is_down

GEO_BLOCK = VenueUnavailableError("451", url="u", status=451, reason="geo_blocked")
EXHAUSTED = SourceHTTPError("GET u failed after 5 attempts: ConnectionError", url="u")


class Venues:
    """An ``extract`` callback: each (source, stream) answers with its planned error or a value."""

    def __init__(self, errors: dict[tuple[str, str], Exception]) -> None:
        self.errors = errors
        self.calls: list[tuple[str, str]] = []

    def __call__(self, source: str, stream: str) -> str:
        self.calls.append((source, stream))
        if (source, stream) in self.errors:
            raise self.errors[(source, stream)]
        return f"spooled {source}/{stream}"


class TestFallbacks:
    @pytest.mark.parametrize(
        ("stream", "chain"),
        [
            pytest.param(
                "BTCUSDT", [("coinbase", "BTC-USD"), ("kraken", "XBTUSD")], id="both_list_btc"
            ),
            # Kraken names Dogecoin XDG: the asset code, not the ticker, is matched.
            pytest.param(
                "DOGEUSDT", [("coinbase", "DOGE-USD"), ("kraken", "XDGUSD")], id="kraken_xdg"
            ),
            pytest.param("BNBUSDT", [], id="bnb_listed_nowhere_else"),
        ],
    )
    def test_a_binance_symbol_falls_back_to_the_venues_that_list_its_asset(self, stream, chain):
        assert fallbacks("binance", stream) == chain

    def test_other_sources_have_no_stand_in(self):
        assert fallbacks("fred", "WALCL") == [] and fallbacks("binance_klines_1m", "BTCUSDT") == []

    @pytest.mark.parametrize(
        ("exc", "down"),
        [
            pytest.param(GEO_BLOCK, True, id="geo_block_451"),
            pytest.param(
                VenueUnavailableError("418", url="u", status=418, reason="banned"), True, id="ban"
            ),
            pytest.param(EXHAUSTED, True, id="http_retries_exhausted"),
            # An error payload answers our request: every venue would refuse it the same way.
            pytest.param(SourceAPIError("400", url="u", status=400), False, id="api_error_4xx"),
        ],
    )
    def test_a_venue_is_down_after_a_ban_a_block_or_exhausted_retries(self, exc, down):
        assert venue_is_down(exc) is down


class TestExtractWithFallbacks:
    def test_a_working_venue_is_used_and_no_other_is_asked(self):
        venues = Venues({})
        assert extract_with_fallbacks("binance", "BTCUSDT", venues) == (
            "binance",
            "spooled binance/BTCUSDT",
        )
        assert venues.calls == [("binance", "BTCUSDT")]

    def test_a_geo_blocked_symbol_comes_from_the_first_venue_that_works(self, caplog):
        venues = Venues({("binance", "BTCUSDT"): GEO_BLOCK, ("coinbase", "BTC-USD"): EXHAUSTED})
        with caplog.at_level(logging.WARNING, logger="rotation.fallbacks"):
            used = extract_with_fallbacks("binance", "BTCUSDT", venues)
        assert used == ("kraken", "spooled kraken/XBTUSD")
        assert venues.calls == [
            ("binance", "BTCUSDT"),
            ("coinbase", "BTC-USD"),
            ("kraken", "XBTUSD"),
        ]
        assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
            "unavailable",
            "fallback coinbase/BTC-USD failed too: GET u failed after 5 attempts: ConnectionError",
            "unavailable",
        ]

    def test_when_every_venue_fails_the_streams_own_error_is_raised(self):
        venues = Venues(
            {
                ("binance", "ETHUSDT"): EXHAUSTED,
                ("coinbase", "ETH-USD"): GEO_BLOCK,
                ("kraken", "ETHUSD"): EmptyResponseError("no candles"),
            }
        )
        with pytest.raises(SourceHTTPError) as info:
            extract_with_fallbacks("binance", "ETHUSDT", venues)
        assert info.value is EXHAUSTED
        assert len(venues.calls) == 3  # each venue once: the HTTP layer already retried

    def test_an_api_error_is_raised_at_once_without_asking_another_venue(self):
        bad_symbol = SourceAPIError("400 invalid symbol", url="u", status=400)
        venues = Venues({("binance", "BTCUSDT"): bad_symbol})
        with pytest.raises(SourceAPIError):
            extract_with_fallbacks("binance", "BTCUSDT", venues)
        assert venues.calls == [("binance", "BTCUSDT")]

    def test_a_failure_that_is_not_http_is_not_a_reason_to_fall_back(self):
        venues = Venues({("binance", "BTCUSDT"): EmptyResponseError("no klines")})
        with pytest.raises(EmptyResponseError):
            extract_with_fallbacks("binance", "BTCUSDT", venues)
        assert venues.calls == [("binance", "BTCUSDT")]
