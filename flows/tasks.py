"""Thin Prefect tasks around the source, quality-gate and warehouse functions; no parsing or SQL."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.limits import host_slot
from flows.runlog import source_logger
from rotation_kernel.errors import AuditError, StreamTimeoutError
from rotation_kernel.progress import emit
from rotation_kernel.settings import Settings, load_settings
from sources._http import HttpClient
from sources.catalog import ALL_SOURCES as SOURCES
from sources.catalog import extractor
from sources.fallbacks import extract_with_fallbacks
from warehouse.gate import GateOutcome, gate_batch, gate_bulk_load, gate_marts_results, log_load
from warehouse.load import LoadResult, load_stream
from warehouse.spool import Spool, SpooledStream
from warehouse.transform import run_audits, run_transforms

# Defaults for every task; the flow sets extraction retries and timeouts per source
# (flows/policy.py explains which layer retries what).
TASK_OPTS = {"retries": 0, "cache_policy": NO_CACHE}


@task(name="extract", task_run_name="extract-{source}-{stream}", **TASK_OPTS)
def extract_stream(
    source: str,
    stream: str,
    start: date,
    end: date,
    spool_root: Path,
    server_limits: bool = False,
    timeout_s: float | None = None,
) -> tuple[str, SpooledStream]:
    """Fetch one stream's pages for [start, end] and spool each parsed page.

    The stream holds one of its API host's slots while it runs (:func:`flows.limits.host_slot`).
    When Binance will not serve a symbol, the next venue stands in
    (:func:`sources.fallbacks.extract_with_fallbacks`). ``timeout_s`` bounds the whole stream,
    checked between pages, so a timeout never leaves a page half-written.

    Returns:
        (the source actually used, its spooled stream).
    """
    settings = load_settings()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s

    def spool_from(venue: str, venue_stream: str) -> SpooledStream:
        with host_slot(venue, settings, server_limits):
            return _spool_stream(settings, venue, venue_stream, start, end, spool_root, deadline)

    return extract_with_fallbacks(source, stream, spool_from, source_logger(source, stream))


def _spool_stream(
    settings: Settings,
    source: str,
    stream: str,
    start: date,
    end: date,
    spool_root: Path,
    deadline: float | None = None,
) -> SpooledStream:
    """Spool one source's stream page by page, reporting progress; stop past ``deadline``."""
    module = extractor(source, settings)
    spool = Spool(spool_root)
    spooled = spool.writer(module.CONTRACT, stream)
    for page in module.extract(HttpClient.from_settings(settings), settings, stream, start, end):
        spool.write(spooled, module.CONTRACT, page)
        emit("page", source=source, stream=stream, rows=spooled.rows, pages=len(spooled.files))
        if deadline is not None and time.monotonic() > deadline:
            raise StreamTimeoutError(
                f"{source}/{stream}: extraction passed its time limit after "
                f"{len(spooled.files)} pages (flows/policy.py timeout)"
            )
    get_run_logger().info(
        "%s/%s %s..%s: %d rows in %d pages",
        source,
        stream,
        start,
        end,
        spooled.rows,
        len(spooled.files),
    )
    return spooled


@task(name="validate", task_run_name="validate-{source}", timeout_seconds=900, **TASK_OPTS)
def validate_resource(
    con: duckdb.DuckDBPyConnection,
    source: str,
    group: list[SpooledStream],
    run_id: str,
    run_date: date,
    window: tuple[date, date],
) -> GateOutcome:
    """Run the resource's GX suite on this run's batch; quarantine every blocked stream."""
    contract = SOURCES[source].CONTRACT
    logger = get_run_logger()
    return gate_batch(
        con, contract, group, run_id=run_id, run_date=run_date, window=window, logger=logger
    )


@task(name="bulk-load", task_run_name="bulk-load-{source}", timeout_seconds=3600, **TASK_OPTS)
def bulk_load_resource(
    con: duckdb.DuckDBPyConnection,
    source: str,
    group: list[SpooledStream],
    run_id: str,
    run_date: date,
    windows: dict[str, tuple[date, date]],
) -> tuple[list[LoadResult], GateOutcome]:
    """Validate and load a high-volume source's streams in one pass (warehouse.gate).

    Args:
        windows: each stream's requested dates, by stream.

    Returns:
        The loads, and what the gate did (quarantined and failed streams, warnings).
    """
    contract = SOURCES[source].CONTRACT
    logger = get_run_logger()
    return gate_bulk_load(
        con, contract, group, run_id=run_id, run_date=run_date, windows=windows, logger=logger
    )


@task(name="load", task_run_name="load-{source}", timeout_seconds=1800, **TASK_OPTS)
def load(
    con: duckdb.DuckDBPyConnection,
    source: str,
    group: list[SpooledStream],
    run_id: str,
    windows: dict[str, tuple[date, date]],
) -> list[LoadResult]:
    """MERGE a source's accepted streams into its raw table, one transaction per stream.

    One task per source, not per stream: a Prefect task run costs ~20 ms of state round trips,
    which for the ~45 small streams of a nightly run was half of the load step.

    Args:
        windows: each stream's requested dates, by stream.
    """
    contract = SOURCES[source].CONTRACT
    results = []
    for spooled in group:
        result = load_stream(con, contract, spooled, run_id=run_id, window=windows[spooled.stream])
        log_load(get_run_logger(), contract.table, result)
        results.append(result)
    return results


@task(name="transform", timeout_seconds=900, **TASK_OPTS)
def transform(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rebuild staging views and mart tables, then run the SQL audits.

    Raises:
        AuditError: when an audit finds offending rows (the build is then not published).
    """
    built = run_transforms(con)
    failed = {name: n for name, n in run_audits(con).items() if n}
    if failed:
        raise AuditError(failed)
    get_run_logger().info("built %d models; all audits passed", len(built))
    return built


@task(name="validate-marts", timeout_seconds=900, **TASK_OPTS)
def gate_marts(con: duckdb.DuckDBPyConnection, run_id: str, run_date: date) -> list[str]:
    """Run the mart suites; a failed `block` expectation stops the publish.

    Returns:
        The failed `warn` expectations, as one line each.

    Raises:
        AuditError: naming every failed `block` expectation.
    """
    return gate_marts_results(con, run_id=run_id, run_date=run_date)
