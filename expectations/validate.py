"""The quality gate: validate a raw batch before it loads, and the marts before they publish."""

from __future__ import annotations

import time
from datetime import date

import duckdb
import polars as pl
import pyarrow as pa

from expectations.attribution import attribute
from expectations.engine import engine, run_suite
from expectations.frames import to_pandas
from expectations.results import BLOCK, WARN, BatchValidation, ExpectationResult
from expectations.suites import MART_SUITES, RAW_SUITES, SuiteSpec
from rotation_kernel.contract import LoadContract


def _stream_rows(frame: pl.DataFrame, stream_column: str | None, default: str | None):
    """Rows per stream (one entry named ``default`` when there is no stream column)."""
    if stream_column is None or stream_column not in frame.columns:
        return {default: frame.height} if default and frame.height else {}
    counts = frame.group_by(stream_column).len().drop_nulls(stream_column)
    return dict(zip(counts[stream_column].cast(pl.Utf8), counts["len"], strict=True))


def validate_batch(
    contract: LoadContract,
    frame: pl.DataFrame | pa.Table,
    *,
    run_id: str,
    run_date: date,
    window: tuple[date, date],
) -> BatchValidation:
    """Validate one raw resource's batch with the suite named after its raw table.

    Args:
        contract: the raw table's load contract (its table names the suite).
        frame: every stream's rows of this run, concatenated, exactly ``contract.schema``:
            Arrow as DuckDB stages it (the load path), or a polars frame.
        run_id: the pipeline run, written on every result.
        run_date: the run's date; freshness is judged at min(run_date, window end).
        window: the requested [start, end] dates; cursor dates must lie inside.

    Returns:
        The results (failures split per stream), the streams a ``block`` failure stops with
        their reasons, the failed ``warn`` results, and the time taken.

    Raises:
        KeyError: when no suite guards ``contract.table``.
    """
    started = time.perf_counter()
    if isinstance(frame, pa.Table):
        frame = pl.from_arrow(frame)  # zero-copy: DuckDB's Arrow buffers become polars columns
    spec = RAW_SUITES[contract.table]
    parameters = {
        # Datetimes, not dates: GX coerces a date string to datetime.date, which pandas will
        # not compare with a datetime64 column.
        "window_start": f"{window[0].isoformat()}T00:00:00",
        "window_end": f"{window[1].isoformat()}T00:00:00",
        "as_of": min(run_date, window[1]).isoformat(),
    }
    default_stream = None if contract.stream_key else contract.resource
    run = run_suite(spec.name, to_pandas(frame), parameters=parameters, run_id=run_id)
    # Rows per stream only matter when something failed (50 ms on a million rows otherwise).
    clean = all(r.success for r in run.results)
    verdict = attribute(
        spec.name,
        run.expectations,
        run.results,
        run.shares,
        run_id=run_id,
        stream_column=contract.stream_key,
        stream_rows=(
            {contract.resource: frame.height}
            if clean
            else _stream_rows(frame, contract.stream_key, contract.resource)
        ),
        default_stream=default_stream,
    )
    return BatchValidation(
        suite=spec.name,
        results=verdict.results,
        blocked_streams=verdict.blocked,
        warnings=[r for r in verdict.results if not r.success and r.severity == WARN],
        seconds=time.perf_counter() - started,
    )


def validate_marts(
    con: duckdb.DuckDBPyConnection, *, run_id: str, run_date: date
) -> list[ExpectationResult]:
    """Validate fct_net_liquidity, fct_net_liquidity_weekly and fct_asset_daily as built.

    Args:
        con: the build's connection (the marts are read, never written).
        run_id: the pipeline run, written on every result.
        run_date: the run's date (passed as ``as_of`` to any freshness check).

    Returns:
        Every mart expectation's result; a failed ``block`` one means: do not publish. A
        mart that cannot be read gives one failed ``block`` result naming the error.
    """
    results: list[ExpectationResult] = []
    for spec in MART_SUITES.values():
        try:
            frame = con.sql(spec.query).pl()
        except duckdb.Error as exc:
            results.append(_unreadable(spec, run_id, exc))
            continue
        run = run_suite(
            spec.name, to_pandas(frame), parameters={"as_of": run_date.isoformat()}, run_id=run_id
        )
        results += attribute(
            spec.name,
            run.expectations,
            run.results,
            run.shares,
            run_id=run_id,
            stream_column=spec.stream_column,
            stream_rows=_stream_rows(frame, spec.stream_column, None) or {"*": frame.height},
            default_stream=None,
        ).results
    return results


def _unreadable(spec: SuiteSpec, run_id: str, exc: Exception) -> ExpectationResult:
    message = str(exc).splitlines()[0]
    return ExpectationResult(
        run_id,
        spec.name,
        "table_is_readable",
        None,
        None,
        False,
        "{}",
        BLOCK,
        0,
        0,
        f"could not read the mart: {message}",
    )


def warm_up() -> None:
    """Build the GX context and every suite now (GX setup takes seconds; do it off the clock)."""
    engine()
