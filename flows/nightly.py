"""The nightly flow: extract -> validate -> load -> transform -> validate marts -> publish."""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, runtime
from prefect.cache_policies import CachePolicy
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner

import expectations
from flows.artifacts import publish_artifacts, validation_failures, watermarks
from flows.hooks import notify_on_failure
from flows.policy import (
    CACHE_EXPIRATION,
    base_url_for,
    ensure_host_limits,
    extraction_key,
    interleave,
    make_task_runner,
    policy_for,
    task_options,
    window_is_closed,
)
from flows.runlog import source_logger
from flows.tasks import (
    GateOutcome,
    bulk_load_resource,
    extract_stream,
    gate_marts,
    load,
    transform,
    validate_resource,
)
from rotation_kernel.errors import PipelineError
from rotation_kernel.progress import emit
from rotation_kernel.settings import Settings, load_settings
from sources.catalog import ALL_SOURCES as SOURCES
from sources.catalog import BULK_SOURCES, contracts, fred_unit_rows, streams
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
    watermarks_before: dict[str, date | None] = field(default_factory=dict)
    watermarks_after: dict[str, date | None] = field(default_factory=dict)
    validation_failures: list[tuple] = field(default_factory=list)

    @property
    def stale_sources(self) -> list[str]:
        """Sources with a failed or blocked stream: their marts use the last good data."""
        keys = [*self.failed_streams, *self.quarantined]
        return sorted({key.split("/")[0] for key in keys})


