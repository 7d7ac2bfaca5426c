"""Idempotent bulk loads: type a stream's spooled pages in DuckDB, then MERGE into its raw table.

A stream is loaded in bounded batches of pages, so memory stays flat however long the
history: each batch is typed by one SELECT into a temp table (``stage``), optionally gated
(validated), MERGEd into the keyless raw table, and dropped. Raw tables carry no primary-key
index (it slows bulk loads about 4x); the MERGE key and a GX expectation keep them unique.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from rotation_kernel.contract import LoadContract
from warehouse.db import history_table, rollback
from warehouse.spool import SpooledStream
from warehouse.stage import BATCH_PAGES, drop_staged, stage
from warehouse.state import advance_watermark

Gate = Callable[[pa.Table], None]


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


def latest_per_key(contract: LoadContract) -> str:
    """The QUALIFY that keeps one row per key of a staged batch: the later page's."""
    keys = ", ".join(contract.primary_key)
    return f"qualify row_number() over (partition by {keys} order by _page desc) = 1"


def merge_sql(contract: LoadContract, staged: str) -> str:
    """The MERGE of one staged batch into the contract's raw table.

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
    return f"""
        merge into {contract.table} as t
        using (
            select {", ".join(columns)}, $load_id as _load_id, $loaded_at as _loaded_at
            from {staged}
            {latest_per_key(contract)}
        ) as s
        on {on}
        when matched and ({changed}) then update set {updates}
        when not matched then insert ({", ".join(all_cols)})
            values ({", ".join(f"s.{c}" for c in all_cols)})
    """


def history_sql(contract: LoadContract, staged: str) -> str:
    """Copy the raw rows the MERGE of ``staged`` is about to change into the raw table's
    history, stamped with the superseding run: a revision never erases what the API said
    before (``raw_history.<source>__<resource>``)."""
    columns = list(contract.schema)
    keys = contract.primary_key
    values = [c for c in columns if c not in keys]
    on = " and ".join(f"t.{k} = s.{k}" for k in keys)
    changed = " or ".join(f"t.{c} is distinct from s.{c}" for c in values) or "false"
    return f"""
        insert into {history_table(contract)}
        select t.*, $load_id as _superseded_by, $loaded_at as _superseded_at
        from {contract.table} as t
        join (
            select {", ".join(columns)} from {staged}
            {latest_per_key(contract)}
        ) as s on {on}
        where {changed}
    """


def insert_sql(contract: LoadContract, staged: str) -> str:
    """The INSERT of one staged batch whose keys the raw table cannot hold yet (see
    :func:`overlaps`): the MERGE's result, without its join. Duplicates keep the latest page."""
    columns = ", ".join(contract.schema)
    return f"""
        insert into {contract.table} ({columns}, _load_id, _loaded_at)
        select {columns}, $load_id, $loaded_at
        from {staged}
        {latest_per_key(contract)}
    """


def overlaps(con: duckdb.DuckDBPyConnection, contract: LoadContract, staged: str) -> bool:
    """Whether the raw table may already hold a key of the staged batch.

    False only when no row of the batch's streams lies in its cursor range: a first load or
    a backfill of new dates, which then INSERTs instead of MERGE-ing (same rows, no join).
    Bound parameters let DuckDB skip row groups by their min/max.
    """
    key = contract.stream_key
    lo, hi, streams = con.execute(
        f"select min({contract.cursor}), max({contract.cursor}), "
        f"{f'list(distinct {key})' if key else 'null'} from {staged}"
    ).fetchone()
    if lo is None:
        return False
    where = f"{contract.cursor} between $lo and $hi"
    params: dict[str, object] = {"lo": lo, "hi": hi}
    if key:
        where += f" and {key} in (select unnest($streams))"
        params["streams"] = streams
    found = con.execute(f"select 1 from {contract.table} where {where} limit 1", params)
    return found.fetchone() is not None


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def _batches(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, spooled: SpooledStream, max_pages: int
) -> Iterator[str]:
    """The stream's staged batches: those the validate step built, else staged one by one."""
    if spooled.staged:
        yield from list(spooled.staged)
        return
    for files in spooled.batches(max_pages):
        table = stage(con, contract, spooled, files)
        spooled.staged.append(table)
        yield table


def load_stream(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    *,
    run_id: str,
    window: tuple[date, date],
    max_pages: int = BATCH_PAGES,
    gate: Gate | None = None,
) -> LoadResult:
    """MERGE one stream's pages into its raw table and advance its watermark.

    Batch by batch: the staged batches when the validate step built them, else each
    ``max_pages`` pages typed now (and passed to ``gate`` first, when given, as Arrow). The
    last batch commits together with the watermark and the load record; earlier batches of a
    long stream commit on their own, which keeps memory flat. Builds happen in
    ``<warehouse>.next``, published atomically, so readers still see a whole stream or none.

    Args:
        con: the build's connection.
        contract: the raw table's contract.
        spooled: the stream's pages (``json`` or ``parquet``).
        run_id: stamped on every row as ``_load_id``.
        window: the requested dates, recorded in ``meta.load_results``.
        max_pages: the batch bound when staging here.
        gate: called with each batch staged here, before its MERGE (e.g. validation);
            raising stops the load.

    Returns:
        Counts of rows read (typed, after quirks), inserted and updated, and the watermark.

    Raises:
        SchemaDriftError: a page does not type (see :func:`stage`).
    """
    loaded_at = datetime.now(UTC)
    rows_in = inserted = updated = 0
    gated = not spooled.staged
    con.execute("begin transaction")
    try:
        for i, table in enumerate(_batches(con, contract, spooled, max_pages)):
            if i:  # the previous batch commits; the last one waits for the watermark
                con.execute("commit")
                con.execute("begin transaction")
            if gate is not None and gated:
                gate(con.sql(f"select {', '.join(contract.schema)} from {table}").to_arrow_table())
            rows_in += _count(con, table)
            params = {"load_id": run_id, "loaded_at": loaded_at}
            if overlaps(con, contract, table):
                before = _count(con, contract.table)
                con.execute(history_sql(contract, table), params)
                (changed,) = con.execute(merge_sql(contract, table), params).fetchone()
                added = _count(con, contract.table) - before
            else:
                (changed,) = con.execute(insert_sql(contract, table), params).fetchone()
                added = changed
            inserted += added
            updated += changed - added
            con.execute(f"drop table {table}")
            spooled.staged.remove(table)
        watermark = advance_watermark(con, contract, spooled.stream, run_id=run_id)
        result = LoadResult(
            contract.source,
            contract.resource,
            spooled.stream,
            rows_in,
            inserted,
            updated,
            watermark,
        )
        record_load(con, result, run_id=run_id, window=window)
        con.execute("commit")
    except BaseException:
        rollback(con)
        drop_staged(con, spooled)
        raise
    return result


def record_load(
    con: duckdb.DuckDBPyConnection, result: LoadResult, *, run_id: str, window: tuple[date, date]
) -> None:
    """Write a stream's row of ``meta.load_results`` (replacing the run's earlier one): the one
    writer of that table, for the nightly MERGE and the bulk INSERT paths alike.

    Args:
        con: the build's connection, inside the transaction that loads the rows.
        result: the stream's counts and watermark (all of the run's batches of it).
        run_id: the run.
        window: the requested dates.
    """
    con.execute(
        "insert or replace into meta.load_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            result.source,
            result.resource,
            result.stream,
            window[0],
            window[1],
            result.rows_in,
            result.rows_inserted,
            result.rows_updated,
            result.watermark,
        ],
    )
