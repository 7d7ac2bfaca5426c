"""Per-host rate limits on a fake clock: request rates, Binance weight, pauses, bans, registry."""

from __future__ import annotations

import pytest

from sources._ratelimit import (
    HOST_POLICIES,
    RateLimits,
    RequestRate,
    RequestRateLimiter,
    WeightBudget,
    WeightLimiter,
    binance_weight,
)

from .conftest import CLOCK_START

T0 = CLOCK_START  # a UTC minute boundary
KLINES = "/api/v3/klines"
FULL_PAGE = {"symbol": "BTCUSDT", "interval": "1d", "limit": "1000"}


def waits(limiter, count: int, now: float = T0, path: str = KLINES, params=None) -> list[float]:
    """Book ``count`` requests all asked for at ``now``; the wait each one is given."""
    return [limiter.reserve(path, params or FULL_PAGE, now) for _ in range(count)]


class TestBinanceWeight:
    @pytest.mark.parametrize(
        ("path", "limit", "expected"),
        [
            # Spot klines cost 2 since 2023, whatever the limit.
            pytest.param("/api/v3/klines", "1000", 2, id="spot_klines_limit_1000"),
            pytest.param("/api/v3/klines", "10", 2, id="spot_klines_small_limit"),
            # Futures klines (mark/index too) cost by limit: [1,100) 1, [100,500) 2, ...
            pytest.param("/fapi/v1/markPriceKlines", "99", 1, id="mark_below_100"),
            pytest.param("/fapi/v1/indexPriceKlines", "499", 2, id="index_below_500"),
            # ... [500,1000] 5 ...
            pytest.param("/fapi/v1/markPriceKlines", "1000", 5, id="mark_at_1000"),
            # ... and above 1000 (up to 1500) 10.
            pytest.param("/fapi/v1/indexPriceKlines", "1500", 10, id="index_at_1500"),
            # No limit sent: Binance assumes 500, which weighs 5.
            pytest.param("/fapi/v1/markPriceKlines", None, 5, id="mark_default_limit"),
            # fundingRate has its own 500-per-5-minutes limit; it weighs 1 here.
            pytest.param("/fapi/v1/fundingRate", "1000", 1, id="funding_rate"),
        ],
    )
    def test_each_endpoint_costs_its_published_weight(self, path, limit, expected):
        """The weight table follows Binance's per-endpoint documentation."""
        params = {} if limit is None else {"limit": limit}
        assert binance_weight(path, params) == expected


class TestRequestRateLimiter:
    def test_fred_allows_120_requests_in_a_minute_then_waits_for_the_oldest(self):
        """FRED's 120/min: 120 go at once; the 121st waits until the first is 60 s old."""
        limiter = HOST_POLICIES["api.stlouisfed.org"].limiter()

        booked = waits(limiter, 121)

        assert booked[:120] == [0.0] * 120
        assert booked[120] == 60.0

    def test_coinbase_allows_ten_a_second(self):
        """Coinbase public: the 11th and 12th requests in one second wait one second."""
        limiter = HOST_POLICIES["api.exchange.coinbase.com"].limiter()

        assert waits(limiter, 12) == [0.0] * 10 + [1.0, 1.0]

    def test_kraken_spaces_requests_one_second_apart(self):
        """Kraken public: about 1 a second, so three requests at once wait 0, 1 and 2 s."""
        limiter = HOST_POLICIES["api.kraken.com"].limiter()

        assert waits(limiter, 3) == [0.0, 1.0, 2.0]

    def test_the_window_slides_with_the_clock(self):
        """Two a second: requests 0.6 and 0.9 s in wait 0.4 s; after a quiet spell none waits."""
        limiter = RequestRateLimiter(requests=2, per_s=1.0)

        booked = [limiter.reserve(KLINES, {}, T0 + offset) for offset in (0, 0.3, 0.6, 0.9, 2.5)]

        # 0.6 s waits for the 0 s request to be 1 s old (1.0); 0.9 s for the 0.3 s one (1.3).
        assert booked == [0.0, 0.0, pytest.approx(0.4), pytest.approx(0.4), 0.0]


