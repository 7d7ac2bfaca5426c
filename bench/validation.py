"""Benchmark: GX validation time as a share of load time, on the demo history and on 1M rows.

Run from the repository root:

    uv run python bench/validation.py            # measure, print, update bench/RESULTS.md
    uv run python bench/validation.py --no-write # measure and print only

(a) Demo: the embedded emulator serves the synthetic market from 2015-01-01 to today and the
    real extract functions fetch every stream over HTTP. Load = ``warehouse.load.load_stream``
    (MERGE, watermark, load record) of each stream into a fresh warehouse, fed by a ``Spool``
    whose Parquet writes are timed apart; validation = ``validate_batch`` on each resource's
    batch (all its streams concatenated, as the flow hands it over).
(b) 1M rows: a synthetic klines batch (334 symbols x 3,000 days), loaded as one stream.
Both sides are timed ``--repeats`` times (fresh warehouse each time); medians are kept. GX's
one-off cost per process (import, context, suites) is reported apart. Attribution is timed
three ways on a batch with one bad row (the two passes of expectations/engine.py, one
COMPLETE pass, one validation per stream). HOME is pointed at an empty temporary folder
before GX is imported and checked at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="bench-home-"))
os.environ["HOME"] = str(HOME)  # before any import that could write there

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION_START = "<!-- bench/validation.py: start -->"
SECTION_END = "<!-- bench/validation.py: end -->"
COMMAND = "uv run python bench/validation.py"
TARGET = 0.25
DEMO_START = date(2015, 1, 1)
BIG_SYMBOLS, BIG_DAYS = 334, 3_000


def timed(fn, repeats: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def extract_demo(today: date) -> dict[str, dict[str, list[pl.DataFrame]]]:
    """source -> stream -> parsed pages, fetched from the emulator by the real extractors."""
    from emulator import serve_emulator
    from rotation_kernel.settings import load_settings
    from sources._http import HttpClient
    from sources.catalog import SOURCES

    pages: dict[str, dict[str, list[pl.DataFrame]]] = {}
    with serve_emulator(today=today) as emu:
        settings = load_settings(**emu.settings_overrides())
        http = HttpClient.from_settings(settings)
        for source, module in SOURCES.items():
            pages[source] = {
                stream: list(module.extract(http, settings, stream, DEMO_START, today))
                for stream in module.STREAMS
            }
    return pages


def load_all(batches: dict[str, dict[str, list[pl.DataFrame]]], window) -> dict[str, float]:
    """Spool and MERGE every stream into a fresh warehouse, timing the two steps apart.

    Returns:
        ``load``: seconds in ``load_stream`` (the flow's load step: MERGE, watermark, load
        record); ``spool``: seconds writing the pages to Parquet (done by the flow's extract
        step); ``rows``: rows loaded.
    """
    from sources.catalog import SOURCES, contracts
    from warehouse.db import bootstrap, connect
    from warehouse.load import load_stream
    from warehouse.spool import Spool

    out = {"load": 0.0, "spool": 0.0, "rows": 0}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        con = connect(Path(folder) / "w.duckdb")
        bootstrap(con, contracts())
        spool = Spool(Path(folder) / "spool")
        for source, streams in batches.items():
            contract = SOURCES[source].CONTRACT
            for stream, frames in streams.items():
                started = time.perf_counter()
                spooled = spool.writer(contract, stream)
                for frame in frames:
                    spool.write(spooled, contract, frame)
                merged = time.perf_counter()
                result = load_stream(con, contract, spooled, run_id="bench", window=window)
                out["load"] += time.perf_counter() - merged
                out["spool"] += merged - started
                out["rows"] += result.rows_in
        con.close()
    return out


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Key-wise median of repeated measurements."""
    return {k: statistics.median(run[k] for run in runs) for k in runs[0]}


def validate_all(batches, window, run_date) -> dict[str, float]:
    """Validate each resource's batch (all streams concatenated); ``validate_batch`` seconds
    per resource (conversion to pandas included, the concatenation not)."""
    from expectations import validate_batch
    from sources.catalog import SOURCES

    seconds = {}
    for source, streams in batches.items():
        contract = SOURCES[source].CONTRACT
        frames = [f for pages in streams.values() for f in pages]
        frame = pl.concat(frames) if frames else contract.empty_frame()
        result = validate_batch(contract, frame, run_id="bench", run_date=run_date, window=window)
        assert not result.blocked_streams, result.blocked_streams
        seconds[contract.table] = result.seconds
    return seconds


