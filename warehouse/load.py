"""Idempotent loads: MERGE a stream's spooled pages into its keyless raw table, atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from flows.sources._contract import LoadContract
from warehouse.spool import SpooledStream
from warehouse.state import advance_watermark


@dataclass(frozen=True)
class LoadResult:
    """What one batch did to its raw table."""

    source: str
    resource: str
    stream: str
    rows_in: int
    rows_inserted: int
    rows_updated: int
    watermark: date | None


def merge_sql(contract: LoadContract) -> str:
    """The MERGE statement for a contract.

    Duplicates inside a batch keep the row from the latest page. A matched row is
    updated only when a value really changed, so re-loading the same data leaves the
    table, ``_load_id`` included, byte-for-byte the same.
    """
    columns = list(contract.schema)
    keys = contract.primary_key
    values = [c for c in columns if c not in keys]
    on = " and ".join(f"t.{k} = s.{k}" for k in keys)
    changed = " or ".join(f"t.{c} is distinct from s.{c}" for c in values) or "false"
    updates = ", ".join(f"{c} = s.{c}" for c in [*values, "_load_id", "_loaded_at"])
    all_cols = [*columns, "_load_id", "_loaded_at"]
    partition = ", ".join(keys)
    return f"""
        merge into {contract.table} as t
        using (
            select * exclude (filename), $load_id as _load_id, $loaded_at as _loaded_at
            from read_parquet($files, filename = true)
            qualify row_number() over (partition by {partition} order by filename desc) = 1
        ) as s
        on {on}
        when matched and ({changed}) then update set {updates}
        when not matched then insert ({", ".join(all_cols)})
            values ({", ".join(f"s.{c}" for c in all_cols)})
        returning merge_action
    """


def load_stream(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    *,
    run_id: str,
    window: tuple[date, date],
) -> LoadResult:
    """MERGE one stream's spooled pages into its raw table and advance its watermark.

    Everything happens in one transaction: the rows, the watermark and the load record
    land together or not at all.

    Returns:
        Counts of rows read, inserted and updated, and the new watermark.
    """
    inserted = updated = 0
    con.execute("begin transaction")
    try:
        if spooled.files:
            actions = con.execute(
                merge_sql(contract),
                {
                    "files": [str(p) for p in spooled.files],
                    "load_id": run_id,
                    "loaded_at": datetime.now(UTC),
                },
            ).fetchall()
            inserted = sum(1 for (a,) in actions if a == "INSERT")
            updated = sum(1 for (a,) in actions if a == "UPDATE")
        watermark = advance_watermark(con, contract, spooled.stream, run_id=run_id)
        con.execute(
            "insert or replace into meta.load_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                contract.source,
                contract.resource,
                spooled.stream,
                window[0],
                window[1],
                spooled.rows,
                inserted,
                updated,
                watermark,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadResult(
        contract.source,
        contract.resource,
        spooled.stream,
        spooled.rows,
        inserted,
        updated,
        watermark,
    )
