"""The deployments on a real Prefect server: `python -m rotation_cli.serve` starts the server, pool,
deployments and worker in subprocesses; a triggered nightly run completes on the emulator."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from tests.conftest import WITHOUT_ARCHIVE
from warehouse.db import connect

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
READY = "Ctrl-C stops the worker, then the server."
SUMMARY_KEY = "nightly-load-summary"
# Long enough for every mart to have rows (weekly H.4.1, 20-day returns), short enough to keep
# the whole test, server start included, inside its two-minute budget.
WINDOW_DAYS = 60
# Safety nets, not expectations: ~45 s to ready and ~50 s per run on an idle two-core machine,
# but several times that when other test sessions share the cores.
DEADLINE_S = 300


@dataclass
class Served:
    """A running `python -m rotation_cli.serve` and what the test measured about it."""

    proc: subprocess.Popen
    api_url: str
    log: Path
    warehouse: Path
    timings: dict[str, float] = field(default_factory=dict)
    descendants: dict[psutil.Process, str] = field(default_factory=dict)  # -> command line

    def output(self, last: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-last:])

    def client(self) -> SyncPrefectClient:
        return SyncPrefectClient(self.api_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def poll(check: Callable[[], object], timeout_s: float, what: str, served: Served) -> object:
    """Call ``check`` until it returns something truthy; at the deadline, fail with the log."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := check():
            return result
        if served.proc.poll() is not None:
            pytest.fail(
                f"rotation_cli.serve exited ({served.proc.returncode}) while waiting for {what}:\n"
                f"{served.output()}"
            )
        # The flow run lives in the worker's process: its state is only visible through
        # the server's API, so polling (with a deadline) is the only way to wait for it.
        time.sleep(0.5)
    pytest.fail(f"no {what} after {timeout_s:.0f} s:\n{served.output()}")


