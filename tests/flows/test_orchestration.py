"""Task policy and observability of the nightly flow under Prefect: retries, caching, per-host
limits, artifacts, tagged logs, the Failed state with its webhook, and the Dask runner.

The policy's rules are tested without Prefect in tests/flows/test_policy.py (the limits' in
tests/flows/test_limits.py); these tests prove the wiring: a real flow run on the emulator
takes them."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from unittest import mock

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

import flows.nightly
from flows import limits, policy
from flows.nightly import nightly
from rotation_kernel.settings import load_settings, settings_env
from sources.catalog import api_host
from warehouse.db import connect

pytestmark = pytest.mark.flow

CLOSED = (date(2022, 1, 3), date(2022, 2, 25))  # long before any source's revision lookback


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def emu(emulator):
    emulator.clear_faults()
    yield emulator
    emulator.clear_faults()


def artifacts_of(flow_run_id: str) -> dict[str, object]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a for a in found}


class TestRetryPolicy:
    """The policy's options reach the extract tasks (the rules: tests/flows/test_policy.py)."""

    def test_a_stream_whose_http_retries_ran_out_is_not_retried_by_its_task(
        self, pipeline_env, emu
    ):
        """503 for exactly the HTTP layer's 2 attempts: DFF fails after those 2 requests; the
        task's retries (2) are for time limits and lock waits, not for HTTP failures."""
        seen = len(emu.request_log)
        emu.fail_next("/fred/", 503, times=2, where={"series_id": "DFF"})
        summary = nightly(start=CLOSED[0], end=CLOSED[1], mode="test")
        assert summary.failed_streams["fred_rates/DFF"].endswith(
            "failed after 2 attempts: HTTP 503"
        )
        dff = [q for _, _, q in emu.request_log[seen:] if q.get("series_id") == "DFF"]
        assert len(dff) == 2  # the HTTP layer's 2 attempts, and no task retry after them
        loaded = {(r.source, r.stream) for r in summary.loads}
        assert ("fred", "DGS10") in loaded and ("fred", "DFF") not in loaded

    def test_a_stream_past_its_time_limit_fails_alone_between_pages(
        self, pipeline_env, emu, monkeypatch
    ):
        """Treasury gets no time at all: it stops after its first page, is retried like any
        transient failure, and ends as a failed stream; the other sources publish."""
        real = policy.policy_for

        def no_time_for_treasury(source):
            return (
                policy.SourcePolicy(retries=1, timeout_s=0)
                if source == "treasury"
                else real(source)
            )

        monkeypatch.setattr(flows.nightly, "policy_for", no_time_for_treasury)
        summary = nightly(start=date(2024, 1, 1), end=today(), mode="test")
        assert summary.status == "partial" and summary.stale_sources == ["treasury"]
        assert (
            "passed its time limit after 1 pages"
            in summary.failed_streams["treasury/operating_cash_balance"]
        )
        assert {r.source for r in summary.loads} >= {"fred", "yahoo", "binance"}


class TestCaching:
    def test_a_closed_window_is_extracted_once_and_served_from_the_cache_after(
        self, pipeline_env, emu
    ):
        nightly(start=CLOSED[0], end=CLOSED[1], mode="test")
        seen = len(emu.request_log)
        second = nightly(start=CLOSED[0], end=CLOSED[1], mode="test")
        assert len(emu.request_log) == seen  # not one request: every stream came from the cache
        assert second.status == "success"
        assert sum(r.rows_in for r in second.loads) > 1000
        assert (pipeline_env.parent / ".cache" / "results").is_dir()

    def test_cleared_cache_pages_are_fetched_again_rather_than_trusted(self, pipeline_env, emu):
        nightly(start=CLOSED[0], end=CLOSED[1], mode="test")
        pages = pipeline_env.parent / ".cache" / "pages"
        for folder in pages.iterdir():
            if "fred-WALCL" in folder.name:
                import shutil

                shutil.rmtree(folder)
        seen = len(emu.request_log)
        summary = nightly(start=CLOSED[0], end=CLOSED[1], mode="test")
        refetched = [q for _, _, q in emu.request_log[seen:]]
        assert [q.get("series_id") for q in refetched] == ["WALCL"] * len(refetched)
        assert len(refetched) >= 1 and summary.status == "success"

    def test_an_open_window_is_never_cached(self, pipeline_env, emu):
        nightly(start=today().replace(day=1), end=today(), mode="test")
        seen = len(emu.request_log)
        nightly(start=today().replace(day=1), end=today(), mode="test")
        assert len(emu.request_log) > seen


