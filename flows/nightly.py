"""The nightly flow: extract -> validate -> load -> transform -> validate marts -> publish."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, runtime
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from expectations import build_data_docs
from flows.catalog import ALL_SOURCES as SOURCES
from flows.catalog import contracts, fred_unit_rows, streams
from flows.errors import PipelineError
from flows.settings import load_settings
from flows.tasks import extract_stream, gate_marts, load, transform, validate_resource
from warehouse.db import bootstrap, list_tables
from warehouse.load import LoadResult
from warehouse.publish import abandon, begin_build, publish, run_lock
from warehouse.quarantine import ensure_tables
from warehouse.spool import Spool, SpooledStream
from warehouse.state import incremental_start

Window = tuple[date, date]


@dataclass
class RunSummary:
    """What a run did; the CLI prints it and tests read it."""

    run_id: str
    status: str
    warehouse: Path
    data_origin: str
    loads: list[LoadResult] = field(default_factory=list)
    failed_streams: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(
        default_factory=dict
    )  # "binance/BTCUSDT" -> "coinbase/BTC-USD"
    quarantined: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    docs: Path | None = None

    @property
    def stale_sources(self) -> list[str]:
        """Sources with a failed or blocked stream: their marts use the last good data."""
        keys = [*self.failed_streams, *self.quarantined]
        return sorted({key.split("/")[0] for key in keys})


@flow(
    name="nightly",
    flow_run_name="nightly-{mode}-{start}-{end}",
    task_runner=ThreadPoolTaskRunner(max_workers=6),
)
def nightly(start: date | None = None, end: date | None = None, mode: str = "run") -> RunSummary:
    """Run the pipeline for [start, end], or incrementally from the watermarks when start is None.

    Args:
        start: first date to extract for every stream; None = each stream's watermark - lookback
            (2015-01-01 on an empty warehouse).
        end: last date to extract; None = today (UTC).
        mode: a label recorded in meta.runs ("run", "demo", "nightly", "backfill").
    """
    settings = load_settings()
    run_id = str(runtime.flow_run.id or uuid.uuid4())
    started_at = datetime.now(UTC)
    end = end or started_at.date()
    summary = RunSummary(run_id, "running", settings.warehouse, settings.data_origin)
    spool = Spool(settings.warehouse.parent / ".spool" / run_id)
    with run_lock(settings.warehouse):
        con = begin_build(settings.warehouse)
        try:
            bootstrap(con, contracts(), fred_unit_rows())
            ensure_tables(con, contracts())
            windows = plan_windows(con, streams(settings), start, end)
            extracted = extract_all(windows, spool.root, summary)
            accepted = validate_all(con, extracted, windows, summary, started_at.date())
            summary.loads = [
                load(con, src, s, run_id, windows[(src, s.stream)]) for src, s in accepted
            ]
            transform(con)
            summary.warnings += gate_marts(con, run_id, started_at.date())
            summary.status = "partial" if summary.stale_sources else "success"
            record_run(con, summary, started_at, mode, start, end)
            summary.table_rows = count_rows(con)
            publish(con, settings.warehouse)
        except BaseException:
            abandon(con, settings.warehouse)
            raise
        finally:
            spool.remove()
    summary.docs = build_docs(settings.warehouse.parent / "docs")
    report(summary)
    return summary


def build_docs(docs_dir: Path) -> Path | None:
    """Render GX Data Docs for this run; a rendering problem is logged, never fatal to the data."""
    try:
        return build_data_docs(docs_dir)
    except Exception as exc:
        get_run_logger().warning("Data Docs not built: %s", exc)
        return None


def plan_windows(
    con: duckdb.DuckDBPyConnection, planned: list[tuple[str, str]], start: date | None, end: date
) -> dict[tuple[str, str], Window]:
    """The extraction window of every stream: explicit, or incremental from its watermark."""
    windows = {}
    for source, stream in planned:
        first = start or incremental_start(con, SOURCES[source].CONTRACT, stream)
        if first > end:
            raise PipelineError(f"start {first} is after end {end}")
        windows[(source, stream)] = (first, end)
    return windows


def extract_all(
    windows: dict[tuple[str, str], Window], spool_root: Path, summary: RunSummary
) -> list[tuple[str, SpooledStream]]:
    """Extract every stream concurrently; a failed stream is recorded, the others go on."""
    futures = {
        key: extract_stream.submit(key[0], key[1], w[0], w[1], spool_root)
        for key, w in windows.items()
    }
    done = []
    for (source, stream), future in futures.items():
        try:
            used, spooled = future.result()
        except PipelineError as exc:
            summary.failed_streams[f"{source}/{stream}"] = str(exc)
            get_run_logger().error("%s/%s failed: %s", source, stream, exc)
            continue
        if used != source:  # a fallback venue stood in: same window, its own raw table
            summary.fallbacks[f"{source}/{stream}"] = f"{used}/{spooled.stream}"
            windows[(used, spooled.stream)] = windows[(source, stream)]
        done.append((used, spooled))
    return done


def validate_all(
    con: duckdb.DuckDBPyConnection,
    extracted: list[tuple[str, SpooledStream]],
    windows: dict[tuple[str, str], Window],
    summary: RunSummary,
    run_date: date,
) -> list[tuple[str, SpooledStream]]:
    """Validate each resource's batch; blocked streams go to quarantine, the rest go on to load."""
    by_source: dict[str, list[SpooledStream]] = defaultdict(list)
    for source, spooled in extracted:
        by_source[source].append(spooled)
    accepted = []
    for source, group in by_source.items():
        span = [windows[(source, s.stream)] for s in group]
        window = (min(w[0] for w in span), max(w[1] for w in span))
        outcome = validate_resource(con, source, group, summary.run_id, run_date, window)
        summary.quarantined.update({f"{source}/{k}": v for k, v in outcome.quarantined.items()})
        summary.warnings += outcome.warnings
        accepted += [(source, s) for s in group if s.stream not in outcome.quarantined]
    return accepted


