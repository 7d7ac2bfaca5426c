"""The emulator process: base URLs, settings, request log, injected faults, quiet and clean exit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import requests

from emulator import serve_emulator
from rotation_kernel.settings import load_settings
from tests.emulator.conftest import NOW, TODAY


@pytest.fixture
def fresh():
    """A private emulator, so faults and the request log start empty."""
    with serve_emulator(today=TODAY, now=NOW) as running:
        yield running


def _walcl(emu, **extra) -> requests.Response:
    url = emu.base_urls["fred_base_url"] + "/fred/series/observations"
    params = {"series_id": "WALCL", "api_key": "k", "file_type": "json", "limit": 1, **extra}
    return requests.get(url, params=params, timeout=5)


class TestAddresses:
    def test_base_urls_put_every_api_under_its_prefix_on_loopback(self, fresh):
        """One port, ten prefixes; the treasury one ends in fiscal_service like the real base."""
        port = re.match(r"http://127\.0\.0\.1:(\d+)/fred$", fresh.base_urls["fred_base_url"])[1]
        root = f"http://127.0.0.1:{port}"
        assert fresh.base_urls == {
            "fred_base_url": f"{root}/fred",
            "treasury_base_url": f"{root}/treasury/services/api/fiscal_service",
            "yahoo_base_url": f"{root}/yahoo",
            "binance_base_url": f"{root}/binance",
            "coinbase_base_url": f"{root}/coinbase",
            "kraken_base_url": f"{root}/kraken",
            "binance_futures_base_url": f"{root}/binance-futures",
            "fredgraph_base_url": f"{root}/fredgraph",
            "binance_archive_listing_url": f"{root}/binance-vision-s3",
            "binance_archive_base_url": f"{root}/binance-vision",
        }

    def test_settings_overrides_build_synthetic_settings(self, fresh):
        """The overrides are valid Settings: the emulator key and data_origin 'synthetic'."""
        settings = load_settings(**fresh.settings_overrides())
        assert settings.data_origin == "synthetic"
        assert settings.require_fred_key().get_secret_value() == "emulator-key"
        assert settings.binance_base_url == fresh.base_urls["binance_base_url"]
        assert settings.kraken_base_url == fresh.base_urls["kraken_base_url"]
        assert settings.fredgraph_base_url == fresh.base_urls["fredgraph_base_url"]

    def test_an_unknown_path_is_a_json_404(self, fresh):
        """Paths outside the emulated APIs are not found, still as JSON."""
        response = requests.get(fresh.base_urls["fred_base_url"] + "/nothing", timeout=5)
        assert (response.status_code, response.headers["Content-Type"]) == (404, "application/json")


class TestRequestLog:
    def test_every_request_is_logged_with_its_decoded_path_and_query(self, fresh):
        """Method, path with %5E decoded to ^, and the query as a dict of strings."""
        _walcl(fresh)
        requests.get(
            fresh.base_urls["yahoo_base_url"] + "/v8/finance/chart/%5ERUT",
            params={"period1": 0, "period2": 1},
            timeout=5,
        )
        assert fresh.request_log == [
            (
                "GET",
                "/fred/fred/series/observations",
                {"series_id": "WALCL", "api_key": "k", "file_type": "json", "limit": "1"},
            ),
            ("GET", "/yahoo/v8/finance/chart/^RUT", {"period1": "0", "period2": "1"}),
        ]


class TestFaults:
    def test_the_next_n_matching_requests_fail_then_service_resumes(self, fresh):
        """Two 503s for /fred/, then a normal 200; other prefixes are unaffected."""
        fresh.fail_next("/fred/", 503, times=2)
        statuses = [_walcl(fresh).status_code for _ in range(3)]
        assert statuses == [503, 503, 200]

    def test_a_429_can_carry_retry_after(self, fresh):
        """retry_after=2 becomes the header 'Retry-After: 2'."""
        fresh.fail_next("/fred/", 429, retry_after=2)
        response = _walcl(fresh)
        assert (response.status_code, response.headers["Retry-After"]) == (429, "2")

    def test_faults_only_hit_their_prefix(self, fresh):
        """A Binance outage leaves FRED answering."""
        fresh.fail_next("/binance/", 500, times=5)
        assert _walcl(fresh).status_code == 200

    def test_times_zero_cancels_what_is_still_planned(self, fresh):
        """fail_next(prefix, status, times=0) clears the remaining failures for that prefix."""
        fresh.fail_next("/fred/", 503, times=100)
        assert _walcl(fresh).status_code == 503
        fresh.fail_next("/fred/", 503, times=0)
        assert _walcl(fresh).status_code == 200


class TestBinanceBlocks:
    def _klines(self, emu, base: str = "binance_base_url", path: str = "/api/v3/klines"):
        params = {"symbol": "BTCUSDT", "interval": "1d", "limit": 1}
        return requests.get(emu.base_urls[base] + path, params=params, timeout=5)

    def test_a_451_carries_binance_s_geo_block_body(self, fresh):
        """HTTP 451 with code 0 and the 'restricted location' message."""
        fresh.fail_next("/binance/", 451)
        response = self._klines(fresh)
        assert response.status_code == 451
        assert response.json() == {
            "code": 0,
            "msg": "Service unavailable from a restricted location according to 'b. "
            "Eligibility' in https://www.binance.com/en/terms. Please contact customer service "
            "if you believe you received this message in error.",
        }

    def test_a_418_carries_the_ip_ban_body_with_its_end_time(self, fresh):
        """HTTP 418, code -1003, banned until the emulator's now plus two minutes (ms)."""
        fresh.fail_next("/binance/", 418)
        response = self._klines(fresh)
        until = int(NOW.timestamp() * 1000) + 120_000
        assert response.status_code == 418
        assert response.json() == {
            "code": -1003,
            "msg": f"Way too much request weight used; IP banned until {until}. "
            "Please use the websocket for live updates to avoid bans.",
        }

    def test_a_caller_can_choose_the_body(self, fresh):
        """body= replaces the default, for any status."""
        fresh.fail_next("/binance/", 429, body={"code": -1003, "msg": "Too many requests."})
        assert self._klines(fresh).json() == {"code": -1003, "msg": "Too many requests."}

    def test_blocking_spot_leaves_futures_answering(self, fresh):
        """The '/binance/' prefix does not match '/binance-futures/'."""
        fresh.fail_next("/binance/", 451, times=5)
        futures = self._klines(fresh, "binance_futures_base_url", "/fapi/v1/markPriceKlines")
        assert futures.status_code == 200
        assert self._klines(fresh).status_code == 451


class TestLifecycle:
    def test_requests_leave_nothing_on_stderr(self, fresh, capfd):
        """No request lines: the handler's logging is silenced."""
        _walcl(fresh)
        _walcl(fresh, series_id="NOPE")
        assert capfd.readouterr().err == ""

    def test_the_port_is_closed_after_the_block(self):
        """Leaving the with-block shuts the server down: connections are refused."""
        with serve_emulator(today=TODAY, now=NOW) as emu:
            url = emu.base_urls["fred_base_url"] + "/fred/series/observations"
            assert requests.get(url, timeout=5).status_code == 400  # no key, but it answers
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=5)

    def test_now_defaults_to_noon_of_a_fixed_today(self):
        """A fixed past ``today`` without ``now``: the unfinished candle is that day's."""
        with serve_emulator(today=date(2020, 3, 2)) as emu:
            assert emu.snapshot.now == datetime(2020, 3, 2, 12, tzinfo=UTC)
