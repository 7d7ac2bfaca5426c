"""Benchmark: a warm incremental nightly run (one new day for every source) on the emulator.

In a child process (``python -m bench.incremental WORK``), with Prefect's home in WORK:
  1. cold: ``nightly`` against ``serve_emulator(today=D)`` from COLD_START (the warm warehouse);
  2. warm: the clock moves to D+1 and ``nightly`` runs again, incremental from the watermarks,
     in the same process: Prefect's server is already up. Each stage is timed from the flow's
     progress events; the data work is extract, validate, load, transform, validate marts and
     publish (Data Docs and the run's artifacts come after the publish, and are reported);
  3. process: the clock moves to D+2 and ``rotation run`` runs as its own process: the whole
     command, Python and Prefect start included.
"""

from __future__ import annotations

import cProfile
import io
import itertools
import json
import os
import pstats
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

DATA_WORK_TARGET_S = 5.0
COLD_START = date(2020, 1, 1)  # the warm warehouse's history (shorter than 2015: faster set-up)
PROCESS_TARGET_S = 25.0
# The data work; Data Docs ("docs") and the artifacts ("done") follow the publish.
DATA_WORK_STAGES = ("extract", "validate", "load", "transform", "validate-marts", "publish")


def measure_incremental(work: Path) -> dict:
    """Run the three steps in a fresh process; returns its JSON report."""
    folder = work / "incremental"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(folder / "prefect"),
        # A fresh Prefect home migrates its database on first start: slow on a busy machine.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "bench.incremental", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"incremental run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _stages(events: list[tuple[str, float]], end: float) -> dict[str, float]:
    """Seconds per flow stage, from (stage name, time it started) events."""
    marks = [*events, ("end", end)]
    spans: dict[str, float] = {}
    for (name, at), (_, after) in itertools.pairwise(marks):
        spans[name] = spans.get(name, 0.0) + after - at
    return spans


def main(folder: Path) -> None:
    from emulator import serve_emulator
    from flows.nightly import nightly
    from rotation_kernel.progress import subscribe
    from rotation_kernel.settings import settings_env

    warehouse = folder / "rotation.duckdb"
    day = datetime.now(UTC).date() - timedelta(days=2)
    events: list[tuple[str, float]] = []

    def listen(kind: str, fields: dict) -> None:
        if kind == "stage":
            events.append((fields.get("name", "?"), time.perf_counter()))

    report: dict = {"day": day.isoformat()}
    with serve_emulator(today=day) as emu:
        overrides = {**emu.settings_overrides(), "warehouse": warehouse}
        with settings_env(overrides):
            started = time.perf_counter()
            cold = nightly(start=COLD_START, end=day, mode="bench")
            report["cold_s"] = time.perf_counter() - started
            report["cold_rows"] = sum(r.rows_in for r in cold.loads)

            emu.set_clock(day + timedelta(days=1))
            profile = cProfile.Profile()
            with subscribe(listen):
                started = time.perf_counter()
                profile.enable()
                warm = nightly(start=None, end=day + timedelta(days=1), mode="bench")
                profile.disable()
                ended = time.perf_counter()
            report["warm_s"] = ended - started
            report["warm_status"] = warm.status
            report["warm_rows"] = sum(r.rows_in for r in warm.loads)
            report["warm_stages"] = _stages(events, ended)
            report["data_work_s"] = sum(
                v for k, v in report["warm_stages"].items() if k in DATA_WORK_STAGES
            )
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
            report["warm_profile"] = _trim(text.getvalue())

            emu.set_clock(day + timedelta(days=2))
            started = time.perf_counter()
            end = (day + timedelta(days=2)).isoformat()
            cli = subprocess.run(  # noqa: S603 - the project's own console script
                [str(Path(sys.executable).with_name("rotation")), "run", "--end", end],
                capture_output=True,
                text=True,
                env=os.environ.copy(),
                check=False,
            )
            report["process_s"] = time.perf_counter() - started
            report["process_rc"] = cli.returncode
            if cli.returncode:
                report["process_error"] = cli.stderr[-1500:]
    print(json.dumps(report))


def _trim(profile: str) -> list[str]:
    """The profile's table rows, with paths cut to the project or the package."""
    rows = [line.rstrip() for line in profile.splitlines() if re.search(r"[/{]", line)]
    return [re.sub(r"\S*/(work/main|site-packages|python3\.11)/", "", row) for row in rows]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