def record_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    started_at: datetime,
    mode: str,
    start: date | None,
    end: date,
) -> None:
    """Write this run's row to meta.runs inside the build, so it publishes with the data."""
    notes = [f"failed {k}: {v}" for k, v in sorted(summary.failed_streams.items())]
    notes += [f"quarantined {k}: {n} rows" for k, n in sorted(summary.quarantined.items())]
    notes += [f"fell back {k} -> {v}" for k, v in sorted(summary.fallbacks.items())]
    con.execute(
        "insert into meta.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            runtime.flow_run.name,
            started_at,
            datetime.now(UTC),
            summary.status,
            summary.data_origin,
            mode,
            start,
            end,
            sum(r.rows_in for r in summary.loads),
            sum(r.rows_inserted for r in summary.loads),
            sum(r.rows_updated for r in summary.loads),
            summary.stale_sources,
            "; ".join(notes) or None,
        ],
    )


def count_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every raw, staging and mart relation, and of non-empty quarantine tables."""
    counts = {
        name: con.execute(f"select count(*) from {name}").fetchone()[0]
        for name in list_tables(con, ("raw", "staging", "marts", "quarantine"))
    }
    return {k: v for k, v in counts.items() if v or not k.startswith("quarantine.")}


def report(summary: RunSummary) -> None:
    """Publish the run's load counts as a markdown artifact (counts only: nothing secret)."""
    lines = [
        "| table | stream | rows in | inserted | updated | watermark |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| raw.{r.source}__{r.resource} | {r.stream} | {r.rows_in} | {r.rows_inserted} "
        f"| {r.rows_updated} | {r.watermark} |"
        for r in summary.loads
    ]
    lines += [f"\n**failed** {k}: {v}" for k, v in summary.failed_streams.items()]
    lines += [f"\n**quarantined** {k}: {n} rows" for k, n in summary.quarantined.items()]
    lines += [f"\n**fell back** {k} -> {v}" for k, v in summary.fallbacks.items()]
    lines += [f"\n**warning** {w}" for w in summary.warnings]
    create_markdown_artifact(
        key="nightly-load-summary",
        markdown=f"# nightly {summary.status} ({summary.data_origin})\n\n" + "\n".join(lines),
    )
