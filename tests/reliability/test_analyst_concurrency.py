"""An analyst's read-only connection, held in another process across a full nightly run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass

import pytest

from flows.nightly import nightly
from rotation_kernel.settings import settings_env
from tests.conftest import FLOW_START
from tests.reliability.conftest import pipeline_overrides, today
from warehouse.runs import RunSummary

pytestmark = pytest.mark.flow

# Queries an analyst would run, in a loop, on one connection opened before the run started.
ANALYST = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    con = duckdb.connect(path, read_only=True)
    runs_before = con.execute("select count(*) from meta.runs").fetchone()[0]
    queries, errors, first, last = 0, [], time.time(), time.time()
    print(json.dumps({"runs": runs_before}), flush=True)
    while not os.path.exists(stop):
        try:
            con.execute(
                "select count(*), sum(net_liquidity_usd_bn) from marts.fct_net_liquidity"
            ).fetchone()
            con.execute("select asset, count(*) from marts.fct_asset_daily group by 1").fetchall()
            con.execute("select max(date) from raw.binance__klines").fetchone()
            queries += 3
            last = time.time()
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.01)  # pace the analyst: on 2 cores a busy loop would starve the writer
    held = con.execute("select count(*) from meta.runs").fetchone()[0]
    con.close()
    fresh = duckdb.connect(path, read_only=True)
    newest = fresh.execute("select run_id from meta.runs order by started_at desc").fetchone()[0]
    runs_after = fresh.execute("select count(*) from meta.runs").fetchone()[0]
    print(json.dumps({"queries": queries, "errors": errors[:3], "first": first, "last": last,
                      "held": held, "fresh": runs_after, "newest": newest}), flush=True)
    """
)


@dataclass(frozen=True)
class Concurrent:
    runs_before: int
    analyst: dict
    summary: RunSummary
    run_started: float
    run_finished: float


@pytest.fixture(scope="module")
def concurrent(baseline, emulator, tmp_path_factory) -> Concurrent:
    """Start the analyst on a copy of the baseline, run a full nightly, then stop the analyst."""
    folder = tmp_path_factory.mktemp("analyst")
    warehouse, stop = folder / "rotation.duckdb", folder / "stop"
    warehouse.write_bytes(baseline.warehouse.read_bytes())
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(warehouse), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        runs_before = json.loads(analyst.stdout.readline())["runs"]
        started = time.time()
        with settings_env(pipeline_overrides(emulator, warehouse)):
            summary = nightly(start=FLOW_START, end=today(), mode="test")
        finished = time.time()
        stop.touch()
        report = json.loads(analyst.stdout.readline())
        analyst.wait(timeout=60)
    finally:
        analyst.kill()
    return Concurrent(runs_before, report, summary, started, finished)


class TestAnalystDuringARun:
    def test_the_analyst_sees_zero_errors_while_querying_through_the_run(self, concurrent):
        """Hundreds of queries, from before the run started to its end: not one error."""
        assert concurrent.analyst["errors"] == []
        assert concurrent.analyst["queries"] >= 30
        assert concurrent.analyst["first"] < concurrent.run_started
        # Still querying when the run ended (the loop's last turn may end a moment before).
        assert concurrent.analyst["last"] > concurrent.run_finished - 1.0

    def test_the_writer_is_never_blocked_by_the_reader(self, concurrent):
        """The run builds, publishes over the file the analyst holds open, and succeeds."""
        assert concurrent.summary.status == "success"

    def test_the_held_connection_keeps_its_snapshot_and_a_new_one_sees_the_new_run(
        self, concurrent
    ):
        """The open connection still reads the old file; a new connection reads the new
        build, whose newest meta.runs row is this run."""
        report = concurrent.analyst
        assert report["held"] == concurrent.runs_before
        assert report["fresh"] == concurrent.runs_before + 1
        assert report["newest"] == concurrent.summary.run_id
