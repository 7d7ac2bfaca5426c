"""The failure webhook, against a local HTTP server: payload, secrets, and a webhook that fails."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug import Response

from flows.notify import EVENT, build_payload, notify_failure, webhook_label
from rotation_kernel.settings import Settings

FRED_KEY = "fredkey0123456789abcdef"
HOOK_PATH = "/services/T000/B000/hooktoken42"

SUMMARY = {
    "flow": "nightly",
    "flow_run_id": "6f1c2d3e-0000-4000-8000-000000000001",
    "flow_run_name": "nightly-nightly-None-None",
    "status": "FAILED",
    "message": "nothing to publish: every stream failed",
    "failed_streams": {"fred/WALCL": "HTTP 503 after 5 attempts"},
    "stale_sources": ["fred", "treasury"],
    "parameters": {"start": date(2024, 1, 1), "end": None, "mode": "nightly"},
}


def settings_for(url: str | None, tmp_path: Path) -> Settings:
    return Settings(
        notify_webhook=url,
        warehouse=tmp_path / "rotation.duckdb",
        fred_api_key=FRED_KEY,
        data_origin="synthetic",
    )


def posted(httpserver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def notify_messages(caplog) -> list[str]:
    """The hook's own log lines (another test's server thread may log into the same capture)."""
    return [r.getMessage() for r in caplog.records if r.name == "rotation.notify"]


class TestNotifyFailure:
    def test_posts_the_run_summary_with_warehouse_and_origin_as_json(self, httpserver, tmp_path):
        """The webhook receives one JSON POST: the run's fields plus where it wrote."""
        httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
        settings = settings_for(httpserver.url_for(HOOK_PATH), tmp_path)

        assert notify_failure(SUMMARY, settings) is True

        [request] = [request for request, _ in httpserver.log]
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["User-Agent"].startswith("liquidity-rotation/")
        [body] = posted(httpserver)
        sent_at = datetime.fromisoformat(body.pop("sent_at"))
        assert abs(datetime.now(UTC) - sent_at) < timedelta(minutes=1)
        assert body == {
            "event": EVENT,
            "warehouse": str(tmp_path / "rotation.duckdb"),
            "data_origin": "synthetic",
            "flow": "nightly",
            "flow_run_id": "6f1c2d3e-0000-4000-8000-000000000001",
            "flow_run_name": "nightly-nightly-None-None",
            "status": "FAILED",
            "message": "nothing to publish: every stream failed",
            "failed_streams": {"fred/WALCL": "HTTP 503 after 5 attempts"},
            "stale_sources": ["fred", "treasury"],
            "parameters": {"start": "2024-01-01", "end": None, "mode": "nightly"},
        }

    def test_without_a_webhook_nothing_is_sent(self, httpserver, tmp_path):
        """ROTATION_NOTIFY_WEBHOOK unset: the hook is a no-op that reports False."""
        assert notify_failure(SUMMARY, settings_for(None, tmp_path)) is False
        assert httpserver.log == []

    def test_the_webhook_is_read_from_the_environment(self, httpserver, tmp_path, monkeypatch):
        """With no settings passed, ROTATION_NOTIFY_WEBHOOK from the environment is used."""
        httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
        monkeypatch.setenv("ROTATION_NOTIFY_WEBHOOK", httpserver.url_for(HOOK_PATH))
        monkeypatch.setenv("ROTATION_WAREHOUSE", str(tmp_path / "env.duckdb"))

        assert notify_failure({"status": "CRASHED"}) is True
        assert posted(httpserver)[0]["warehouse"] == str(tmp_path / "env.duckdb")

    def test_a_500_is_logged_without_the_webhook_token_and_not_raised(
        self, httpserver, tmp_path, caplog
    ):
        """A refusing webhook returns False and logs the status, never the tokenised path."""
        httpserver.expect_request(HOOK_PATH).respond_with_data("boom", status=500)
        settings = settings_for(httpserver.url_for(HOOK_PATH), tmp_path)

        with caplog.at_level(logging.WARNING, logger="rotation.notify"):
            assert notify_failure(SUMMARY, settings) is False

        assert len(httpserver.log) == 1  # one attempt: no retry loop on the failure path
        [message] = notify_messages(caplog)
        assert message == (
            f"failure notification to http://{httpserver.host}:{httpserver.port} refused: HTTP 500"
        )
        assert "hooktoken42" not in caplog.text

    def test_a_webhook_slower_than_the_timeout_is_given_up(self, httpserver, tmp_path, caplog):
        """A hanging webhook costs the read timeout (0.3 s here), then False and a warning."""
        release, answered = threading.Event(), threading.Event()

        def hang(request):
            release.wait(10)
            answered.set()
            return Response("late")

        httpserver.expect_request(HOOK_PATH).respond_with_handler(hang)
        settings = settings_for(httpserver.url_for(HOOK_PATH), tmp_path)

        with caplog.at_level(logging.WARNING, logger="rotation.notify"):
            delivered = notify_failure(SUMMARY, settings, timeout=(1.0, 0.3))
        gave_up_first = not answered.is_set()
        release.set()

        assert delivered is False
        assert gave_up_first  # it returned while the webhook still held its answer
        assert notify_messages(caplog)[0].endswith("not delivered: ReadTimeout")

    def test_an_unreachable_webhook_is_logged_not_raised(self, tmp_path, caplog):
        """Nothing listening on the port: ConnectionError is logged, the hook returns False."""
        settings = settings_for("http://127.0.0.1:9/hook", tmp_path)  # port 9: discard, closed

        with caplog.at_level(logging.WARNING, logger="rotation.notify"):
            assert notify_failure(SUMMARY, settings) is False

        assert notify_messages(caplog) == [
            "failure notification to http://127.0.0.1:9 not delivered: ConnectionError"
        ]

    def test_an_invalid_setting_in_the_environment_is_logged_not_raised(self, monkeypatch, caplog):
        """A broken configuration must not turn the failure hook into a second failure."""
        monkeypatch.setenv("ROTATION_HTTP_MAX_ATTEMPTS", "99")

        with caplog.at_level(logging.WARNING, logger="rotation.notify"):
            assert notify_failure(SUMMARY) is False

        assert "ROTATION_HTTP_MAX_ATTEMPTS" in caplog.text


