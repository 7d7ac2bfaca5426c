"""Nightly runs in a child process, for faults a test cannot inflict on its own process.

``python -m tests.reliability.run_child run START END [--pause-after-loads N --marker PATH]``
runs one nightly with the settings in the environment; with ``--pause-after-loads`` it stops
for good after the Nth stream's MERGE (touching ``PATH`` first), so the parent can
``kill -9`` it in the middle of the load phase.

``python -m tests.reliability.run_child soak RUNS SEED START`` serves its own emulator and
runs RUNS incremental nightlies against it, each after planning random faults drawn with
SEED; after each run it prints one JSON line: run number, status, seconds, faults and RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import flows.nightly
import flows.tasks
from emulator import Emulator, serve_emulator
from rotation_kernel.settings import settings_env
from tests.conftest import WITHOUT_ARCHIVE

# What a soak run may meet; transient ones must heal within the run, the rest fail a stream.
SOAK_FAULTS: list[tuple[str, str, dict[str, Any]]] = [
    ("fail", "/binance/api/v3/klines", {"status": 503, "times": 1}),
    ("fail", "/fred/", {"status": 429, "times": 1, "retry_after": 0}),
    ("fail", "/yahoo/", {"status": 502, "times": 1}),
    ("fail", "/treasury/", {"status": 500, "times": 1}),
    ("reset", "/binance/api/v3/klines", {"times": 1}),
    ("reset", "/fred/", {"times": 1}),
    ("stall", "/yahoo/", {"delay_s": 1.5, "times": 1}),
    ("garble", "/binance/api/v3/klines", {"kind": "overlapping_pages", "times": 3}),
    ("garble", "/fred/", {"kind": "truncated_json", "times": 1}),
    ("garble", "/treasury/", {"kind": "html_error_page", "times": 1}),
    ("fail", "/yahoo/v8/finance/chart/SPY", {"status": 503, "times": 6}),
]


def rss_bytes() -> int:
    """This process's resident set size, from /proc (no psutil needed in the child)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


def pause_after_loads(count: int, marker: Path) -> None:
    """Make the Nth stream's load the last: touch ``marker`` and block this process forever."""
    original = flows.tasks.load_stream
    done = []

    def load_then_pause(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        done.append(result)
        if len(done) >= count:
            marker.write_text(str(len(done)))
            threading.Event().wait()
        return result

    flows.tasks.load_stream = load_then_pause


def fault_name(fault: tuple[str, str, dict[str, Any]]) -> str:
    return f"{fault[0]}:{fault[1]}"


def plan_faults(
    emulator: Emulator, rng: random.Random, dealt: tuple[str, str, dict[str, Any]]
) -> list[str]:
    """Plan the ``dealt`` fault and up to two more drawn at random; returns their names."""
    others = [f for f in SOAK_FAULTS if f is not dealt]
    chosen = [dealt, *rng.sample(others, rng.randint(0, 2))]
    for action, prefix, options in chosen:
        options = dict(options)
        if action == "fail":
            emulator.fail_next(prefix, options.pop("status"), **options)
        elif action == "reset":
            emulator.reset_next(prefix, **options)
        elif action == "stall":
            emulator.stall_next(prefix, **options)
        else:
            emulator.garble_next(prefix, options.pop("kind"), **options)
    return [fault_name(fault) for fault in chosen]


def soak(runs: int, seed: int, start: date, warehouse: Path, read_timeout_s: float) -> None:
    """Run ``runs`` incremental nightlies against a private emulator, faults drawn with ``seed``,
    then a clean full run into a second warehouse; print a JSON line after each run and the
    content checksums of both warehouses last.

    Every fault kind is met: the kinds are shuffled and dealt one a night from the 2nd run on
    (again from the top after the last), each night with up to two more drawn at random.
    """
    from tests.conftest import base_tables
    from warehouse.db import connect, content_checksums, list_tables

    rng = random.Random(seed)
    deck = rng.sample(SOAK_FAULTS, len(SOAK_FAULTS))
    clean = warehouse.parent / "clean" / warehouse.name
    with serve_emulator() as emulator:
        overrides = {
            **emulator.settings_overrides(),
            **WITHOUT_ARCHIVE,
            "http_max_attempts": 3,
            "http_backoff_base_s": 0,
            "http_backoff_cap_s": 0,
            "http_read_timeout_s": read_timeout_s,
            "task_retry_delay_s": 0,
        }
        with settings_env({**overrides, "warehouse": warehouse}):
            for number in range(1, runs + 1):
                dealt = deck[(number - 2) % len(deck)]
                faults = plan_faults(emulator, rng, dealt) if number > 1 else []
                began = time.monotonic()
                first = start if number == 1 else None
                summary = flows.nightly.nightly(
                    start=first, end=datetime.now(UTC).date(), mode="soak"
                )
                emulator.clear_faults()
                line = {
                    "run": number,
                    "status": summary.status,
                    "failed": sorted(summary.failed_streams),
                    "faults": faults,
                    "seconds": round(time.monotonic() - began, 2),
                    "rss": rss_bytes(),
                }
                print(json.dumps(line), flush=True)
        with settings_env({**overrides, "warehouse": clean}):
            flows.nightly.nightly(start=start, end=datetime.now(UTC).date(), mode="soak")
    sums = {}
    for name, path in (("soaked", warehouse), ("clean", clean)):
        with connect(path, read_only=True) as con:
            tables = list_tables(con, ("raw",)) + base_tables(con, "marts")
            sums[name] = content_checksums(con, tables=tables)
    print(json.dumps(sums), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run")
    run.add_argument("start", type=date.fromisoformat)
    run.add_argument("end", type=date.fromisoformat)
    run.add_argument("--pause-after-loads", type=int, default=0)
    run.add_argument("--marker", type=Path)
    many = commands.add_parser("soak")
    many.add_argument("runs", type=int)
    many.add_argument("seed", type=int)
    many.add_argument("start", type=date.fromisoformat)
    many.add_argument("warehouse", type=Path)
    many.add_argument("--read-timeout-s", type=float, default=1.0)
    args = parser.parse_args()
    if args.command == "soak":
        soak(args.runs, args.seed, args.start, args.warehouse, args.read_timeout_s)
        return
    if args.pause_after_loads:
        pause_after_loads(args.pause_after_loads, args.marker)
    summary = flows.nightly.nightly(start=args.start, end=args.end, mode="test")
    print(json.dumps({"status": summary.status}), flush=True)


if __name__ == "__main__":
    main()
