"""HttpClient: retries, Retry-After, error payloads, headers and redaction of secrets."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests
from pytest_httpserver import HTTPServer
from requests.adapters import HTTPAdapter

from rotation_kernel.errors import SourceAPIError, SourceHTTPError
from sources._http import USER_AGENT, HttpClient, retry_after_seconds, sanitize_url

from .conftest import SleepRecorder

PATH = "/data"


class FlakyAdapter(HTTPAdapter):
    """A transport that raises ``error`` for the first ``failures`` sends, recording each URL."""

    def __init__(self, failures: int, error: type[Exception] = requests.ConnectionError) -> None:
        super().__init__()
        self.failures = failures
        self.error = error
        self.urls: list[str] = []

    def send(self, request, **kwargs):  # type: ignore[override]
        self.urls.append(request.url)
        if self.failures:
            self.failures -= 1
            raise self.error("connection reset by peer")
        return super().send(request, **kwargs)


def flaky_client(sleeps: SleepRecorder, adapter: FlakyAdapter, **kwargs) -> HttpClient:
    session = requests.Session()
    session.mount("http://", adapter)
    return HttpClient(max_attempts=3, sleep=sleeps, session=session, **kwargs)


class TestGet:
    def test_single_page_is_returned_after_one_request(self, httpserver: HTTPServer, http):
        """A 200 JSON answer is decoded and costs exactly one request and no sleep."""
        httpserver.expect_request(PATH).respond_with_json({"rows": [1, 2, 3]})

        assert http.get_json(httpserver.url_for(PATH)) == {"rows": [1, 2, 3]}
        assert len(httpserver.log) == 1
        assert http.sleep == []

    def test_user_agent_and_accept_headers_are_sent(self, httpserver: HTTPServer, http):
        """Every request names the pipeline in User-Agent and asks for JSON."""
        httpserver.expect_request(PATH).respond_with_json({})

        http.get_json(httpserver.url_for(PATH))

        request = httpserver.log[0][0]
        assert request.headers["User-Agent"] == USER_AGENT
        assert request.headers["Accept"] == "application/json"

    def test_429_waits_exactly_the_retry_after_seconds(self, httpserver: HTTPServer, http, sleeps):
        """A 429 with Retry-After: 7 sleeps 7 s once, then the retry succeeds."""
        httpserver.expect_oneshot_request(PATH).respond_with_data(
            "slow down", status=429, headers={"Retry-After": "7"}
        )
        httpserver.expect_request(PATH).respond_with_json({"ok": 1})

        assert http.get_json(httpserver.url_for(PATH)) == {"ok": 1}
        assert sleeps == [7.0]
        assert len(httpserver.log) == 2

    def test_retry_after_beyond_the_cap_waits_only_the_cap(
        self, httpserver: HTTPServer, http, sleeps
    ):
        """Retry-After: 120 is honoured only up to backoff_cap_s (30 s)."""
        httpserver.expect_oneshot_request(PATH).respond_with_data(
            "", status=429, headers={"Retry-After": "120"}
        )
        httpserver.expect_request(PATH).respond_with_json({"ok": 1})

        http.get_json(httpserver.url_for(PATH))

        assert sleeps == [30.0]

    def test_5xx_then_success_backs_off_within_the_jitter_ceiling(
        self, httpserver: HTTPServer, http, sleeps
    ):
        """503 then 502 then 200: two waits, each within base * 2**(attempt-1)."""
        httpserver.expect_ordered_request(PATH).respond_with_data("down", status=503)
        httpserver.expect_ordered_request(PATH).respond_with_data("bad gateway", status=502)
        httpserver.expect_ordered_request(PATH).respond_with_json({"ok": 1})

        assert http.get_json(httpserver.url_for(PATH)) == {"ok": 1}
        assert len(sleeps) == 2
        assert 0.0 <= sleeps[0] <= 0.5  # attempt 1: full jitter in [0, 0.5 * 2**0]
        assert 0.0 <= sleeps[1] <= 1.0  # attempt 2: full jitter in [0, 0.5 * 2**1]

    def test_connection_error_then_success_retries(self, httpserver: HTTPServer, sleeps):
        """A dropped connection is retried; the second send reaches the server."""
        httpserver.expect_request(PATH).respond_with_json({"ok": 1})
        adapter = FlakyAdapter(failures=1)
        client = flaky_client(sleeps, adapter)

        assert client.get_json(httpserver.url_for(PATH)) == {"ok": 1}
        assert len(adapter.urls) == 2
        assert len(sleeps) == 1
        assert len(httpserver.log) == 1

    def test_chunked_encoding_error_is_retried(self, httpserver: HTTPServer, sleeps):
        """A body cut off mid-stream counts as a transient failure, like a reset."""
        httpserver.expect_request(PATH).respond_with_json({"ok": 1})
        adapter = FlakyAdapter(failures=1, error=requests.exceptions.ChunkedEncodingError)
        client = flaky_client(sleeps, adapter)

        assert client.get_json(httpserver.url_for(PATH)) == {"ok": 1}
        assert len(adapter.urls) == 2

    def test_exhausted_retries_raise_source_http_error_with_the_last_status(
        self, httpserver: HTTPServer, http, sleeps
    ):
        """Three 503s exhaust max_attempts=3: SourceHTTPError(status=503), two waits."""
        httpserver.expect_request(PATH).respond_with_data("down", status=503)

        with pytest.raises(SourceHTTPError, match="failed after 3 attempts: HTTP 503") as info:
            http.get_json(httpserver.url_for(PATH))

        assert info.value.status == 503
        assert not isinstance(info.value, SourceAPIError)
        assert len(httpserver.log) == 3
        assert len(sleeps) == 2

    def test_exhausted_connection_errors_raise_without_a_status(self, sleeps):
        """A host that never answers ends in SourceHTTPError naming the error type."""
        adapter = FlakyAdapter(failures=99)
        client = flaky_client(sleeps, adapter)

        with pytest.raises(SourceHTTPError, match="ConnectionError") as info:
            client.get_json("http://127.0.0.1:9/never")

        assert info.value.status is None
        assert len(adapter.urls) == 3

    def test_4xx_json_error_payload_is_raised_at_once(self, httpserver: HTTPServer, http, sleeps):
        """An HTTP 400 JSON error body raises SourceAPIError after one request, no retry."""
        httpserver.expect_request(PATH).respond_with_json(
            {"code": -1121, "msg": "Invalid symbol."}, status=400
        )

        with pytest.raises(SourceAPIError, match="Invalid symbol") as info:
            http.get_json(httpserver.url_for(PATH))

        assert info.value.status == 400
        assert len(httpserver.log) == 1
        assert sleeps == []

    def test_4xx_html_error_is_an_http_error_not_an_api_error(self, httpserver: HTTPServer, http):
        """A 404 HTML page is a SourceHTTPError: no API error payload was sent."""
        httpserver.expect_request(PATH).respond_with_data(
            "<html>gone</html>", status=404, content_type="text/html"
        )

        with pytest.raises(SourceHTTPError, match="HTTP 404") as info:
            http.get_json(httpserver.url_for(PATH))

        assert type(info.value) is SourceHTTPError
        assert len(httpserver.log) == 1

    def test_a_body_that_is_not_json_raises_source_http_error(self, httpserver: HTTPServer, http):
        """A 200 HTML body cannot be decoded: SourceHTTPError saying so."""
        httpserver.expect_request(PATH).respond_with_data("<html></html>", status=200)

        with pytest.raises(SourceHTTPError, match="not JSON"):
            http.get_json(httpserver.url_for(PATH))

    def test_a_body_that_is_not_json_once_is_retried(self, httpserver: HTTPServer, http, sleeps):
        """An HTML page with status 200, then JSON: one retry, the JSON is returned."""
        httpserver.expect_ordered_request(PATH).respond_with_data("<html></html>", status=200)
        httpserver.expect_ordered_request(PATH).respond_with_json({"ok": 1})

        assert http.get_json(httpserver.url_for(PATH)) == {"ok": 1}
        assert len(sleeps) == 1

    def test_get_json_page_returns_the_body_as_received_and_decoded(
        self, httpserver: HTTPServer, http
    ):
        """The bytes exactly as sent (spacing kept) next to the decoded page."""
        httpserver.expect_request(PATH).respond_with_data(
            "[1,  2]", content_type="application/json"
        )

        assert http.get_json_page(httpserver.url_for(PATH)) == (b"[1,  2]", [1, 2])

    def test_per_host_minimum_interval_spaces_requests(self, httpserver: HTTPServer, sleeps):
        """With a 1 s interval for the host, the second request waits about 1 s."""
        httpserver.expect_request(PATH).respond_with_json({})
        host = httpserver.url_for("").split("//")[1].rstrip("/")
        client = HttpClient(min_interval_s={host: 1.0}, sleep=sleeps)

        client.get_json(httpserver.url_for(PATH))
        client.get_json(httpserver.url_for(PATH))

        assert len(sleeps) == 1
        assert 0.5 < sleeps[0] <= 1.0


class TestRedaction:
    def test_api_key_is_redacted_from_an_echoed_error_body(
        self, httpserver: HTTPServer, sleeps, fred_key
    ):
        """A 400 body that echoes the key shows *** in the message, URL and body."""
        httpserver.expect_request(PATH).respond_with_json(
            {"error_code": 400, "error_message": f"Bad key {fred_key}"}, status=400
        )
        client = HttpClient(secrets=[fred_key], sleep=sleeps)

        with pytest.raises(SourceAPIError) as info:
            client.get_json(httpserver.url_for(PATH), {"api_key": fred_key, "series_id": "X"})

        assert fred_key not in str(info.value)
        assert fred_key not in info.value.url
        assert "api_key=***" in info.value.url
        assert "Bad key ***" in str(info.value)

    def test_api_key_never_reaches_log_records_at_debug(
        self, httpserver: HTTPServer, http, fred_key, client_log
    ):
        """Retry warnings and urllib3's own DEBUG request lines both show api_key=***."""
        httpserver.expect_oneshot_request(PATH).respond_with_data("down", status=503)
        httpserver.expect_request(PATH).respond_with_json({})

        http.get_json(httpserver.url_for(PATH), {"api_key": fred_key})

        messages = [record.getMessage() for record in client_log()]
        urllib3_lines = [r for r in client_log() if r.name.startswith("urllib3")]
        assert urllib3_lines, "urllib3 logs each request at DEBUG; the filter must see them"
        assert all(fred_key not in message for message in messages)
        assert any("api_key=***" in message for message in messages)

    def test_api_key_is_redacted_from_exhausted_retry_errors(self, sleeps, fred_key):
        """After connection failures the error names the URL with api_key=***."""
        client = flaky_client(sleeps, FlakyAdapter(failures=99), secrets=[fred_key])

        with pytest.raises(SourceHTTPError) as info:
            client.get_json("http://127.0.0.1:9/obs", {"api_key": fred_key})

        assert fred_key not in str(info.value)
        assert info.value.url == "http://127.0.0.1:9/obs?api_key=***"


class TestSanitizeUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            pytest.param(
                "https://api.stlouisfed.org/fred/series/observations?series_id=WALCL&api_key=abc",
                "https://api.stlouisfed.org/fred/series/observations?series_id=WALCL&api_key=***",
                id="fred_key",
            ),
            pytest.param("https://h/p?token=t&x=1", "https://h/p?token=***&x=1", id="token"),
            pytest.param("https://h/p", "https://h/p", id="no_query"),
            pytest.param(
                "https://h/dts?page[number]=1&filter=record_date:gte:2025-01-01",
                "https://h/dts?page[number]=1&filter=record_date:gte:2025-01-01",
                id="dts_brackets_kept_readable",
            ),
        ],
    )
    def test_sensitive_query_values_become_stars(self, url, expected):
        """Only sensitive parameters are redacted; the rest of the URL reads as before."""
        assert sanitize_url(url) == expected


class TestRetryAfterSeconds:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            pytest.param("7", 7.0, id="delta_seconds"),
            # 60 s after the fixed "now" below.
            pytest.param(
                format_datetime(datetime(2025, 1, 1, 12, 1, tzinfo=UTC), usegmt=True),
                60.0,
                id="http_date",
            ),
            # A date in the past means "retry now", never a negative wait.
            pytest.param(
                format_datetime(datetime(2025, 1, 1, 11, 0, tzinfo=UTC), usegmt=True),
                0.0,
                id="http_date_past",
            ),
            pytest.param("soon", None, id="garbage"),
            pytest.param(None, None, id="absent"),
        ],
    )
    def test_header_is_read_as_seconds(self, header, expected):
        """Both Retry-After forms become seconds; anything else is ignored."""
        now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).timestamp()
        assert retry_after_seconds(header, now=now) == expected


