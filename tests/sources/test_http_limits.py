"""HttpClient with per-host limits on a fake clock: 418/451 mean "fall back", weights, pauses."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import SourceAPIError, SourceHTTPError, VenueUnavailableError
from sources._ratelimit import HOST_POLICIES, RateLimits, RequestRate, WeightBudget

from . import wire
from .conftest import CLOCK_START

KLINES_PATH = "/api/v3/klines"
FULL_PAGE = {"symbol": "BTCUSDT", "interval": "1d", "limit": 1000}
BANNED_BODY = {
    "code": -1003,
    "msg": "Way too much request weight used; IP banned until 1709294700000. "
    "Please use WebSocket Streams for live updates to avoid bans.",
}
GEO_BODY = {
    "code": 0,
    "msg": "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error.",
}


class TestGetVenueUnavailable:
    def test_418_is_a_ban_raised_at_once_for_a_fallback(
        self, httpserver: HTTPServer, limited_http, clock
    ):
        """HTTP 418 with Retry-After 300: VenueUnavailableError("banned"), one request, no wait."""
        httpserver.expect_request(KLINES_PATH).respond_with_json(
            BANNED_BODY, status=418, headers={"Retry-After": "300"}
        )
        http = limited_http(WeightBudget(6000))

        with pytest.raises(VenueUnavailableError, match="IP banned until") as info:
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        assert (info.value.reason, info.value.status, info.value.retry_after_s) == (
            "banned",
            418,
            300.0,
        )
        assert isinstance(info.value, SourceAPIError)
        assert len(httpserver.log) == 1
        assert clock.sleeps == []

    def test_during_a_ban_nothing_is_sent_until_it_ends(
        self, httpserver: HTTPServer, limited_http, clock
    ):
        """Requests during the ban fail without reaching the host; after 300 s they go again."""
        httpserver.expect_oneshot_request(KLINES_PATH).respond_with_json(
            BANNED_BODY, status=418, headers={"Retry-After": "300"}
        )
        httpserver.expect_request(KLINES_PATH).respond_with_json([])
        http = limited_http(WeightBudget(6000))
        with pytest.raises(VenueUnavailableError):
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)
        clock.now += 120

        with pytest.raises(VenueUnavailableError, match="not sent") as info:
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)
        assert info.value.retry_after_s == 180.0
        assert len(httpserver.log) == 1

        clock.now += 181
        assert http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE) == []
        assert len(httpserver.log) == 2

    def test_418_without_retry_after_bans_for_binances_shortest_ban(
        self, httpserver: HTTPServer, limited_http, clock
    ):
        """No Retry-After: the host is left alone for 120 s, Binance's shortest ban."""
        httpserver.expect_request(KLINES_PATH).respond_with_json(BANNED_BODY, status=418)
        http = limited_http(WeightBudget(6000))
        with pytest.raises(VenueUnavailableError):
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        limiter = http.rate_limits.limiter(f"{httpserver.host}:{httpserver.port}")

        assert limiter.banned_until == CLOCK_START + 120

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [
            pytest.param(GEO_BODY, "application/json", id="binance_json"),
            pytest.param("<html>403 ERROR</html>", "text/html", id="cdn_html_page"),
        ],
    )
    def test_451_is_a_geo_block_never_retried(
        self, httpserver: HTTPServer, limited_http, clock, body, content_type
    ):
        """HTTP 451, JSON or HTML: VenueUnavailableError("geo_blocked") after one request."""
        payload = body if isinstance(body, str) else json.dumps(body)
        httpserver.expect_request(KLINES_PATH).respond_with_data(
            payload, status=451, content_type=content_type
        )
        http = limited_http(WeightBudget(6000))

        with pytest.raises(VenueUnavailableError) as info:
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        assert (info.value.reason, info.value.status) == ("geo_blocked", 451)
        assert "fall back to another venue" in str(info.value)
        assert len(httpserver.log) == 1
        assert clock.sleeps == []

    def test_a_geo_block_does_not_stop_later_requests(self, httpserver: HTTPServer, limited_http):
        """451 is not a ban: the next request is sent (and answered) as usual."""
        httpserver.expect_oneshot_request(KLINES_PATH).respond_with_json(GEO_BODY, status=451)
        httpserver.expect_request(KLINES_PATH).respond_with_json([[1]])
        http = limited_http(WeightBudget(6000))
        with pytest.raises(VenueUnavailableError):
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        assert http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE) == [[1]]
        assert len(httpserver.log) == 2

    def test_418_from_an_unlimited_host_still_means_fall_back(
        self, httpserver: HTTPServer, http, sleeps
    ):
        """Without a policy (the emulator) a 418 is still classified; no ban is kept."""
        httpserver.expect_oneshot_request(KLINES_PATH).respond_with_json(
            BANNED_BODY, status=418, headers={"Retry-After": "60"}
        )
        httpserver.expect_request(KLINES_PATH).respond_with_json([])

        with pytest.raises(VenueUnavailableError) as info:
            http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        assert info.value.reason == "banned"
        assert http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE) == []
        assert sleeps == []