@flow(
    name="nightly",
    flow_run_name="nightly-{mode}-{start}-{end}",
    on_failure=[notify_on_failure],
    on_crashed=[notify_on_failure],
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
            summary.watermarks_before = watermarks(con)
            windows = plan_windows(con, streams(settings), start, end)
            emit("stage", name="extract", streams=len(windows))
            extracted = extract_all(windows, spool.root, summary, settings)
            if not extracted:
                raise PipelineError(
                    "nothing to publish: every stream failed "
                    f"({'; '.join(f'{k}: {v}' for k, v in summary.failed_streams.items())})"
                )
            emit("stage", name="validate", streams=len(extracted))
            accepted = validate_all(con, extracted, windows, summary, started_at.date())
            emit("stage", name="load", streams=len(accepted))
            summary.loads = load_all(con, accepted, windows, summary, started_at.date())
            emit("stage", name="transform")
            transform(con)
            emit("stage", name="validate-marts")
            summary.warnings += gate_marts(con, run_id, started_at.date())
            summary.status = "partial" if summary.stale_sources else "success"
            record_run(con, summary, started_at, mode, start, end)
            summary.table_rows = count_rows(con)
            summary.watermarks_after = watermarks(con)
            summary.validation_failures = validation_failures(con, run_id)
            emit("stage", name="publish")
            publish(con, settings.warehouse)
        except BaseException:
            abandon(con, settings.warehouse)
            raise
        finally:
            spool.remove()
    emit("stage", name="docs")
    summary.docs = build_docs(settings.warehouse.parent / "docs")
    emit("stage", name="done", status=summary.status)
    publish_artifacts(summary)
    return summary


def build_docs(docs_dir: Path) -> Path | None:
    """Render GX Data Docs for this run; a rendering problem is logged, never fatal to the data."""
    try:
        return expectations.build_data_docs(docs_dir)
    except Exception as exc:
        get_run_logger().warning("Data Docs not built: %s", exc)
        return None


def plan_windows(
    con: duckdb.DuckDBPyConnection, planned: list[tuple[str, str]], start: date | None, end: date
) -> dict[tuple[str, str], Window]:
    """The extraction window of every stream: explicit, or incremental from its watermark."""
    windows = {}
    lookback = load_settings().lookback_days  # ROTATION_LOOKBACK_DAYS overrides every source's
    for source, stream in planned:
        contract = SOURCES[source].CONTRACT
        if lookback is not None:
            contract = dataclasses.replace(contract, lookback_days=lookback)
        first = start or incremental_start(con, contract, stream)
        if first > end:
            raise PipelineError(f"start {first} is after end {end}")
        windows[(source, stream)] = (first, end)
    return windows


def extract_all(
    windows: dict[tuple[str, str], Window],
    spool_root: Path,
    summary: RunSummary,
    settings: Settings,
) -> list[tuple[str, SpooledStream]]:
    """Extract every stream concurrently; a failed stream is recorded, the others go on.

    Each source's task gets its retries and timeout from :mod:`flows.policy`. A closed window
    (older than the source's revision lookback) is cached by (source, stream, window, server):
    its pages are spooled under ``<warehouse dir>/.cache`` and a rerun reuses them.
    """
    cache_root = settings.warehouse.parent / ".cache"
    server_limits = ensure_host_limits(settings, sorted({src for src, _ in windows}))
    with make_task_runner(settings) as runner:
        futures = {
            key: _submit(runner, key, windows[key], spool_root, cache_root, settings, server_limits)
            for key in interleave(list(windows), settings)
        }
        done = []
        for source, stream in list(windows):
            future = futures[(source, stream)]
            try:
                used, spooled = future.result()
            except PipelineError as exc:
                summary.failed_streams[f"{source}/{stream}"] = str(exc)
                source_logger(source, stream).error("failed: %s", exc)
                continue
            if used != source:  # a fallback venue stood in: same window, its own raw table
                summary.fallbacks[f"{source}/{stream}"] = f"{used}/{spooled.stream}"
                windows[(used, spooled.stream)] = windows[(source, stream)]
            done.append((used, spooled))
    return done


def _submit(
    runner: TaskRunner,
    key: tuple[str, str],
    window: Window,
    spool_root: Path,
    cache_root: Path,
    settings: Settings,
    server_limits: bool,
) -> PrefectFuture:
    source, stream = key
    options = task_options(source, settings)
    contract = SOURCES[source].CONTRACT
    if window_is_closed(window[1], contract.lookback_days):
        cache_key = extraction_key(
            source, stream, window[0], window[1], base_url_for(source, settings)
        )
        spool_root = cache_root / "pages" / cache_key
        if not spool_root.exists():  # pages gone (cache cleared): never trust the old result
            options["refresh_cache"] = True
        options |= {
            "cache_policy": CachePolicy.from_cache_key_fn(lambda *_: cache_key),
            "cache_expiration": CACHE_EXPIRATION,
            "persist_result": True,
            "result_storage": cache_root / "results",
        }
    parameters = {
        "source": source,
        "stream": stream,
        "start": window[0],
        "end": window[1],
        "spool_root": spool_root,
        "server_limits": server_limits,
        "timeout_s": policy_for(source).timeout_s,
    }
    return runner.submit(extract_stream.with_options(**options), parameters=parameters)


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
        if source in BULK_SOURCES:  # validated part by part as it loads (load_all)
            accepted += [(source, s) for s in group]
            continue
        span = [windows[(source, s.stream)] for s in group]
        window = (min(w[0] for w in span), max(w[1] for w in span))
        outcome = validate_resource(con, source, group, summary.run_id, run_date, window)
        _absorb(summary, source, outcome)
        refused = outcome.quarantined.keys() | outcome.failed.keys()
        accepted += [(source, s) for s in group if s.stream not in refused]
    return accepted


def _absorb(summary: RunSummary, source: str, outcome: GateOutcome) -> None:
    """Add what the quality gate did to one source's streams to the run's summary."""
    summary.quarantined.update({f"{source}/{k}": v for k, v in outcome.quarantined.items()})
    summary.failed_streams.update({f"{source}/{k}": v for k, v in outcome.failed.items()})
    summary.warnings += outcome.warnings


def load_all(
    con: duckdb.DuckDBPyConnection,
    accepted: list[tuple[str, SpooledStream]],
    windows: dict[tuple[str, str], Window],
    summary: RunSummary,
    run_date: date,
) -> list[LoadResult]:
    """Load every accepted stream, one load task per source, in the order they were accepted.

    A bulk source (``BULK_SOURCES``) is validated here, as it loads: its quarantined and
    failed streams and its warnings go into ``summary`` like the validate step's.
    """
    by_source: dict[str, list[SpooledStream]] = defaultdict(list)
    for source, spooled in accepted:
        by_source[source].append(spooled)
    results = []
    for source, group in by_source.items():
        spans = {s.stream: windows[(source, s.stream)] for s in group}
        if source not in BULK_SOURCES:
            results += load(con, source, group, summary.run_id, spans)
            continue
        loaded, outcome = bulk_load_resource(con, source, group, summary.run_id, run_date, spans)
        _absorb(summary, source, outcome)
        results += loaded
    return results


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
