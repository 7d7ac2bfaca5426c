"""HTTP faults through the production client against the emulator, with the requests the
sources send: what is retried, exactly how long it waits, and what a failure that outlasts
the retries says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from rotation_kernel.errors import SourceHTTPError
from sources import binance, fred
from tests.reliability.conftest import WINDOW
from tests.sources.conftest import CLOCK_START

KLINES = "/binance/api/v3/klines"
BTC = {"symbol": "BTCUSDT"}
# A key shaped like a real one (32 lowercase hex); the emulator accepts any non-empty key.
SECRET_KEY = "0123456789abcdef0123456789abcdef"


def btc(http, settings) -> list:
    """BTCUSDT's daily klines over WINDOW (one page), as the Binance source requests them."""
    start_ms, end_ms = binance.window_ms(*WINDOW)
    params = {"symbol": "BTCUSDT", "interval": "1d", "startTime": start_ms, "endTime": end_ms}
    return http.get_json(settings.binance_base_url + binance.ENDPOINT, {**params, "limit": 1000})


def requests_to(emu, path: str) -> int:
    return sum(1 for _, p, _ in emu.request_log if p == path)


@pytest.fixture
def clean_btc(emu, emu_settings, client) -> list:
    """The same extraction with no fault planned: what every recovered run must equal."""
    return btc(client(), emu_settings)


class TestRetryAfter:
    def test_a_429_with_retry_after_seconds_waits_exactly_that_long(
        self, emu, emu_settings, client, clock, clean_btc
    ):
        """Retry-After: 7 -> one wait of exactly 7.0 s, then the whole window, once."""
        emu.fail_next(KLINES, 429, retry_after=7, where=BTC)
        assert btc(client(), emu_settings) == clean_btc
        assert clock.sleeps == [7.0]

    def test_a_429_with_an_http_date_waits_until_that_instant(
        self, emu, emu_settings, client, clock, clean_btc
    ):
        """Retry-After: <now + 21 s as an HTTP date> on the client's clock -> a 21.0 s wait."""
        until = datetime.fromtimestamp(CLOCK_START + 21, UTC)
        emu.fail_next(KLINES, 429, retry_after=until, where=BTC)
        assert btc(client(), emu_settings) == clean_btc
        assert clock.sleeps == [21.0]

    def test_an_http_date_already_past_retries_at_once(
        self, emu, emu_settings, client, clock, clean_btc
    ):
        """A date 5 s in the past means no wait at all (never a negative sleep)."""
        emu.fail_next(KLINES, 429, retry_after=datetime.fromtimestamp(CLOCK_START - 5, UTC))
        assert btc(client(), emu_settings) == clean_btc
        assert clock.sleeps == [0.0]


class TestTransientFaults:
    @pytest.mark.parametrize("status", [500, 502, 503, 504], ids=lambda s: f"http_{s}")
    def test_a_5xx_then_success_loads_the_window_once(
        self, emu, emu_settings, client, clock, clean_btc, status
    ):
        """Two 5xx answers, then 200: two jittered waits under the ceiling base * 2**(n-1),
        and the frame equals the clean one (nothing lost, nothing doubled)."""
        emu.fail_next(KLINES, status, times=2, where=BTC)
        assert btc(client(), emu_settings) == clean_btc
        assert len(clock.sleeps) == 2
        assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0

    def test_a_read_timeout_then_success_retries_the_same_request(
        self, emu, emu_settings, client, clock, clean_btc
    ):
        """A 0.6 s stall against a 0.2 s read timeout: one timeout, one retry, same data."""
        before = requests_to(emu, KLINES)
        emu.stall_next(KLINES, 0.6, where=BTC)
        assert btc(client(read_timeout_s=0.2), emu_settings) == clean_btc
        assert len(clock.sleeps) == 1
        assert requests_to(emu, KLINES) - before == 2  # the window is one page: 1 + 1 retry

    def test_a_connection_reset_then_success_retries(
        self, emu, emu_settings, client, clock, clean_btc
    ):
        """The server hangs up without a status line; the retry on a new connection succeeds."""
        emu.reset_next(KLINES, where=BTC)
        assert btc(client(), emu_settings) == clean_btc
        assert len(clock.sleeps) == 1

    @pytest.mark.parametrize("kind", ["truncated_json", "html_error_page"])
    def test_a_200_body_that_is_not_json_once_is_retried(
        self, emu, emu_settings, client, clock, clean_btc, kind
    ):
        """A cut-off body or a gateway's HTML page is transient: one retry, the same data."""
        emu.garble_next(KLINES, kind, where=BTC)
        assert btc(client(), emu_settings) == clean_btc
        assert len(clock.sleeps) == 1


