"""Shared fixtures: a client that never really sleeps, and settings aimed at the local server."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from flows.settings import Settings
from flows.sources._http import HttpClient

# A made-up key: the redaction tests look for this exact string in errors and logs.
FAKE_FRED_KEY = "fake0fred0key0for0tests0only00"
TREASURY_PREFIX = "/services/api/fiscal_service"


class SleepRecorder(list[float]):
    """Stands in for time.sleep: records each requested delay and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


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
    )


@pytest.fixture
def client_log(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """Capture every record at DEBUG; calling it returns the client-side ones.

    werkzeug's records are the fake server's access log (it sees the raw URL, as the real
    API would), so they are left out.
    """
    caplog.set_level(logging.DEBUG)
    return lambda: [r for r in caplog.records if not r.name.startswith("werkzeug")]