class TestWeightLimiter:
    def test_spot_klines_at_weight_2_fit_3000_requests_in_a_minute(self):
        """6000 weight / 2 per full klines page: the 3001st request waits for the next minute."""
        limiter = WeightBudget(6000).limiter()

        booked = waits(limiter, 3001, now=T0 + 15)

        assert set(booked[:3000]) == {0.0}
        assert booked[3000] == 45.0  # from 15 s past the minute to the next minute

    def test_a_higher_server_count_in_the_header_is_adopted(self):
        """X-MBX-USED-WEIGHT-1M 5999 (other processes on this IP): the next page waits."""
        limiter = WeightBudget(6000).limiter()
        assert limiter.reserve(KLINES, FULL_PAGE, T0 + 10) == 0.0

        limiter.observe({"X-MBX-USED-WEIGHT-1M": "5999"}, T0 + 10)

        assert limiter.used == 5999
        assert limiter.reserve(KLINES, FULL_PAGE, T0 + 10) == 50.0

    def test_a_lower_server_count_does_not_undo_our_bookings(self):
        """A header of 2 while we booked 10 keeps 10: bookings may not have reached it yet."""
        limiter = WeightBudget(6000).limiter()
        waits(limiter, 5, now=T0 + 1)

        limiter.observe({"X-MBX-USED-WEIGHT-1M": "2"}, T0 + 1)

        assert limiter.used == 10

    def test_the_count_starts_again_each_minute(self):
        """A new UTC minute has a fresh budget: after a full minute the first request is free."""
        limiter = WeightLimiter(budget=4, weigh=binance_weight, window_s=60.0, used_header="X")

        first_minute = waits(limiter, 3, now=T0 + 30)
        next_minute = waits(limiter, 1, now=T0 + 61)

        assert first_minute == [0.0, 0.0, 30.0]
        # The third request was booked into the next minute: two of its four are used.
        assert next_minute == [0.0]
        assert limiter.used == 4

    def test_a_header_from_a_later_minute_replaces_the_count(self):
        """The server's count for a newer minute than ours becomes the count."""
        limiter = WeightBudget(2400).limiter()
        waits(limiter, 3, now=T0 + 1)

        limiter.observe({"X-MBX-USED-WEIGHT-1M": "7"}, T0 + 61)

        assert limiter.used == 7

    def test_a_missing_or_garbled_header_changes_nothing(self):
        """No header, or a non-number, leaves our own count."""
        limiter = WeightBudget(6000).limiter()
        waits(limiter, 2, now=T0)

        limiter.observe({}, T0)
        limiter.observe({"X-MBX-USED-WEIGHT-1M": "n/a"}, T0)

        assert limiter.used == 4


class TestPauseAndBan:
    def test_a_pause_holds_every_later_request_until_it_ends(self):
        """After pause_until(T0 + 30), a request at T0 + 5 waits 25 s, then the rate applies."""
        limiter = RequestRateLimiter(requests=10, per_s=1.0)

        limiter.pause_until(T0 + 30)

        assert waits(limiter, 2, now=T0 + 5) == [25.0, 25.0]
        assert limiter.reserve(KLINES, {}, T0 + 31) == 0.0

    def test_a_shorter_pause_never_shortens_a_longer_one(self):
        """Pauses only ever extend: the later end wins."""
        limiter = WeightBudget(6000).limiter()

        limiter.pause_until(T0 + 30)
        limiter.pause_until(T0 + 10)

        assert limiter.reserve(KLINES, FULL_PAGE, T0) == 30.0

    def test_a_ban_records_its_end_and_only_extends(self):
        """ban_until keeps the latest end; the client refuses to send before it."""
        limiter = WeightBudget(6000).limiter()

        limiter.ban_until(T0 + 120)
        limiter.ban_until(T0 + 60)

        assert limiter.banned_until == T0 + 120


class TestRateLimits:
    def test_clients_of_one_registry_share_the_hosts_limiter(self):
        """The same host and policy always give the same limiter object."""
        registry = RateLimits()

        first = registry.limiter("api.kraken.com")
        second = registry.limiter("api.kraken.com")

        assert first is second
        assert isinstance(first, RequestRateLimiter)

    def test_a_host_without_a_policy_is_unlimited(self):
        """The emulator's 127.0.0.1 has no published limit: no limiter."""
        assert RateLimits().limiter("127.0.0.1:8123") is None

    def test_an_override_policy_gets_its_own_limiter(self):
        """A per-client override (min_interval_s) does not share the default's state."""
        registry = RateLimits()

        default = registry.limiter("api.kraken.com")
        override = registry.limiter("api.kraken.com", RequestRate(1, 5.0))

        assert override is not default
        assert override.reserve(KLINES, {}, T0) == 0.0
        assert override.reserve(KLINES, {}, T0) == 5.0

    def test_binance_hosts_are_weight_limited_and_the_rest_by_rate(self):
        """Spot and futures Binance use weight budgets (6000 and 2400), others request rates."""
        policies = RateLimits().policies

        budgets = {h: p.budget for h, p in policies.items() if isinstance(p, WeightBudget)}

        assert budgets == {
            "api.binance.com": 6000,
            "data-api.binance.vision": 6000,
            "fapi.binance.com": 2400,
        }
        assert policies["api.stlouisfed.org"] == RequestRate(120, 60.0)
