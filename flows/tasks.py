"""Thin Prefect tasks around the source and warehouse functions (no parsing or SQL here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.catalog import SOURCES
from flows.errors import AuditError
from flows.settings import load_settings
from flows.sources._http import HttpClient
from warehouse.load import LoadResult, load_stream
from warehouse.spool import Spool, SpooledStream
from warehouse.transform import run_audits, run_transforms

# HTTP failures are retried in _http.py only; task retries would multiply attempts.
TASK_OPTS = {"retries": 0, "cache_policy": NO_CACHE}


@task(name="extract", task_run_name="extract-{source}-{stream}", **TASK_OPTS)
def extract_stream(
    source: str, stream: str, start: date, end: date, spool_root: Path
) -> SpooledStream:
    """Fetch one stream's pages for [start, end] and spool each parsed page to Parquet."""
    module = SOURCES[source]
    settings = load_settings()
    spool = Spool(spool_root)
    spooled = spool.writer(module.CONTRACT, stream)
    for frame in module.extract(HttpClient.from_settings(settings), settings, stream, start, end):
        spool.write(spooled, module.CONTRACT, frame)
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


@task(name="load", task_run_name="load-{source}-{spooled.stream}", **TASK_OPTS)
def load(
    con: duckdb.DuckDBPyConnection,
    source: str,
    spooled: SpooledStream,
    run_id: str,
    window: tuple[date, date],
) -> LoadResult:
    """MERGE one stream's spooled pages into its raw table (one transaction)."""
    result = load_stream(con, SOURCES[source].CONTRACT, spooled, run_id=run_id, window=window)
    get_run_logger().info(
        "%s: %d in, %d inserted, %d updated, watermark %s",
        SOURCES[source].CONTRACT.table,
        result.rows_in,
        result.rows_inserted,
        result.rows_updated,
        result.watermark,
    )
    return result


@task(name="transform", **TASK_OPTS)
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
