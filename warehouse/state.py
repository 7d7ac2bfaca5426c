"""Incremental state: one watermark per (source, resource, stream) in ``meta.load_state``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

import duckdb

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import PipelineError

Window = tuple[date, date]


def get_watermark(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, stream: str
) -> date | None:
    """The newest cursor value loaded for a stream, or None before its first load."""
    row = con.execute(
        "select watermark from meta.load_state where source = ? and resource = ? and stream = ?",
        [contract.source, contract.resource, stream],
    ).fetchone()
    return row[0] if row else None


def incremental_start(con: duckdb.DuckDBPyConnection, contract: LoadContract, stream: str) -> date:
    """Where an incremental run starts: watermark minus the lookback, or the initial value.

    The lookback re-reads recent data so upstream revisions are caught (the reason is in
    each source's contract); it never goes before the contract's initial value.
    """
    watermark = get_watermark(con, contract, stream)
    if watermark is None:
        return contract.initial_value
    return max(contract.initial_value, watermark - timedelta(days=contract.lookback_days))


def plan_windows(
    con: duckdb.DuckDBPyConnection,
    planned: Iterable[tuple[str, str]],
    contracts: Mapping[str, LoadContract],
    start: date | None,
    end: date,
    lookback_days: int | None = None,
) -> dict[tuple[str, str], Window]:
    """The extraction window of every planned stream: explicit, or incremental from its watermark.

    Args:
        planned: (source, stream) pairs to extract.
        contracts: each source's load contract, by source name.
        start: the first date for every stream; None = each stream's :func:`incremental_start`.
        end: the last date for every stream.
        lookback_days: replaces every contract's lookback when set (ROTATION_LOOKBACK_DAYS).

    Returns:
        (first, last) dates by (source, stream), in the order planned.

    Raises:
        PipelineError: when a stream's first date is after ``end``.
    """
    windows = {}
    for source, stream in planned:
        contract = contracts[source]
        if lookback_days is not None:
            contract = dataclasses.replace(contract, lookback_days=lookback_days)
        first = start or incremental_start(con, contract, stream)
        if first > end:
            raise PipelineError(f"start {first} is after end {end}")
        windows[(source, stream)] = (first, end)
    return windows


def advance_watermark(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, stream: str, *, run_id: str
) -> date | None:
    """Set the stream's watermark to the newest cursor value in its raw table.

    Reading it back from the table (rather than from the batch) keeps the watermark
    monotonic: a narrow backfill never moves it backwards.
    """
    where = f"where {contract.stream_key} = ?" if contract.stream_key else ""
    params = [stream] if contract.stream_key else []
    (watermark,) = con.execute(
        f"select max({contract.cursor}) from {contract.table} {where}", params
    ).fetchone()
    if watermark is None:
        return None
    con.execute(
        "insert or replace into meta.load_state values (?, ?, ?, ?, ?, ?, ?)",
        [
            contract.source,
            contract.resource,
            stream,
            watermark,
            contract.lookback_days,
            datetime.now(UTC),
            run_id,
        ],
    )
    return watermark
