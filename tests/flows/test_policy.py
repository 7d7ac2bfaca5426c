"""Task policy (flows.policy) without a flow run: which layer retries what, timeouts, cache keys."""

from __future__ import annotations

import socket
from datetime import date
from types import SimpleNamespace

import pytest
import requests

from flows import policy
from rotation_kernel.errors import (
    SchemaDriftError,
    SourceAPIError,
    SourceHTTPError,
    StreamTimeoutError,
    VenueUnavailableError,
)
from rotation_kernel.settings import load_settings
from sources._http import HttpClient
from sources.fallbacks import extract_with_fallbacks

CLOSED = (date(2022, 1, 3), date(2022, 2, 25))  # long before any source's revision lookback


def failed_state(exc: BaseException) -> SimpleNamespace:
    """What Prefect hands a retry condition: a state whose result() re-raises the failure."""

    def result():
        raise exc

    return SimpleNamespace(result=result)


def closed_port() -> int:
    """A loopback port nothing listens on: a connection there is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestRetryLayers:
    @pytest.mark.parametrize(
        ("exc", "retried"),
        [
            pytest.param(StreamTimeoutError("past its time limit"), True, id="stream_time_limit"),
            # Prefect's slot waits raise TimeoutError subclasses (AcquireConcurrencySlotTimeout).
            pytest.param(TimeoutError("slot wait timed out"), True, id="lock_wait"),
            # _http.py retried these already (or must never retry them): the task does not.
            pytest.param(SourceHTTPError("503 x5", url="u", status=503), False, id="exhausted_5xx"),
            pytest.param(SourceHTTPError("refused x5", url="u"), False, id="unreachable_host"),
            pytest.param(SourceAPIError("400 bad symbol", url="u", status=400), False, id="4xx"),
            pytest.param(
                VenueUnavailableError("451", url="u", status=451, reason="geo_blocked"),
                False,
                id="geo_block",
            ),
            pytest.param(SchemaDriftError("fred", "value", "renamed"), False, id="drift"),
            pytest.param(KeyError("bug"), False, id="our_bug"),
        ],
    )
    def test_the_task_retries_only_what_the_http_layer_cannot(self, exc, retried):
        assert policy.is_transient(exc) is retried
        assert policy.retry_transient(None, None, failed_state(exc)) is retried

    def test_an_unreachable_host_is_tried_http_max_attempts_times_per_request_in_all(self):
        """Connection refused on every try: _http.py tries exactly http_max_attempts (3) times,
        the fallback chain asks no other venue for FRED, and the task's retry condition says
        no: 3 connection attempts in all, not 3 x (task retries + 1) = 9."""
        settings = load_settings(http_max_attempts=3, http_backoff_base_s=0)
        sleeps: list[float] = []
        http = HttpClient.from_settings(settings, sleep=sleeps.append)
        sent = []
        real_send = http.session.send

        def counting_send(request, **kwargs):
            sent.append(request.url)
            return real_send(request, **kwargs)

        http.session.send = counting_send
        url = f"http://127.0.0.1:{closed_port()}/fred/series/observations"
        with pytest.raises(SourceHTTPError) as info:
            extract_with_fallbacks("fred", "WALCL", lambda source, stream: http.get_json(url))
        assert len(sent) == 3 and len(sleeps) == 2  # a backoff between tries, none after
        assert str(info.value).endswith("failed after 3 attempts: ConnectionError")
        options = policy.task_options("fred", settings)
        assert options["retries"] == 2  # kept for time limits and lock waits...
        assert options["retry_condition_fn"](None, None, failed_state(info.value)) is False

    def test_a_refused_connection_is_a_requests_connection_error_not_a_timeout(self):
        """Why the task never sees it as transient: _http.py wraps it as SourceHTTPError."""
        with pytest.raises(requests.ConnectionError) as info:
            requests.get(f"http://127.0.0.1:{closed_port()}/", timeout=2)
        assert not isinstance(info.value, TimeoutError)

    def test_task_options_back_off_exponentially_with_jitter_per_source(self):
        settings = load_settings(task_retry_delay_s=10)
        binance = policy.task_options("binance", settings)
        assert binance["retries"] == policy.task_options("fred", settings)["retries"] == 2
        assert policy.policy_for("binance").timeout_s == 3600
        assert policy.policy_for("fred").timeout_s == 1800
        assert binance["retry_delay_seconds"](2) == [10, 20]  # 10 s, then 2 x 10 s
        assert binance["retry_jitter_factor"] == 0.5

    def test_the_minute_klines_run_under_binance_s_policy(self):
        """Same API as the daily klines (sources.catalog.api_of), so the same slots and limits."""
        assert policy.policy_for("binance_klines_1m") == policy.policy_for("binance")


class TestCacheKey:
    def test_the_cache_key_names_source_stream_window_and_server(self):
        a = policy.extraction_key("fred", "WALCL", *CLOSED, "http://127.0.0.1:1/fred")
        b = policy.extraction_key("fred", "WALCL", *CLOSED, "https://api.stlouisfed.org")
        assert a.startswith("extract-fred-WALCL-20220103-20220225-") and a != b

    @pytest.mark.parametrize(
        ("end", "closed"),
        [
            pytest.param(date(2024, 6, 25), True, id="35_days_and_one_before"),
            pytest.param(date(2024, 6, 26), False, id="exactly_35_days_before"),
        ],
    )
    def test_a_window_is_closed_once_the_lookback_no_longer_reaches_it(self, end, closed):
        # 2024-06-26 + 35 days = 2024-07-31: still inside the lookback on that day.
        assert policy.window_is_closed(end, 35, today=date(2024, 7, 31)) is closed