def big_klines() -> pl.DataFrame:
    """BIG_SYMBOLS x BIG_DAYS clean daily candles from 2015-01-01, ``binance.CONTRACT.schema``."""
    from sources import binance

    n = BIG_SYMBOLS * BIG_DAYS
    rng = np.random.default_rng(20150101)
    day = np.tile(np.arange(BIG_DAYS, dtype=np.int64), BIG_SYMBOLS) + 16_436  # 2015-01-01
    close = 100 + rng.random(n)
    frame = pl.DataFrame(
        {
            "symbol": np.repeat([f"S{i:03d}USDT" for i in range(BIG_SYMBOLS)], BIG_DAYS),
            "open_time": day * 86_400_000,
            "date": pl.Series(day.astype(np.int32)).cast(pl.Date),
            "open": close,
            "high": close + 1,
            "low": close - 1,
            "close": close,
            "volume": rng.random(n),
            "close_time": (day + 1) * 86_400_000 - 1,
            "quote_volume": rng.random(n),
            "trades": np.arange(n),
            "taker_buy_base": rng.random(n),
            "taker_buy_quote": rng.random(n),
        }
    )
    return frame.select(pl.col(c).cast(t) for c, t in binance.CONTRACT.schema.items())


def attribution_strategies(frame: pl.DataFrame, window, repeats: int) -> dict[str, list[float]]:
    """Seconds to validate ``frame`` clean and with one bad row, by three strategies."""
    from great_expectations.validator.v1_validator import Validator

    from expectations import validate_batch
    from expectations.engine import engine
    from expectations.frames import to_pandas
    from sources import binance

    contract = binance.CONTRACT
    bad = frame.with_columns(
        low=pl.when(pl.int_range(pl.len()) == 0).then(-1.0).otherwise(pl.col("low"))
    )
    params = {
        "window_start": f"{window[0]}T00:00:00",
        "window_end": f"{window[1]}T00:00:00",
        "as_of": window[1].isoformat(),
    }
    suite = engine().suites[contract.table]

    def two_passes(batch):
        validate_batch(contract, batch, run_id="b", run_date=window[1], window=window)

    def one_complete_pass(batch):
        validator = Validator(
            engine().batch_definition,
            batch_parameters={"dataframe": to_pandas(batch)},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": ["symbol"],
            },
        )
        validator.validate_expectation_suite(suite.rows, params)
        validator.validate_expectation_suite(suite.table, params)

    def per_stream(batch):
        for part in batch.partition_by("symbol"):
            validate_batch(contract, part, run_id="b", run_date=window[1], window=window)

    return {
        name: [timed(lambda b=batch, f=fn: f(b), repeats)[0] for batch in (frame, bad)]
        for name, fn in (
            ("two passes (used)", two_passes),
            ("one COMPLETE pass", one_complete_pass),
            ("one run per stream", per_stream),
        )
    }


def every_row_bad(frame: pl.DataFrame, window) -> float:
    """Seconds to validate ``frame`` when every row breaks one expectation (low below zero)."""
    from expectations import validate_batch
    from sources import binance

    bad = frame.with_columns(low=-pl.col("low"), open=pl.col("high"), close=pl.col("high"))
    started = time.perf_counter()
    result = validate_batch(binance.CONTRACT, bad, run_id="b", run_date=window[1], window=window)
    assert len(result.blocked_streams) == frame["symbol"].n_unique()
    return time.perf_counter() - started