class TestRateLimit:
    def test_two_clients_share_one_limiter_per_host(self, httpserver: HTTPServer, sleeps):
        """Concurrent tasks build their own clients; the host's spacing applies across them."""
        httpserver.expect_request(PATH).respond_with_json({})
        host = f"{httpserver.host}:{httpserver.port}"
        # A spacing no test run can outlast: the second request must wait for most of it.
        first = HttpClient(min_interval_s={host: 3600.0}, sleep=sleeps)
        second = HttpClient(min_interval_s={host: 3600.0}, sleep=sleeps)

        first.get_json(httpserver.url_for(PATH))
        second.get_json(httpserver.url_for(PATH))

        assert len(sleeps) == 1
        assert 3500 < sleeps[0] <= 3600

    def test_proxy_settings_come_from_the_environment(
        self, httpserver: HTTPServer, http, monkeypatch
    ):
        """HTTP_PROXY is honoured: a request to an unresolvable host goes through the proxy."""
        httpserver.expect_request(PATH).respond_with_json({"via": "proxy"})
        monkeypatch.setenv("HTTP_PROXY", f"http://{httpserver.host}:{httpserver.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)

        assert http.get_json("http://upstream.invalid" + PATH) == {"via": "proxy"}
        assert httpserver.log[0][0].headers["Host"] == "upstream.invalid"