class TestRetriesExhausted:
    @pytest.fixture
    def keyed(self, emu_settings):
        return emu_settings.model_copy(update={"fred_api_key": SecretStr(SECRET_KEY)})

    def walcl(self, http, settings):
        """WALCL over WINDOW with the query the FRED source sends, the key included."""
        params = {
            "series_id": "WALCL",
            "api_key": settings.require_fred_key().get_secret_value(),
            "file_type": "json",
            "observation_start": WINDOW[0].isoformat(),
            "observation_end": WINDOW[1].isoformat(),
        }
        return http.get_json(settings.fred_base_url + fred.ENDPOINT, params)

    def test_the_error_names_the_source_url_and_status_with_the_key_redacted(
        self, emu, keyed, client, clock
    ):
        """Three 503s: SourceHTTPError naming FRED's endpoint, api_key=***, the attempts and
        the last status; the key is in neither the message, the url nor the repr."""
        emu.fail_next("/fred/", 503, times=3, where={"series_id": "WALCL"})
        with pytest.raises(SourceHTTPError) as info:
            self.walcl(client(), keyed)
        error = info.value
        assert "/fred/fred/series/observations?series_id=WALCL&api_key=***&" in str(error)
        assert str(error).endswith("failed after 3 attempts: HTTP 503")
        assert (error.status, error.url.count("api_key=***")) == (503, 1)
        assert SECRET_KEY not in str(error) + error.url + repr(error)
        assert len(clock.sleeps) == 2  # waits between attempts, none after the last

    @pytest.mark.parametrize(
        ("plan", "reason"),
        [
            pytest.param(
                lambda emu: emu.stall_next("/fred/", 0.6, times=3), "ReadTimeout", id="timeouts"
            ),
            pytest.param(
                lambda emu: emu.reset_next("/fred/", times=3), "ConnectionError", id="resets"
            ),
            pytest.param(
                lambda emu: emu.garble_next("/fred/", "html_error_page", times=3),
                "the body is not JSON (text/html; charset=utf-8, 158 bytes)",
                id="html_pages",
            ),
        ],
    )
    def test_every_transient_kind_ends_in_the_same_clear_error(
        self, emu, keyed, client, plan, reason
    ):
        """Timeouts, resets or HTML pages on all three attempts: the message ends with the
        last reason, and the key stays redacted."""
        plan(emu)
        with pytest.raises(SourceHTTPError) as info:
            self.walcl(client(read_timeout_s=0.2), keyed)
        assert str(info.value).endswith(f"failed after 3 attempts: {reason}")
        assert "api_key=***" in str(info.value) and SECRET_KEY not in str(info.value)


@pytest.mark.flow
class TestRetriesExhaustedInARun:
    def test_only_the_exhausted_stream_fails_and_its_error_names_url_and_status(self, faulty_run):
        """DFF answering 503 to every attempt of a nightly: its stream fails naming FRED's
        endpoint, api_key=*** and the status; the other rate streams load."""
        message = faulty_run.summary.failed_streams["fred_rates/DFF"]
        assert "/fred/fred/series/observations?series_id=DFF&api_key=***&" in message
        assert message.endswith("failed after 2 attempts: HTTP 503")
        loaded = {f"{r.source}/{r.stream}" for r in faulty_run.summary.loads}
        assert {"fred/DTB3", "fred/WALCL"} & loaded == {"fred/DTB3"}
