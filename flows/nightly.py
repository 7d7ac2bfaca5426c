"""The nightly flow: extract -> validate -> load -> transform -> validate marts -> publish."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, runtime
from prefect.cache_policies import CachePolicy
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner

import expectations
from flows.artifacts import publish_artifacts
from flows.hooks import notify_on_failure
from flows.limits import ensure_host_limits, make_task_runner
from flows.policy import (
    CACHE_EXPIRATION,
    extraction_key,
    policy_for,
    task_options,
    window_is_closed,
)
from flows.runlog import source_logger
from flows.tasks import (
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
from sources import treasury_dts
from sources.catalog import ALL_SOURCES as SOURCES
from sources.catalog import (
    BULK_SOURCES,
    base_url_for,
    contracts,
    fred_unit_rows,
    interleave,
    source_contracts,
    streams,
)
from warehouse.db import bootstrap
from warehouse.load import LoadResult
from warehouse.publish import abandon, begin_build, publish, run_lock
from warehouse.quarantine import ensure_tables
from warehouse.runs import RunSummary, by_source, close_run, covering, watermarks
from warehouse.spool import Spool, SpooledStream
from warehouse.state import Window, plan_windows

Windows = dict[tuple[str, str], Window]


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
    started_at = datetime.now(UTC)
    end, today = end or started_at.date(), started_at.date()
    run_id = str(runtime.flow_run.id or uuid.uuid4())
    summary = RunSummary(run_id, "running", settings.warehouse, settings.data_origin)
    with building(settings.warehouse, run_id) as (con, spool_root):
        summary.watermarks_before = watermarks(con)
        planned = streams(settings)
        windows = plan_windows(con, planned, source_contracts(), start, end, settings.lookback_days)
        extracted = extract_all(windows, spool_root, summary, settings)
        accepted = validate_all(con, extracted, windows, summary, today)
        summary.loads = load_all(con, accepted, windows, summary, today)
        emit("stage", name="transform")
        transform(con)
        emit("stage", name="validate-marts")
        summary.warnings += gate_marts(con, run_id, today)
        name = runtime.flow_run.name
        close_run(con, summary, name=name, started_at=started_at, mode=mode, start=start, end=end)
        emit("stage", name="publish")
        publish(con, settings.warehouse)
    emit("stage", name="docs")
    summary.docs = build_docs(settings.warehouse.parent / "docs")
    emit("stage", name="done", status=summary.status)
    publish_artifacts(summary)
    return summary


@contextmanager
def building(warehouse: Path, run_id: str) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """Hold the run lock and a new build of ``warehouse`` (bootstrapped), with a spool folder.

    The build is abandoned if the block raises (``publish`` inside the block keeps it); the
    spool folder is removed either way.

    Yields:
        The build's connection, and the root of this run's spool.
    """
    spool = Spool(warehouse.parent / ".spool" / run_id)
    with run_lock(warehouse):
        con = begin_build(warehouse)
        try:
            bootstrap(con, contracts(), fred_unit_rows(), treasury_dts.era_rows())
            ensure_tables(con, contracts())
            yield con, spool.root
        except BaseException:
            abandon(con, warehouse)
            raise
        finally:
            spool.remove()


def build_docs(docs_dir: Path) -> Path | None:
    """Render GX Data Docs for this run; a rendering problem is logged, never fatal to the data."""
    try:
        return expectations.build_data_docs(docs_dir)
    except Exception as exc:
        get_run_logger().warning("Data Docs not built: %s", exc)
        return None


def extract_all(
    windows: Windows, spool_root: Path, summary: RunSummary, settings: Settings
) -> list[tuple[str, SpooledStream]]:
    """Extract every stream concurrently; a failed stream is recorded, the others go on.

    Each source's task gets its retries and timeout from :mod:`flows.policy`. A closed window
    (older than the source's revision lookback) is cached by (source, stream, window, server):
    its pages are spooled under ``<warehouse dir>/.cache`` and a rerun reuses them. A stream a
    fallback venue stood in for adds the venue's (source, stream) to ``windows``.

    Raises:
        PipelineError: when every stream failed: there is nothing to publish.
    """
    emit("stage", name="extract", streams=len(windows))
    cache_root = settings.warehouse.parent / ".cache"
    server_limits = ensure_host_limits(settings, sorted({src for src, _ in windows}))
    with make_task_runner(settings) as runner:
        futures = {
            key: _submit(runner, key, windows[key], spool_root, cache_root, settings, server_limits)
            for key in interleave(list(windows), settings)
        }
        done = []
        for source, stream in list(windows):
            try:
                used, spooled = futures[(source, stream)].result()
            except PipelineError as exc:
                summary.failed_streams[f"{source}/{stream}"] = str(exc)
                source_logger(source, stream).error("failed: %s", exc)
                continue
            if used != source:  # a fallback venue stood in: same window, its own raw table
                summary.fallbacks[f"{source}/{stream}"] = f"{used}/{spooled.stream}"
                windows[(used, spooled.stream)] = windows[(source, stream)]
            done.append((used, spooled))
    if not done:
        failures = "; ".join(f"{k}: {v}" for k, v in summary.failed_streams.items())
        raise PipelineError(f"nothing to publish: every stream failed ({failures})")
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
    windows: Windows,
    summary: RunSummary,
    run_date: date,
) -> list[tuple[str, SpooledStream]]:
    """Validate each resource's batch; blocked streams go to quarantine, the rest go on to load.

    A bulk source (``BULK_SOURCES``) passes untouched: it is validated part by part as it loads.
    """
    emit("stage", name="validate", streams=len(extracted))
    accepted = []
    for source, group in by_source(extracted).items():
        if source in BULK_SOURCES:
            accepted += [(source, s) for s in group]
            continue
        window = covering(windows[(source, s.stream)] for s in group)
        outcome = validate_resource(con, source, group, summary.run_id, run_date, window)
        summary.absorb(source, outcome)
        accepted += [(source, s) for s in group if s.stream not in outcome.refused]
    return accepted


def load_all(
    con: duckdb.DuckDBPyConnection,
    accepted: list[tuple[str, SpooledStream]],
    windows: Windows,
    summary: RunSummary,
    run_date: date,
) -> list[LoadResult]:
    """Load every accepted stream, one load task per source, in the order they were accepted.

    A bulk source (``BULK_SOURCES``) is validated here, as it loads: its quarantined and
    failed streams and its warnings go into ``summary`` like the validate step's.
    """
    emit("stage", name="load", streams=len(accepted))
    results = []
    for source, group in by_source(accepted).items():
        spans = {s.stream: windows[(source, s.stream)] for s in group}
        if source not in BULK_SOURCES:
            results += load(con, source, group, summary.run_id, spans)
            continue
        loaded, outcome = bulk_load_resource(con, source, group, summary.run_id, run_date, spans)
        summary.absorb(source, outcome)
        results += loaded
    return results
