"""Thin Prefect tasks around the source, validation and warehouse functions; no parsing or SQL."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

import expectations
from flows.policy import host_slot
from flows.runlog import source_logger
from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import (
    AuditError,
    PipelineError,
    SchemaDriftError,
    SourceAPIError,
    SourceHTTPError,
    StreamTimeoutError,
    VenueUnavailableError,
)
from rotation_kernel.progress import emit
from rotation_kernel.settings import load_settings
from sources._http import HttpClient
from sources.catalog import ALL_SOURCES as SOURCES
from sources.catalog import extractor, fallbacks
from warehouse.bulk import bulk_load
from warehouse.load import LoadResult, load_stream
from warehouse.quarantine import quarantine_stream, record_validation
from warehouse.spool import Spool, SpooledStream
from warehouse.stage import as_parquet, stage_group
from warehouse.transform import run_audits, run_transforms

# Defaults for every task; the flow sets extraction retries and timeouts per source
# (flows/policy.py explains which layer retries what).
TASK_OPTS = {"retries": 0, "cache_policy": NO_CACHE}


@dataclass
class GateOutcome:
    """What the quality gate did to one resource's batch."""

    quarantined: dict[str, int] = field(default_factory=dict)  # stream -> rows
    failed: dict[str, str] = field(default_factory=dict)  # stream -> why it could not be typed
    warnings: list[str] = field(default_factory=list)


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

    The stream holds one of its API host's slots while it runs (a Prefect global concurrency
    limit when ``server_limits``, else an in-process semaphore). When Binance will not serve a
    symbol (451 geo-block, 418 ban, retries exhausted), the asset is fetched from the next
    venue instead; the returned source names where it came from. Retries and timeouts are set
    per source by the flow (:func:`flows.policy.task_options`); ``timeout_s`` bounds the whole
    stream, checked between pages (each request has its own HTTP timeouts), so a timeout never
    leaves a page half-written.

    Returns:
        (the source actually used, its spooled stream).

    Raises:
        PipelineError: when the stream and every fallback venue failed (the first error).
    """
    settings = load_settings()
    logger = source_logger(source, stream)
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    try:
        with host_slot(source, settings, server_limits):
            return source, _spool_stream(settings, source, stream, start, end, spool_root, deadline)
    except SourceHTTPError as exc:
        if not _venue_is_down(exc):
            raise
        for fb_source, fb_stream in fallbacks(source, stream):
            logger.warning("unavailable (%s); falling back to %s/%s", exc, fb_source, fb_stream)
            try:
                with host_slot(fb_source, settings, server_limits):
                    return fb_source, _spool_stream(
                        settings, fb_source, fb_stream, start, end, spool_root, deadline
                    )
            except PipelineError as fb_exc:
                logger.error("fallback %s/%s failed too: %s", fb_source, fb_stream, fb_exc)
        raise


def _venue_is_down(exc: SourceHTTPError) -> bool:
    """A ban, a geo-block or exhausted retries: another venue may do. A 4xx answer is our bug."""
    return isinstance(exc, VenueUnavailableError) or not isinstance(exc, SourceAPIError)


def _spool_stream(
    settings,
    source: str,
    stream: str,
    start: date,
    end: date,
    spool_root: Path,
    deadline: float | None = None,
) -> SpooledStream:
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
    # Typed once, in DuckDB: the staged batches are validated here and merged by the load.
    batch, drifted = stage_group(con, contract, group)
    result = expectations.validate_batch(
        contract, batch, run_id=run_id, run_date=run_date, window=window
    )
    record_validation(con, result.results)
    outcome = GateOutcome(
        warnings=[f"{contract.table} {w.stream or ''} {w.reason}" for w in result.warnings]
    )
    logger = get_run_logger()
    for stream, exc in drifted.items():  # pages that do not type: nothing of them can load
        outcome.failed[stream] = str(exc)
        logger.error("%s %s not loaded: %s", contract.table, stream, exc)
    for spooled in group:
        reasons = result.blocked_streams.get(spooled.stream)
        if reasons:
            _quarantine(con, contract, spooled, run_id, reasons, outcome)
    for warning in outcome.warnings:
        logger.warning(warning)
    logger.info("%s: %d expectations in %.2fs", contract.table, len(result.results), result.seconds)
    return outcome


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    run_id: str,
    reasons: list[str],
    outcome: GateOutcome,
) -> None:
    """Move a blocked stream's rows to quarantine, and say so in the outcome and the log."""
    typed = as_parquet(con, contract, spooled)
    rows = quarantine_stream(con, contract, typed, run_id=run_id, reasons=reasons)
    outcome.quarantined[spooled.stream] = rows
    get_run_logger().error(
        "%s %s blocked, %d rows quarantined: %s", contract.table, spooled.stream, rows, reasons
    )