class TestPayloadSecrets:
    def test_no_secret_reaches_the_webhook(self, httpserver, tmp_path):
        """The FRED key, secret-named fields and the webhook URL never appear in the body."""
        httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
        url = httpserver.url_for(HOOK_PATH)
        leaky = {
            **SUMMARY,
            "message": f"GET https://api.stlouisfed.org/fred?series_id=WALCL&api_key={FRED_KEY}",
            "error": f"server echoed {FRED_KEY} back",
            "fred_api_key": FRED_KEY,
            "context": {"auth_token": "tok-1", "notes": [f"webhook was {url}"]},
        }

        assert notify_failure(leaky, settings_for(url, tmp_path)) is True

        raw = httpserver.log[0][0].get_data(as_text=True)
        assert FRED_KEY not in raw
        assert "tok-1" not in raw
        assert "hooktoken42" not in raw
        body = json.loads(raw)
        assert body["message"].endswith("series_id=WALCL&api_key=***")
        assert body["error"] == "server echoed *** back"
        assert body["fred_api_key"] == "***"
        assert body["context"] == {"auth_token": "***", "notes": ["webhook was ***"]}

    @pytest.mark.parametrize(
        ("name", "redacted"),
        [
            pytest.param("api_key", True, id="api_key"),
            pytest.param("FRED_API_KEY", True, id="upper_case"),
            pytest.param("webhook", True, id="webhook"),
            pytest.param("access-token", True, id="dashed_token"),
            # "key" must be a whole word: these carry no secret and stay readable.
            pytest.param("monkey", False, id="word_containing_key"),
            pytest.param("stale_sources", False, id="plain_field"),
        ],
    )
    def test_fields_are_redacted_by_name(self, tmp_path, name, redacted):
        """Only whole secret words in a key's name redact its value."""
        payload = build_payload({name: "value"}, settings_for(None, tmp_path))
        assert payload[name] == ("***" if redacted else "value")


@pytest.mark.parametrize(
    ("url", "label"),
    [
        pytest.param(
            "https://hooks.slack.com/services/T/B/x", "https://hooks.slack.com", id="path"
        ),
        pytest.param(
            "http://user:pw@127.0.0.1:8080/h?token=t", "http://127.0.0.1:8080", id="creds"
        ),
    ],
)
def test_the_webhook_label_keeps_only_scheme_and_host(url, label):
    """Logs name the webhook by scheme and host: path, query and credentials may be tokens."""
    assert webhook_label(url) == label