class TestGetWithRateLimits:
    def test_fred_policy_holds_the_121st_request_of_a_minute(
        self, httpserver: HTTPServer, limited_http, clock
    ):
        """FRED's 120 requests a minute: 120 go at once, the 121st sleeps 60 s on the clock."""
        httpserver.expect_request("/fred/series/observations").respond_with_json({"count": 0})
        http = limited_http(HOST_POLICIES["api.stlouisfed.org"])

        for _ in range(121):
            http.get_json(httpserver.url_for("/fred/series/observations"))

        assert clock.sleeps == [60.0]
        assert len(httpserver.log) == 121

    def test_the_used_weight_header_makes_the_next_request_wait_for_the_minute(
        self, httpserver: HTTPServer, limited_http, clock
    ):
        """X-MBX-USED-WEIGHT-1M 5999 of 6000: the next klines page (weight 2) waits 60 s."""
        httpserver.expect_request(KLINES_PATH).respond_with_json(
            [], headers=wire.binance_weight_headers(5999)
        )
        http = limited_http(WeightBudget(6000))

        http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)
        http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        assert clock.sleeps == [60.0]

    def test_429_with_retry_after_holds_other_clients_of_the_host(
        self, httpserver: HTTPServer, limited_http, clock, host
    ):
        """One client's 429 (Retry-After 7) makes another client of the host wait 7 s too."""
        httpserver.expect_oneshot_request(KLINES_PATH).respond_with_json(
            {"code": -1003, "msg": "Too many requests."}, status=429, headers={"Retry-After": "7"}
        )
        httpserver.expect_request(KLINES_PATH).respond_with_json([])
        registry = RateLimits({host: WeightBudget(6000)})
        first = limited_http(WeightBudget(6000), registry=registry)
        first.max_attempts = 1
        second = limited_http(WeightBudget(6000), registry=registry)
        with pytest.raises(SourceHTTPError, match="HTTP 429"):
            first.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE)

        assert second.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE) == []
        assert clock.sleeps == [7.0]

    def test_429_then_success_waits_retry_after_only_once(
        self, httpserver: HTTPServer, limited_http, clock
    ):
        """The client that got the 429 waits 7 s once: the host pause has passed by then."""
        httpserver.expect_oneshot_request(KLINES_PATH).respond_with_data(
            "", status=429, headers={"Retry-After": "7"}
        )
        httpserver.expect_request(KLINES_PATH).respond_with_json([])
        http = limited_http(WeightBudget(6000))

        assert http.get_json(httpserver.url_for(KLINES_PATH), FULL_PAGE) == []
        assert clock.sleeps == [7.0]

    def test_min_interval_override_beats_the_registry_policy(
        self, httpserver: HTTPServer, limited_http, clock, host
    ):
        """min_interval_s {host: 2.0} spaces requests 2 s apart instead of the policy's rate."""
        httpserver.expect_request("/data").respond_with_json({})
        http = limited_http(RequestRate(100, 1.0))
        http.min_interval_s = {host: 2.0}

        for _ in range(3):
            http.get_json(httpserver.url_for("/data"))

        assert clock.sleeps == [2.0, 2.0]