def worker_env(emulator, warehouse: Path) -> dict[str, str]:
    """This environment plus the settings that aim the flow runs at the emulator."""
    settings = {
        **emulator.settings_overrides(),
        **WITHOUT_ARCHIVE,
        "warehouse": str(warehouse),
        "http_max_attempts": "2",
        "http_backoff_base_s": "0",
        "task_retry_delay_s": "0",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROTATION_", "PREFECT_"))}
    env |= {f"ROTATION_{k.upper()}": v for k, v in settings.items() if k != "fred_api_key"}
    return env | {
        "FRED_API_KEY": settings["fred_api_key"],
        # The worker asks for scheduled runs every second (default 10 s).
        "PREFECT_WORKER_QUERY_SECONDS": "1",
    }


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def snapshot(served: Served) -> None:
    """Remember every process below rotation_cli.serve, with its command line."""
    for process in psutil.Process(served.proc.pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            served.descendants.setdefault(process, " ".join(process.cmdline()))


def stop(served: Served) -> list[str]:
    """Ctrl-C for rotation_cli.serve, then SIGKILL for whatever it left alive.

    Returns:
        The command lines of the processes that survived the Ctrl-C (and were killed here).
    """
    if served.proc.poll() is None:
        snapshot(served)  # flow-run processes started since the stack came up, too
        served.proc.send_signal(signal.SIGINT)
        try:
            served.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(served.proc.pid, signal.SIGKILL)
            served.proc.wait()
    survivors = [p for p in served.descendants if alive(p)]
    for process in survivors:
        process.kill()
    return [served.descendants[p] for p in survivors]


@pytest.fixture(scope="module")
def served(emulator, tmp_path_factory, request) -> Iterator[Served]:
    """One real stack for the module: server, pool, both deployments and a process worker."""
    tmp = tmp_path_factory.mktemp("serve")
    port = free_port()
    log = tmp / "serve.log"
    home = str(tmp / "prefect")
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rotation_cli.serve",
                "--no-ui",
                "--port",
                str(port),
                "--home",
                home,
            ],
            cwd=ROOT,
            env=worker_env(emulator, tmp / "warehouse" / "rotation.duckdb"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(
        proc, f"http://127.0.0.1:{port}/api", log, tmp / "warehouse" / "rotation.duckdb"
    )
    try:
        poll(lambda: READY in log.read_text(errors="replace"), DEADLINE_S, "ready banner", served)
        served.timings["serve ready"] = time.monotonic() - started
        snapshot(served)
        yield served
    finally:
        stop(served)
        served.timings["total"] = time.monotonic() - started
        report = ", ".join(f"{k} {v:.1f} s" for k, v in served.timings.items())
        # Shown even under -q and output capture: the issue asks for this test's run time.
        plugins = request.config.pluginmanager
        reporter, capture = (
            plugins.get_plugin("terminalreporter"),
            plugins.get_plugin("capturemanager"),
        )
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(
                    f"\n[integration] rotation_cli.serve + nightly timings: {report}"
                )


def markdown_table(markdown: str, header: str) -> dict[str, list[int]]:
    """The rows of the markdown table whose header row starts with ``header``, keyed by 1st cell."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = [int(c.replace(",", "")) for c in cells[1:]]
    return rows


class TestNightlyDeployment:
    def test_both_deployments_are_on_the_pool_and_nightly_runs_at_0630_new_york(self, served):
        """prefect deploy --all registered nightly (cron, timezone) and backfill (no schedule)."""
        with served.client() as client:
            pool = client.read_work_pool("rotation-pool")
            nightly = client.read_deployment_by_name("nightly/nightly")
            backfill = client.read_deployment_by_name("backfill/backfill")
        assert (pool.type, pool.concurrency_limit) == ("process", 1)
        assert (nightly.work_pool_name, backfill.work_pool_name) == ("rotation-pool",) * 2
        [schedule] = nightly.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (
            "30 6 * * *",
            "America/New_York",
        )
        assert backfill.schedules == []
        assert nightly.entrypoint == "flows/nightly.py:nightly"
        assert backfill.entrypoint == "flows/backfill.py:backfill"
        # Each run starts in the repo root, recorded at deploy time by the build step.
        assert nightly.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
        ]

    def test_a_triggered_nightly_run_completes_with_artifacts_and_a_published_warehouse(
        self, served
    ):
        """Worker runs nightly on the emulator: Completed, summary artifact, marts and meta.runs."""
        end = datetime.now(UTC).date()
        start = end - timedelta(days=WINDOW_DAYS)
        triggered = time.monotonic()
        with served.client() as client:
            deployment = client.read_deployment_by_name("nightly/nightly")
            run = client.create_flow_run_from_deployment(
                deployment.id, parameters={"start": start.isoformat(), "end": end.isoformat()}
            )
            final = poll(
                lambda: (r := client.read_flow_run(run.id)).state.is_final() and r,
                DEADLINE_S,
                "final state of the nightly run",
                served,
            )
            served.timings["nightly run"] = time.monotonic() - triggered
            assert final.state.type.value == "COMPLETED", (final.state.message, served.output())
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
            )
        summary = {a.key: a for a in artifacts}[SUMMARY_KEY]

        assert final.name == f"nightly-nightly-{start}-{end}"
        assert summary.type == "markdown"
        assert summary.data.startswith("# nightly success (synthetic)")
        loaded = markdown_table(summary.data, "| table | streams |")
        with connect(served.warehouse, read_only=True) as con:
            runs = con.execute(
                "select run_id, flow_run_name, status, data_origin, mode, window_start, window_end "
                "from meta.runs"
            ).fetchall()
            liquidity = con.execute(
                "select count(*), min(date), max(date) from marts.fct_net_liquidity"
            ).fetchone()
            raw_rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in loaded}
        # The Prefect flow run id is the warehouse's run id: UI and warehouse tell one story.
        assert runs == [(str(run.id), final.name, "success", "synthetic", "nightly", start, end)]
        rows, first, last = liquidity
        assert rows > 0 and start <= first <= last <= end, liquidity
        # A first run inserts every row it loads: the artifact counts are the table counts.
        assert {t: counts[2] for t, counts in loaded.items()} == raw_rows
        assert {"raw.fred__observations", "raw.yahoo__chart", "raw.binance__klines"} <= set(loaded)

    def test_ctrl_c_stops_the_worker_then_the_server_and_leaves_no_process(self, served):
        """SIGINT to rotation_cli.serve: exit code 0, both children gone, nothing orphaned."""
        commands = sorted(served.descendants.values())
        stopping = time.monotonic()
        survivors = stop(served)
        served.timings["shutdown"] = time.monotonic() - stopping

        assert served.proc.returncode == 0, served.output()
        assert "stopping the worker, then the server ..." in served.output()
        assert served.output(1) == "stopped"
        assert survivors == []
        prefect = {
            c.split(" -m prefect ")[1].split(" --")[0] for c in commands if " -m prefect " in c
        }
        assert prefect == {"server start", "worker start"}
