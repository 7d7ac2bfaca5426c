"""Per-host rate limits (request rates, Binance weight), bans and refusals, on an injectable clock.

Limiters never sleep: :meth:`HostLimiter.reserve` books the next free slot and returns how long
the caller must wait, so the HTTP client sleeps with its own (injectable) ``sleep`` and tests
drive everything from a fake clock. One limiter per host serves the whole process.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

# Statuses that mean "this venue will not serve us": never retried; the caller falls back.
FALL_BACK_STATUSES: dict[int, Literal["banned", "geo_blocked"]] = {
    418: "banned",  # Binance: IP banned for ignoring 429s (Retry-After says how long)
    451: "geo_blocked",  # unavailable for legal reasons, e.g. Binance from a restricted region
}


Weigher = Callable[[str, Mapping[str, str]], int]

# Binance futures klines (mark and index included) weigh by ``limit``: [1,100) 1, [100,500) 2,
# [500,1000] 5, above 1000 10. Spot klines weigh 2 whatever the limit.
FAPI_KLINE_PATHS = (
    "/fapi/v1/klines",
    "/fapi/v1/markPriceKlines",
    "/fapi/v1/indexPriceKlines",
    "/fapi/v1/premiumIndexKlines",
    "/fapi/v1/continuousKlines",
)
SPOT_KLINES_WEIGHT = 2
BINANCE_DEFAULT_LIMIT = 500  # what Binance assumes when a request sends no `limit`
# A 418 without Retry-After: Binance's shortest ban is 2 minutes (repeat offences scale to 3 days).
DEFAULT_BAN_S = 120.0


def binance_weight(path: str, params: Mapping[str, str]) -> int:
    """The request weight Binance charges for one GET.

    Args:
        path: the URL path, e.g. ``/api/v3/klines``.
        params: the query parameters as sent.

    Returns:
        The weight; 1 for endpoints not listed here (fundingRate has its own 500 per 5 min
        limit outside the weight budget, far above what the pipeline sends).
    """
    if path.endswith("/api/v3/klines"):
        return SPOT_KLINES_WEIGHT
    if path.endswith(FAPI_KLINE_PATHS):
        limit = int(params.get("limit", BINANCE_DEFAULT_LIMIT))
        return 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10
    return 1


class HostLimiter:
    """The state every limiter shares: a pause (after a 429) and a ban (after a 418).

    Subclasses decide when the next request may start (:meth:`_grant`) and may learn from
    response headers (:meth:`observe`). All times are seconds on the caller's clock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self.banned_until = 0.0

    def reserve(self, path: str, params: Mapping[str, str], now: float) -> float:
        """Book a slot for one request.

        Args:
            path / params: the request, for limiters that charge by endpoint.
            now: the current time.

        Returns:
            Seconds to wait before sending (0.0 when the request may go at once).
        """
        with self._lock:
            return max(0.0, self._grant(path, params, max(now, self._paused_until)) - now)

    def _grant(self, path: str, params: Mapping[str, str], earliest: float) -> float:
        raise NotImplementedError

    def observe(self, headers: Mapping[str, str], now: float) -> None:
        """Learn from a response's headers (the base limiter reads none)."""

    def pause_until(self, until: float) -> None:
        """Hold every request to the host until ``until`` (a 429 speaks for the whole host)."""
        with self._lock:
            self._paused_until = max(self._paused_until, until)

    def ban_until(self, until: float) -> None:
        """Send nothing to the host before ``until``: requests during a ban extend it."""
        with self._lock:
            self.banned_until = max(self.banned_until, until)


class RequestRateLimiter(HostLimiter):
    """At most ``requests`` starts in any ``per_s`` seconds; slots are granted in order."""

    def __init__(self, requests: int, per_s: float) -> None:
        super().__init__()
        self.requests = requests
        self.per_s = per_s
        self._granted: deque[float] = deque(maxlen=requests)

    def _grant(self, path: str, params: Mapping[str, str], earliest: float) -> float:
        at = earliest
        if self._granted:
            at = max(at, self._granted[-1])
            if len(self._granted) == self.requests:
                at = max(at, self._granted[0] + self.per_s)
        self._granted.append(at)
        return at


