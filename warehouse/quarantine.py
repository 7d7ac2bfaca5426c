"""Blocked batches go to ``quarantine.<source>__<resource>``; results go to the validation log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import duckdb

from rotation_kernel.contract import LoadContract
from warehouse.db import duckdb_type
from warehouse.spool import SpooledStream

VALIDATION_DDL = """
    create table if not exists meta.validation_results (
        run_id varchar,
        suite varchar,
        expectation varchar,
        column_name varchar,
        stream varchar,
        success boolean,
        observed_value varchar,
        severity varchar,
        rows_checked bigint,
        rows_failed bigint,
        reason varchar,
        validated_at timestamp with time zone
    )
"""


def quarantine_table(contract: LoadContract) -> str:
    return f"quarantine.{contract.source}__{contract.resource}"


def ensure_tables(con: duckdb.DuckDBPyConnection, contracts: Iterable[LoadContract]) -> None:
    """Create the quarantine schema, one quarantine table per raw table, and the validation log."""
    con.execute("create schema if not exists quarantine")
    con.execute(VALIDATION_DDL)
    for contract in contracts:
        columns = [f"{name} {duckdb_type(dtype)}" for name, dtype in contract.schema.items()]
        columns += [
            "_run_id varchar",
            "_failed_expectations varchar",
            "_reason varchar",
            "_quarantined_at timestamp with time zone",
        ]
        con.execute(
            f"create table if not exists {quarantine_table(contract)} ({', '.join(columns)})"
        )


def quarantine_stream(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    *,
    run_id: str,
    reasons: list[str],
) -> int:
    """Move a blocked stream's whole batch into quarantine instead of the raw table.

    Nothing is lost: the rows wait there, with the run id and why they were stopped,
    until someone fixes the upstream problem or replays them.

    Returns:
        The number of rows quarantined.
    """
    if not spooled.files:
        return 0
    columns = ", ".join(contract.schema)
    (rows,) = con.execute(
        f"""
        insert into {quarantine_table(contract)}
        select {columns}, $run_id, $failed, $reason, $at
        from read_parquet($files)
        """,
        {
            "files": [str(p) for p in spooled.files],
            "run_id": run_id,
            "failed": "; ".join(sorted({r.split(":")[0] for r in reasons})),
            "reason": "; ".join(reasons)[:2000],
            "at": datetime.now(UTC),
        },
    ).fetchone()
    return int(rows)


def record_validation(con: duckdb.DuckDBPyConnection, results: Iterable[Any]) -> int:
    """Append validation results (``ExpectationResult``) to ``meta.validation_results``."""
    now = datetime.now(UTC)
    rows = [
        (
            r.run_id,
            r.suite,
            r.expectation,
            r.column,
            r.stream,
            r.success,
            r.observed_value,
            r.severity,
            r.rows_checked,
            r.rows_failed,
            r.reason,
            now,
        )
        for r in results
    ]
    if rows:
        con.executemany(
            "insert into meta.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    return len(rows)