class TestHostLimits:
    def test_a_run_under_a_server_creates_one_global_limit_per_api_and_host(
        self, pipeline_env, emu
    ):
        """The emulator serves every API from one port; each API still gets its own limit,
        with every slot released after the run."""
        with settings_env({"api_limits": "server", "sources": "fred,binance"}):
            nightly(start=today().replace(day=1), end=today(), mode="test")
        port = api_host(emu.base_urls["binance_base_url"]).rsplit(":", 1)[1]
        with get_client(sync_client=True) as client:
            binance = client.read_global_concurrency_limit_by_name(f"api-binance-127-0-0-1-{port}")
            fred = client.read_global_concurrency_limit_by_name(f"api-fred-127-0-0-1-{port}")
        assert (binance.limit, fred.limit) == (3, 4)
        assert binance.active_slots == fred.active_slots == 0

    def test_auto_keeps_the_limits_local_outside_a_deployment(self, pipeline_env, emu):
        """A run that no deployment started (``rotation run``, a test) shares its server with
        nobody: no global limit is created and no slot is asked of the server."""
        with (
            settings_env({"api_limits": "auto"}),
            mock.patch(
                "prefect.concurrency.sync.concurrency", side_effect=AssertionError("server slot")
            ),
        ):
            assert not limits.ensure_host_limits(load_settings(), ["kraken"])
            summary = nightly(start=today().replace(day=1), end=today(), mode="test")
        assert summary.status == "success" and not summary.failed_streams


class TestObservability:
    def test_a_partial_run_completes_with_summary_watermarks_docs_and_a_warning_artifact(
        self, pipeline_env, emu
    ):
        emu.fail_next("/yahoo/", 503, times=100_000)
        state = nightly(start=date(2024, 1, 1), end=today(), mode="test", return_state=True)
        assert state.is_completed()
        summary = state.result()
        found = artifacts_of(summary.run_id)
        assert {"nightly-load-summary", "nightly-stale-data-warning"} <= set(found)
        text = found["nightly-load-summary"].data
        assert "| raw.fred__observations | 8 |" in text  # 5 liquidity + 3 rate series
        assert "## Watermarks" in text and "| raw.fred__observations/WALCL | — |" in text
        assert "**failed** yahoo/^RUT" in text
        assert "yahoo" in found["nightly-stale-data-warning"].data
        assert summary.docs is not None
        assert f"({summary.docs.resolve().as_uri()})" in found["nightly-data-docs"].data

    def test_every_log_line_of_a_stream_carries_the_run_id_and_source(
        self, pipeline_env, emu, caplog
    ):
        emu.fail_next("/binance/api/v3/klines", 451, times=100, where={"symbol": "BTCUSDT"})
        with caplog.at_level(logging.INFO):
            summary = nightly(start=date(2024, 1, 1), end=today(), mode="test")
        tagged = [r.getMessage() for r in caplog.records if "falling back" in r.getMessage()]
        assert tagged and tagged[0].startswith(
            f"[run={summary.run_id} source=binance/BTCUSDT] unavailable"
        )


class TestFailure:
    def test_a_run_that_can_publish_nothing_fails_and_posts_its_summary_to_the_webhook(
        self, pipeline_env, emu, httpserver
    ):
        httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
        for prefix in ("/fred/", "/treasury/", "/yahoo/", "/binance/", "/binance-futures/"):
            emu.fail_next(prefix, 503, times=100_000)
        emu.fail_next("/coinbase/", 503, times=100_000)
        emu.fail_next("/kraken/", 503, times=100_000)
        with settings_env({"notify_webhook": httpserver.url_for("/hook")}):
            state = nightly(start=date(2024, 1, 1), end=today(), mode="test", return_state=True)
        assert state.is_failed()
        assert "nothing to publish" in state.message
        assert not pipeline_env.exists()  # nothing published
        (request, _), *_ = httpserver.log
        body = json.loads(request.data)
        assert body["status"] == "FAILED" and body["flow"] == "nightly"
        assert "nothing to publish" in body["message"]
        assert body["data_origin"] == "synthetic"


class TestDaskRunner:
    def test_extraction_runs_on_a_local_dask_cluster_when_configured(
        self, pipeline_env, emu, monkeypatch
    ):
        runners = []
        make = limits.make_task_runner

        def spy(settings):
            runners.append(make(settings))
            return runners[-1]

        monkeypatch.setattr(flows.nightly, "make_task_runner", spy)
        with settings_env({"task_runner": "dask", "sources": "binance"}):
            summary = nightly(start=date(2024, 10, 1), end=today(), mode="test")
        assert type(runners[0]).__name__ == "DaskTaskRunner"
        assert summary.status == "success"
        with connect(pipeline_env, read_only=True) as con:
            btc = con.execute(
                "select count(*) from raw.binance__klines where symbol = 'BTCUSDT'"
            ).fetchone()[0]
        assert btc == (today() - date(2024, 10, 1)).days  # every finished day, none twice