class WeightLimiter(HostLimiter):
    """A request-weight budget per fixed clock window (Binance: per UTC minute).

    Each request is charged ``weigh(path, params)``; a request that would overdraw the window
    waits for the next one. The server's own count (``X-MBX-USED-WEIGHT-1M``) also covers
    other processes on the same IP, so a higher count in a response replaces ours.
    """

    def __init__(self, budget: int, weigh: Weigher, window_s: float, used_header: str) -> None:
        super().__init__()
        self.budget = budget
        self.weigh = weigh
        self.window_s = window_s
        self.used_header = used_header
        self._window = 0
        self.used = 0

    def _grant(self, path: str, params: Mapping[str, str], earliest: float) -> float:
        weight = self.weigh(path, params)
        # Never book into a window before one already booked: slots are granted in order.
        at = max(earliest, self._window * self.window_s)
        window = math.floor(at / self.window_s)
        if window > self._window:
            self._window, self.used = window, 0
        if self.used + weight > self.budget:
            self._window, self.used = self._window + 1, 0
            at = self._window * self.window_s
        self.used += weight
        return at

    def observe(self, headers: Mapping[str, str], now: float) -> None:
        value = headers.get(self.used_header, "")
        if not value.isdigit():
            return
        window = math.floor(now / self.window_s)
        with self._lock:
            if window == self._window:
                self.used = max(self.used, int(value))
            elif window > self._window:
                self._window, self.used = window, int(value)


@dataclass(frozen=True)
class RequestRate:
    """A policy: at most ``requests`` starts in any ``per_s`` seconds."""

    requests: int
    per_s: float

    def limiter(self) -> HostLimiter:
        return RequestRateLimiter(self.requests, self.per_s)


@dataclass(frozen=True)
class WeightBudget:
    """A policy: ``budget`` request weight per ``window_s``, read back from ``used_header``."""

    budget: int
    weigh: Weigher = binance_weight
    window_s: float = 60.0
    used_header: str = "X-MBX-USED-WEIGHT-1M"

    def limiter(self) -> HostLimiter:
        return WeightLimiter(self.budget, self.weigh, self.window_s, self.used_header)


RatePolicy = RequestRate | WeightBudget

# Published limits of the real hosts. The emulator and test servers have none.
HOST_POLICIES: dict[str, RatePolicy] = {
    "api.stlouisfed.org": RequestRate(120, 60.0),  # FRED: 120 requests a minute per key
    "fred.stlouisfed.org": RequestRate(120, 60.0),  # fredgraph.csv: unpublished; held to the API's
    "query1.finance.yahoo.com": RequestRate(1, 0.25),  # unofficial API that throttles bursts
    "api.exchange.coinbase.com": RequestRate(10, 1.0),  # public endpoints: 10 a second per IP
    "api.kraken.com": RequestRate(1, 1.0),  # public endpoints: about 1 a second
    "api.binance.com": WeightBudget(6000),  # spot: 6000 weight a minute per IP
    "data-api.binance.vision": WeightBudget(6000),  # spot market data, spot limits
    "fapi.binance.com": WeightBudget(2400),  # USD-M futures: 2400 weight a minute per IP
}


class RateLimits:
    """One limiter per (host, policy), shared by every client that uses this registry.

    Args:
        policies: host -> policy; the real hosts' published limits by default.
    """

    def __init__(self, policies: Mapping[str, RatePolicy] | None = None) -> None:
        self.policies = dict(HOST_POLICIES if policies is None else policies)
        self._limiters: dict[tuple[str, RatePolicy], HostLimiter] = {}
        self._lock = threading.Lock()

    def limiter(self, host: str, policy: RatePolicy | None = None) -> HostLimiter | None:
        """The shared limiter for one host.

        Args:
            host: ``host[:port]`` as in the URL.
            policy: overrides the registry's policy for the host (its own limiter).

        Returns:
            The limiter, or None for a host with no policy (no limit).
        """
        policy = policy or self.policies.get(host)
        if policy is None:
            return None
        with self._lock:
            if (host, policy) not in self._limiters:
                self._limiters[(host, policy)] = policy.limiter()
            return self._limiters[(host, policy)]


# Concurrent tasks each build their own HttpClient; sharing this registry keeps them together
# under each host's limit.
PROCESS_RATE_LIMITS = RateLimits()