class _Blocked(Exception):
    """The quality gate refused a part of a bulk load (``reasons`` by stream)."""

    def __init__(self, reasons: dict[str, list[str]]) -> None:
        super().__init__(f"blocked by validation: {reasons}")
        self.reasons = reasons


@task(name="bulk-load", task_run_name="bulk-load-{source}", timeout_seconds=3600, **TASK_OPTS)
def bulk_load_resource(
    con: duckdb.DuckDBPyConnection,
    source: str,
    group: list[SpooledStream],
    run_id: str,
    run_date: date,
    windows: dict[str, tuple[date, date]],
) -> tuple[list[LoadResult], GateOutcome]:
    """Validate and load a high-volume source's streams in one pass (warehouse.bulk).

    Each stream's pages go straight into its raw table, part by part; the GX suite checks
    every part as it lands, and the stream commits whole, only once every part passed. A
    blocked stream leaves nothing in the table and goes to quarantine, as the validate step
    does for the other sources; a stream whose pages do not type fails alone.

    Args:
        windows: each stream's requested dates, by stream.

    Returns:
        The loads, and what the gate did (quarantined and failed streams, warnings).
    """
    contract = SOURCES[source].CONTRACT
    logger = get_run_logger()
    outcome = GateOutcome()
    results: list[LoadResult] = []
    for spooled in group:
        window = windows[spooled.stream]
        verdicts: list[expectations.BatchValidation] = []

        def gate(batch, window=window, verdicts=verdicts) -> None:  # on bulk_load's gate thread
            verdict = expectations.validate_batch(
                contract, batch, run_id=run_id, run_date=run_date, window=window
            )
            verdicts.append(verdict)
            if verdict.blocked_streams:
                raise _Blocked(verdict.blocked_streams)

        try:
            # The whole stream is one transaction: a refused part leaves none of it behind.
            loaded = bulk_load(
                con,
                contract,
                [spooled],
                run_id=run_id,
                window=window,
                gate=gate,
                commit_pages=len(spooled.files),
            )
        except _Blocked as blocked:
            # A batch of one stream: its failures name it (or no stream, when the
            # contract has no stream column).
            reasons = [r for rs in blocked.reasons.values() for r in rs]
            _quarantine(con, contract, spooled, run_id, reasons, outcome)
            loaded = []
        except SchemaDriftError as exc:
            outcome.failed[spooled.stream] = str(exc)
            logger.error("%s %s not loaded: %s", contract.table, spooled.stream, exc)
            loaded = []
        finally:
            for verdict in verdicts:
                record_validation(con, verdict.results)
        if verdicts:  # freshness is judged on the stream's last part: its newest rows
            outcome.warnings += [
                f"{contract.table} {w.stream or ''} {w.reason}" for w in verdicts[-1].warnings
            ]
        for result in loaded:
            _log_load(logger, contract.table, result)
        results += loaded
    for warning in outcome.warnings:
        logger.warning(warning)
    return results, outcome


def _log_load(logger, table: str, result: LoadResult) -> None:
    logger.info(
        "%s %s: %d in, %d inserted, %d updated, watermark %s",
        table,
        result.stream,
        result.rows_in,
        result.rows_inserted,
        result.rows_updated,
        result.watermark,
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
    logger = get_run_logger()
    results = []
    for spooled in group:
        window = windows[spooled.stream]
        result = load_stream(con, contract, spooled, run_id=run_id, window=window)
        _log_load(logger, contract.table, result)
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
    results = expectations.validate_marts(con, run_id=run_id, run_date=run_date)
    record_validation(con, results)
    blocked = {
        f"{r.suite}: {r.expectation}": r.rows_failed
        for r in results
        if not r.success and r.severity == "block"
    }
    if blocked:
        raise AuditError(blocked)
    return [f"{r.suite}: {r.reason}" for r in results if not r.success]