def section(report: dict) -> str:
    """The RESULTS.md section: command, machine, and the ratios measured in this run."""
    demo, big = report["demo"], report["big"]
    lines = [
        SECTION_START,
        "## Validation: GX quality gate vs load (bench/validation.py)",
        "",
        f"Command: `{COMMAND}` - measured {report['when']} on {report['machine']}; "
        f"median of {report['repeats']} runs per figure. Target: validation under "
        f"{TARGET:.0%} of load time.",
        "",
        "| batch | rows | load (MERGE) s | validation s | validation / load "
        "| + spool write s | validation / (spool + load) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {m['rows']:,} | {m['load']:.3f} | {m['validate']:.3f} "
            f"| **{m['validate'] / m['load']:.0%}** | {m['spool']:.3f} "
            f"| {m['validate'] / (m['load'] + m['spool']):.0%} |"
            for label, m in (
                (
                    f"(a) demo history {DEMO_START}..{report['today']}, "
                    f"4 resources, {demo['streams']} streams",
                    demo,
                ),
                (f"(b) synthetic klines, {BIG_SYMBOLS} symbols x {BIG_DAYS:,} days", big),
            )
        ),
        "",
        "Load is ``warehouse.load.load_stream`` per stream, the flow's load step; the Parquet "
        "spool is written earlier, by the extract step, and is shown apart. Validation is "
        "``validate_batch`` per resource, conversion to pandas included.",
        "",
        "Demo validation per suite (s): "
        + ", ".join(f"{k} {v:.3f}" for k, v in demo["per_suite"].items())
        + ".",
        f"One-off per process, not in the ratios: GX import {report['gx_import']:.1f} s, "
        f"context and suites {report['gx_setup']:.2f} s.",
        "",
        "Attribution strategies (s), clean / with one bad row:",
        "",
        "| strategy | demo klines | 1M klines |",
        "|---|---:|---:|",
        *(
            f"| {name} | {demo_s[0]:.3f} / {demo_s[1]:.3f} "
            f"| {report['strategies_big'][name][0]:.3f} / {report['strategies_big'][name][1]:.3f} |"
            for name, demo_s in report["strategies_demo"].items()
        ),
        "",
        f"Worst case, every row of the 1M batch bad: {report['all_bad']:.1f} s. (Measured once "
        "while building it: 55 s when the COMPLETE pass names the stream as an ordinary "
        "column, which GX looks up row by row; engine.py puts stream and date in a named "
        "index, which GX reads as whole lists.)",
        "",
        f"HOME pointed at an empty folder before GX was imported: "
        f"{'still empty' if report['home_empty'] else 'NOT EMPTY: ' + report['home_files']}.",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it), leaving the rest alone."""
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    if SECTION_START in current and SECTION_END in current:
        head, rest = current.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].lstrip("\n")
        current = head + text + ("\n" + tail if tail else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    window = (DEMO_START, today)

    started = time.perf_counter()
    from expectations.validate import warm_up

    gx_import = time.perf_counter() - started
    started = time.perf_counter()
    warm_up()
    gx_setup = time.perf_counter() - started

    batches = extract_demo(today)
    demo_load = median_of([load_all(batches, window) for _ in range(args.repeats)])
    per_suite = median_of([validate_all(batches, window, today) for _ in range(args.repeats)])

    big = big_klines()
    big_window = (DEMO_START, big["date"].max())
    big_batch = {"binance": {"synthetic": [big]}}
    big_load = median_of([load_all(big_batch, big_window) for _ in range(args.repeats)])
    big_validate = median_of(
        [validate_all(big_batch, big_window, big_window[1]) for _ in range(args.repeats)]
    )
    demo_klines = pl.concat([f for pages in batches["binance"].values() for f in pages])
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "repeats": args.repeats,
        "today": today,
        "gx_import": gx_import,
        "gx_setup": gx_setup,
        "demo": {
            **demo_load,
            "streams": sum(len(s) for s in batches.values()),
            "validate": sum(per_suite.values()),
            "per_suite": per_suite,
        },
        "big": {**big_load, "validate": sum(big_validate.values())},
        "strategies_demo": attribution_strategies(demo_klines, window, args.repeats),
        "strategies_big": attribution_strategies(big, big_window, 1),
        "all_bad": every_row_bad(big, big_window),
    }
    files = sorted(str(p.relative_to(HOME)) for p in HOME.rglob("*"))
    report["home_empty"], report["home_files"] = not files, ", ".join(files)
    shutil.rmtree(HOME, ignore_errors=True)
    text = section(report)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"updated {RESULTS}")


if __name__ == "__main__":
    main()
