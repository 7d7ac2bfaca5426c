"""Fault switches: Retry-After as an HTTP date, stalls, resets, spoiled payloads, query matching."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import requests

from emulator import serve_emulator
from emulator.faults import Fault, FaultPlan, retry_after_header
from emulator.payload_faults import HTML_ERROR_PAGE, PAYLOAD_FAULTS
from tests.emulator.conftest import DTS_PATH, NOW, TODAY

KLINES = "/api/v3/klines"
DAY_MS = 86_400_000


@pytest.fixture
def fresh():
    """A private emulator, so planned faults never leak into other tests."""
    with serve_emulator(today=TODAY, now=NOW) as running:
        yield running


def _klines(emu, session=requests, timeout=(2, 5), **params) -> requests.Response:
    query = {"symbol": "BTCUSDT", "interval": "1d", "limit": 3, "startTime": 1_700_000_000_000}
    url = emu.base_urls["binance_base_url"] + KLINES
    return session.get(url, params={**query, **params}, timeout=timeout)


def _walcl(emu, **params) -> requests.Response:
    url = emu.base_urls["fred_base_url"] + "/fred/series/observations"
    query = {"series_id": "WALCL", "api_key": "k", "file_type": "json", "limit": 3}
    return requests.get(url, params={**query, **params}, timeout=5)


def _dts(emu) -> requests.Response:
    params = {"filter": "record_date:eq:2025-07-10", "page[size]": 3}
    return requests.get(emu.base_urls["treasury_base_url"] + DTS_PATH, params=params, timeout=5)


def _chart(emu) -> requests.Response:
    url = emu.base_urls["yahoo_base_url"] + "/v8/finance/chart/SPY"
    return requests.get(url, params={"period1": 1_751_500_000, "period2": 1_752_200_000}, timeout=5)


class TestRetryAfterHeader:
    @pytest.mark.parametrize(
        ("value", "header"),
        [
            pytest.param(7, "7", id="whole_seconds"),
            pytest.param(1.5, "1.5", id="fractional_seconds"),
            # RFC 9110 IMF-fixdate, always GMT, whatever zone the datetime was given in
            pytest.param(
                datetime(2025, 7, 11, 19, 30, tzinfo=timezone(timedelta(hours=2))),
                "Fri, 11 Jul 2025 17:30:00 GMT",
                id="http_date",
            ),
            pytest.param(None, None, id="no_header"),
        ],
    )
    def test_retry_after_is_sent_as_seconds_or_as_an_http_date(self, value, header):
        """Seconds print without trailing zeros; an aware datetime becomes an HTTP date."""
        assert retry_after_header(value) == header

    def test_a_naive_datetime_is_refused(self):
        """An HTTP date is GMT: a datetime without a zone would be ambiguous."""
        with pytest.raises(ValueError, match="timezone-aware"):
            retry_after_header(datetime(2025, 7, 11, 17, 30))

    def test_a_429_carries_the_http_date_as_its_retry_after(self, fresh):
        """fail_next(..., retry_after=<datetime>) sends that instant in the header."""
        fresh.fail_next("/binance/", 429, retry_after=datetime(2025, 7, 11, 15, 31, tzinfo=UTC))
        response = _klines(fresh)
        assert (response.status_code, response.headers["Retry-After"]) == (
            429,
            "Fri, 11 Jul 2025 15:31:00 GMT",
        )


class TestMatching:
    def test_where_singles_out_one_stream_by_its_query(self, fresh):
        """A fault for symbol=ETHUSDT leaves BTCUSDT answering and hits ETHUSDT."""
        fresh.fail_next("/binance/", 503, where={"symbol": "ETHUSDT"})
        assert _klines(fresh).status_code == 200
        assert _klines(fresh, symbol="ETHUSDT").status_code == 503
        assert _klines(fresh, symbol="ETHUSDT").status_code == 200

    def test_times_zero_cancels_faults_of_every_kind_for_the_prefix(self, fresh):
        """A planned stall, reset and spoiled payload all go with one cancel."""
        fresh.stall_next("/fred/", 10.0, times=5)
        fresh.reset_next("/fred/", times=5)
        fresh.garble_next("/fred/", "html_error_page", times=5)
        fresh.fail_next("/fred/", 503, times=0)
        assert _walcl(fresh).json()["count"] > 0

    def test_clear_faults_cancels_every_prefix(self, fresh):
        """After clear_faults() FRED and Binance both answer normally again."""
        fresh.fail_next("/fred/", 503, times=9)
        fresh.reset_next("/binance/", times=9)
        fresh.clear_faults()
        assert (_walcl(fresh).status_code, _klines(fresh).status_code) == (200, 200)

    def test_faults_are_consumed_in_the_order_they_were_planned(self):
        """Two plans for one prefix: the first runs out before the second starts."""
        plan = FaultPlan()
        plan.add("/x", Fault("status", 500), times=1)
        plan.add("/x", Fault("status", 503), times=1)
        taken = [plan.take("/x/y"), plan.take("/x/y"), plan.take("/x/y")]
        assert [f.status if f else None for f in taken] == [500, 503, None]

    @pytest.mark.parametrize(
        "build",
        [
            pytest.param(lambda: Fault("payload", payload="gremlins"), id="unknown_payload"),
            pytest.param(lambda: Fault("stall", delay_s=-1), id="negative_delay"),
            pytest.param(lambda: FaultPlan().add("/x", Fault("reset"), times=-1), id="negative"),
        ],
    )
    def test_a_bad_plan_is_refused_when_made(self, build):
        """Unknown payload kinds, negative delays and negative counts raise ValueError."""
        with pytest.raises(ValueError):
            build()


class TestTransportFaults:
    def test_a_stall_outlasts_a_short_read_timeout_then_service_resumes(self, fresh):
        """A 0.3 s stall against a 0.05 s read timeout: ReadTimeout, then a normal answer."""
        fresh.stall_next("/binance/", 0.3)
        with pytest.raises(requests.ReadTimeout):
            _klines(fresh, timeout=(2, 0.05))
        assert _klines(fresh, timeout=(2, 2)).status_code == 200

    def test_a_stall_shorter_than_the_timeout_answers_normally(self, fresh):
        """The stalled request still gets the real answer: three klines."""
        fresh.stall_next("/binance/", 0.01)
        assert len(_klines(fresh).json()) == 3

    def test_a_reset_closes_the_connection_without_a_status_line(self, fresh):
        """The client sees 'connection reset by peer'; the next request on the session works."""
        with requests.Session() as session:
            assert _klines(fresh, session).status_code == 200
            fresh.reset_next("/binance/")
            with pytest.raises(requests.ConnectionError, match="reset by peer"):
                _klines(fresh, session)
            assert _klines(fresh, session).status_code == 200


class TestPayloadFaults:
    def test_every_kind_is_documented(self):
        """The registry names seven kinds, each with a sentence."""
        assert sorted(PAYLOAD_FAULTS) == [
            "empty_records",
            "html_error_page",
            "late_day",
            "new_field",
            "number_as_string",
            "overlapping_pages",
            "renamed_field",
            "truncated_json",
        ]

    def test_truncated_json_is_the_first_half_of_the_real_body(self, fresh):
        """Same status and Content-Length as sent; the text is a prefix of the real answer."""
        clean = _klines(fresh).text
        fresh.garble_next("/binance/", "truncated_json")
        cut = _klines(fresh)
        assert cut.status_code == 200
        assert cut.headers["Content-Length"] == str(len(cut.content))
        assert json.loads(clean) == json.loads(cut.text + clean[len(cut.text) :])
        with pytest.raises(ValueError):
            cut.json()

    def test_an_html_error_page_comes_with_status_200(self, fresh):
        """Status 200, text/html, the gateway page."""
        fresh.garble_next("/fred/", "html_error_page")
        page = _walcl(fresh)
        assert (page.status_code, page.headers["Content-Type"], page.text) == (
            200,
            "text/html; charset=utf-8",
            HTML_ERROR_PAGE,
        )

    def test_empty_records_empty_each_shape_consistently(self, fresh):
        """FRED: no observations and count 0; DTS: no data, 0 pages; Binance: []; Yahoo: no
        timestamp (as Yahoo answers a range without trading days)."""
        for prefix in ("/fred/", "/treasury/", "/binance/", "/yahoo/"):
            fresh.garble_next(prefix, "empty_records")
        fred, dts, chart = _walcl(fresh).json(), _dts(fresh).json(), _chart(fresh).json()
        assert (fred["observations"], fred["count"]) == ([], 0)
        assert (dts["data"], dts["meta"]["total-pages"]) == ([], 0)
        assert _klines(fresh).json() == []
        assert "timestamp" not in chart["chart"]["result"][0]

    def test_renamed_field_renames_one_field_per_shape(self, fresh):
        """FRED value -> obs_value, DTS close_today_bal -> closing_balance_today, Yahoo close
        -> closePrice, and a kline loses its 12th position."""
        clean_fred, clean_dts = _walcl(fresh).json(), _dts(fresh).json()
        for prefix in ("/fred/", "/treasury/", "/binance/", "/yahoo/"):
            fresh.garble_next(prefix, "renamed_field")
        fred, dts = _walcl(fresh).json(), _dts(fresh).json()
        quote = _chart(fresh).json()["chart"]["result"][0]["indicators"]["quote"][0]
        assert [o["obs_value"] for o in fred["observations"]] == [
            o["value"] for o in clean_fred["observations"]
        ]
        assert "value" not in fred["observations"][0]
        assert [r["closing_balance_today"] for r in dts["data"]] == [
            r["close_today_bal"] for r in clean_dts["data"]
        ]
        assert ("close" in quote, "closePrice" in quote) == (False, True)
        assert {len(k) for k in _klines(fresh).json()} == {11}

    def test_new_field_adds_one_field_per_shape_and_keeps_the_rest(self, fresh):
        """Records gain 'footnote', Yahoo's quote gains 'vwap', klines a 13th position."""
        clean = _walcl(fresh).json()["observations"]
        for prefix in ("/fred/", "/binance/", "/yahoo/"):
            fresh.garble_next(prefix, "new_field")
        observations = _walcl(fresh).json()["observations"]
        klines = _klines(fresh).json()
        quote = _chart(fresh).json()["chart"]["result"][0]["indicators"]["quote"][0]
        assert observations == [{**o, "footnote": "preliminary"} for o in clean]
        assert {len(k) for k in klines} == {13}
        assert quote["vwap"] == quote["close"]

    def test_number_as_string_quotes_numbers_the_api_sends_bare(self, fresh):
        """FRED count, DTS total-pages, kline openTime and trades, Yahoo prices: now strings."""
        clean, clean_dts = _klines(fresh).json(), _dts(fresh).json()
        for prefix in ("/fred/", "/treasury/", "/binance/", "/yahoo/"):
            fresh.garble_next(prefix, "number_as_string")
        fred, dts, klines = _walcl(fresh).json(), _dts(fresh).json(), _klines(fresh).json()
        quote = _chart(fresh).json()["chart"]["result"][0]["indicators"]["quote"][0]
        assert isinstance(fred["count"], str) and int(fred["count"]) > 0
        assert dts["meta"]["total-pages"] == str(clean_dts["meta"]["total-pages"])
        assert [(k[0], k[8]) for k in klines] == [(str(k[0]), str(k[8])) for k in clean]
        assert {type(v) for v in quote["close"] if v is not None} == {str}

    def test_overlapping_pages_repeat_the_previous_record(self, fresh):
        """A klines page from startTime T starts at T - 1 day; a FRED page at offset 5 starts
        at offset 4; a first page (offset 0) is unchanged."""
        clean = _klines(fresh).json()
        fresh.garble_next("/binance/", "overlapping_pages")
        assert _klines(fresh).json()[0][0] == clean[0][0] - DAY_MS
        page = _walcl(fresh, offset=4).json()["observations"]
        fresh.garble_next("/fred/", "overlapping_pages", times=2)
        assert _walcl(fresh, offset=5).json()["observations"] == page
        assert _walcl(fresh, offset=0).json()["observations"][0]["date"] == "2015-01-07"

    def test_late_day_leaves_out_the_second_latest_date(self, fresh):
        """DTS over 2025-07-08..10 without 07-09; FRED without the second-latest Wednesday; the
        counts shrink to match."""
        params = {"filter": "record_date:gte:2025-07-08,record_date:lte:2025-07-10"}
        url = fresh.base_urls["treasury_base_url"] + DTS_PATH
        clean = requests.get(url, params=params, timeout=5).json()
        fresh.garble_next("/treasury/", "late_day")
        late = requests.get(url, params=params, timeout=5).json()
        assert sorted({r["record_date"] for r in clean["data"]}) == [
            "2025-07-08",
            "2025-07-09",
            "2025-07-10",
        ]
        assert sorted({r["record_date"] for r in late["data"]}) == ["2025-07-08", "2025-07-10"]
        assert late["meta"]["count"] == len(late["data"])
        walcl = _walcl(fresh, observation_start="2025-06-01", limit=100).json()
        fresh.garble_next("/fred/", "late_day")
        late_walcl = _walcl(fresh, observation_start="2025-06-01", limit=100).json()
        dropped = walcl["observations"][-2]
        assert late_walcl["observations"] == [o for o in walcl["observations"] if o != dropped]
        assert late_walcl["count"] == walcl["count"] - 1

    def test_an_error_answer_is_never_spoiled(self, fresh):
        """A 400 from the route passes through: the fault is spent on it unchanged."""
        fresh.garble_next("/binance/", "html_error_page")
        response = _klines(fresh, symbol="NOPE")
        assert (response.status_code, response.json()["code"]) == (400, -1121)


class TestClock:
    def test_set_clock_moves_today_and_the_open_candle(self, fresh):
        """After set_clock(today + 1 day), a new daily candle exists and yesterday's is final."""
        start = int(datetime(2025, 7, 10, tzinfo=UTC).timestamp() * 1000)
        before = _klines(fresh, startTime=start).json()
        fresh.set_clock(TODAY + timedelta(days=1))
        after = _klines(fresh, startTime=start).json()
        assert [k[0] for k in before] == [start, start + DAY_MS]
        assert [k[0] for k in after] == [start, start + DAY_MS, start + 2 * DAY_MS]
        assert after[1] != before[1]  # 2025-07-11 was open at 15:30; now it has closed
        assert fresh.snapshot.now == datetime(2025, 7, 12, 12, tzinfo=UTC)
