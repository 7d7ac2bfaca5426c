"""Shared fixtures: clients that never really sleep, a fake clock, settings aimed at the server."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from rotation_kernel.settings import Settings
from sources._http import HttpClient
from sources._ratelimit import RateLimits, RatePolicy

# A minute boundary (2024-03-01 12:00:00 UTC): Binance's weight windows are UTC minutes.
CLOCK_START = 1_709_294_400.0

# A made-up key: the redaction tests look for this exact string in errors and logs.
FAKE_FRED_KEY = "fake0fred0key0for0tests0only00"
TREASURY_PREFIX = "/services/api/fiscal_service"


class SleepRecorder(list[float]):
    """Stands in for time.sleep: records each requested delay and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeClock:
    """A clock that moves only when slept on: ``sleep`` records the delay and advances time."""

    def __init__(self, start: float = CLOCK_START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def host(httpserver: HTTPServer) -> str:
    """The local server's ``host:port``, as the rate limiter keys it."""
    return f"{httpserver.host}:{httpserver.port}"


@pytest.fixture
def limited_http(clock: FakeClock, host: str) -> Callable[..., HttpClient]:
    """Build a client whose limiter for the local server follows ``policy``, on the fake clock.

    Each call gets its own registry, so no limiter state leaks between tests.
    """

    def build(policy: RatePolicy, *, registry: RateLimits | None = None) -> HttpClient:
        return HttpClient(
            max_attempts=3,
            sleep=clock.sleep,
            clock=clock,
            rate_limits=registry or RateLimits({host: policy}),
        )

    return build


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def http(sleeps: SleepRecorder) -> HttpClient:
    """Three attempts, 0.5 s backoff base, 30 s cap; every wait lands in ``sleeps``."""
    return HttpClient(
        connect_timeout_s=2.0,
        read_timeout_s=5.0,
        max_attempts=3,
        backoff_base_s=0.5,
        backoff_cap_s=30.0,
        sleep=sleeps,
    )


@pytest.fixture
def fred_key() -> str:
    return FAKE_FRED_KEY


@pytest.fixture
def base_url(httpserver: HTTPServer) -> str:
    return httpserver.url_for("").rstrip("/")


@pytest.fixture
def settings(httpserver: HTTPServer, base_url: str) -> Settings:
    """Every base URL points at the local server (Treasury keeps its real path prefix)."""
    return Settings(
        fred_api_key=SecretStr(FAKE_FRED_KEY),
        fred_base_url=base_url,
        treasury_base_url=httpserver.url_for(TREASURY_PREFIX),
        yahoo_base_url=base_url,
        binance_base_url=base_url,
        coinbase_base_url=base_url,
        kraken_base_url=base_url,
        binance_futures_base_url=base_url,
        fredgraph_base_url=base_url,
    )


@pytest.fixture
def client_log(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """Capture every record at DEBUG; calling it returns the client-side ones.

    werkzeug's records are the fake server's access log (it sees the raw URL, as the real
    API would), so they are left out.
    """
    caplog.set_level(logging.DEBUG)
    return lambda: [r for r in caplog.records if not r.name.startswith("werkzeug")]
