"""Where the bulk load's quality gate spends its CPU: a cProfile summary of one gate call.

    uv run python -m bench.profile_gate           # profile, print, update bench/RESULTS.md
    uv run python -m bench.profile_gate --pages 5 --no-write

The batch is what ``warehouse.bulk`` hands the gate: one part of 500 Binance 1-minute pages
(500,000 klines) typed by the project's reader, INSERTed and read back as Arrow. The gate is
``expectations.validate_batch`` with the ``raw.binance__klines_1m`` suite, as the flow's
bulk-load task calls it. GX's import and set-up are done first, off the clock.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import payloads
from bench.paths import TARGETS, window
from bench.report import write_section
from sources.binance import CONTRACT_1M
from warehouse.db import bootstrap, connect
from warehouse.spool import SpooledStream

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION_START = "<!-- bench/profile_gate.py: start -->"
SECTION_END = "<!-- bench/profile_gate.py: end -->"
PAGES = 500  # warehouse.bulk.BULK_PAGES: one part
CALLS = 5
TOP = 12
# Where GX's time goes, by the function that owns it (cumulative seconds).
BUCKETS = {
    "GX's md5 fingerprint of the batch (off: expectations/tuning.py)": "hash_pandas_dataframe",
    "expectation configurations (memoised)": "tuning.py",  # _configuration, GX inside
    "key check (expect_key_to_be_unique)": "key.py",
    "freshness check (polars group-by)": "freshness.py",
    "Arrow -> pandas": "frames.py",
}


@dataclass
class Profile:
    rows: int
    per_call_s: float
    top: str  # pstats' top-N table, by own time
    buckets: dict[str, float]  # label -> cumulative seconds per call


def gate_batch(pages: int, folder: Path):
    """One part's rows as the bulk load's gate gets them (Arrow, one chunk per column)."""
    import warehouse.bulk as bulk

    days = -(-pages * payloads.KLINES_PAGE // 1440)
    dataset = payloads.write_klines(folder, "profile", 1, days)
    (symbol, files), *_ = dataset.streams.items()
    con = connect(folder / "gate.duckdb")
    bootstrap(con, [CONTRACT_1M])
    part = SpooledStream(
        "binance",
        "klines_1m",
        symbol,
        files[:pages],
        0,
        "json",
        TARGETS["klines_1m"].reader(symbol),
    )
    piece = bulk._Piece(part, datetime.now(UTC))
    bulk._insert_part(con, CONTRACT_1M, [piece], "profile")
    rows = bulk._part_rows(con, CONTRACT_1M, [piece])
    con.close()
    return rows, window(dataset)


def profile(pages: int = PAGES, calls: int = CALLS) -> Profile:
    """Validate one part ``calls`` times under cProfile (after one warm call)."""
    from expectations import validate_batch
    from expectations.validate import warm_up

    warm_up()
    with tempfile.TemporaryDirectory(prefix="profile-gate-") as tmp:
        rows, span = gate_batch(pages, Path(tmp))

    def gate() -> None:
        validate_batch(CONTRACT_1M, rows, run_id="profile", run_date=span[1], window=span)

    gate()
    started = time.perf_counter()
    for _ in range(calls):
        gate()
    per_call = (time.perf_counter() - started) / calls
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        gate()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(TOP)
    cumulative = {
        f"{path.rsplit('/', 1)[-1]}:{line}({name})": entry[3]
        for (path, line, name), entry in stats.stats.items()  # type: ignore[attr-defined]
    }
    buckets = {
        label: max((s for key, s in cumulative.items() if needle in key), default=0.0) / calls
        for label, needle in BUCKETS.items()
    }
    return Profile(rows.num_rows, per_call, _table(out.getvalue()), buckets)


def _table(printed: str) -> str:
    """pstats' listing from its header row, paths cut to the package."""
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
    here = re.escape(str(Path.cwd()) + "/")
    return "\n".join(
        re.sub(rf"\S*site-packages/|{here}", "", line) for line in lines[start:] if line.strip()
    )


def section(p: Profile) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## The bulk load's gate: a cProfile summary (bench/profile_gate.py)",
        "",
        f"Command: `uv run python -m bench.profile_gate` - measured {when}. One gate call on "
        f"one bulk part ({p.rows:,} klines, read back from DuckDB as the load does): "
        f"**{p.per_call_s:.3f} s** per call, mean of {CALLS}; the profile covers {CALLS} more.",
        "",
        "Cumulative seconds per call, by owner:",
        "",
    ]
    lines += [f"- {label}: {s:.3f} s" for label, s in p.buckets.items()]
    lines += ["", f"Top {TOP} functions by own time ({CALLS} calls):", "", "```", p.top, "```"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=PAGES)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    text = section(profile(args.pages))
    print(text)
    if not args.no_write:
        write_section(RESULTS, SECTION_START, SECTION_END, text)
        print(f"updated {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
