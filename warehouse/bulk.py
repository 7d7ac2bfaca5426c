"""Bulk loads of long histories (a backfill, the benchmark): bounded groups of pages, typed
straight into the raw table, validated there, committed or rolled back.

A group of pages is INSERTed from its reader SQL into the keyless raw table inside a
transaction, as DuckDB's own ``read_json`` would load it: no temp table, no join. Its rows are
then read back as Arrow for the gate (GX validation) and checked against the rows already in
the table; the group commits with its watermarks and load records only when the gate passes
and no key collides. A colliding group (a re-load, revised history) is rolled back and goes
the nightly way instead: staged, gated, MERGEd (warehouse.load.load_stream).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb

from flows.sources._contract import LoadContract
from flows.sources._json_sql import literal
from warehouse.load import Gate, LoadResult, insert_sql, load_stream
from warehouse.spool import SpooledStream, typed_sql
from warehouse.stage import drop_staged, stage_stream, staged_arrow
from warehouse.state import advance_watermark

# DuckDB's own memory during a bulk load. Its default (80% of RAM) lets the buffer pool keep
# every block it wrote, so RSS grows with the history; bounded, it writes them out instead.
BULK_MEMORY_LIMIT = "384MB"
# Pages per group: 250 Binance pages are 250,000 klines; the gate's pandas copy of a group is
# the other half of the memory bound (GX holds a few copies of a column while it checks).
BULK_PAGES = 250


def groups_of(streams: list[SpooledStream], max_pages: int) -> list[list[SpooledStream]]:
    """Cut each stream into parts of at most ``max_pages`` pages, in page order, and pack
    consecutive parts into groups of at most ``max_pages`` pages."""
    groups: list[list[SpooledStream]] = []
    for s in streams:
        for files in s.batches(max_pages):
            part = SpooledStream(s.source, s.resource, s.stream, files, 0, s.format, s.reader)
            if groups and sum(len(p.files) for p in groups[-1]) + len(files) <= max_pages:
                groups[-1].append(part)
            else:
                groups.append([part])
    return groups


def bulk_load(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    streams: list[SpooledStream],
    *,
    run_id: str,
    window: tuple[date, date],
    gate: Gate | None = None,
    max_pages: int = BULK_PAGES,
    memory_limit: str | None = BULK_MEMORY_LIMIT,
) -> list[LoadResult]:
    """Load many streams of one resource in bounded groups of pages.

    Args:
        con: the build's connection.
        contract: the resource's contract.
        streams: its spooled streams (json or parquet).
        run_id: stamped on every row as ``_load_id``.
        window: the requested dates, recorded in ``meta.load_results``.
        gate: called with each group's rows (Arrow) before they commit; raising rolls the
            group back and stops the load (the GX quality gate).
        max_pages: pages per group: what bounds memory, whatever the history's length.
        memory_limit: DuckDB's memory limit while loading (restored after); None keeps it.

    Returns:
        One result per stream, its groups' counts summed.

    Raises:
        SchemaDriftError: a page does not type.
    """
    # The setting reads back rounded ("18.7 GiB"): a default is restored with RESET instead.
    previous = con.execute("select current_setting('memory_limit')").fetchone()[0]
    default = _default_memory_limit(con)
    if memory_limit:
        con.execute(f"set memory_limit = {literal(memory_limit)}")
    totals: dict[str, LoadResult] = {}
    try:
        for group in groups_of(streams, max_pages):
            results = _direct(con, contract, group, run_id, window, gate, totals)
            if results is None:
                results = _staged(con, contract, group, run_id, window, gate)
            for done in results:
                totals[done.stream] = _add(totals.get(done.stream), done)
    finally:
        if previous == default:
            con.execute("reset memory_limit")
        else:
            con.execute(f"set memory_limit = {literal(previous)}")
    return list(totals.values())


def _default_memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    """DuckDB's default memory limit as it reads back (80% of RAM), from a scratch database."""
    return duckdb.connect().execute("select current_setting('memory_limit')").fetchone()[0]


def _direct(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    group: list[SpooledStream],
    run_id: str,
    window: tuple[date, date],
    gate: Gate | None,
    totals: dict[str, LoadResult],
) -> list[LoadResult] | None:
    """INSERT a group straight from its pages; None (rolled back) when it cannot go that way:
    a key already in the table, or a page the fast casts refuse (the staged way names it)."""
    loaded_at = _unique_now()
    params = {"load_id": run_id, "loaded_at": loaded_at}
    con.execute("begin transaction")
    try:
        inserted: dict[str, int] = {}
        for part in group:
            sql = insert_sql(contract, f"({typed_sql(contract, part)})")
            (n,) = con.execute(sql, {**params, "files": [str(p) for p in part.files]}).fetchone()
            inserted[part.stream] = inserted.get(part.stream, 0) + n
        if _collides(con, contract, loaded_at):
            con.execute("rollback")
            return None
        if gate is not None:
            columns = ", ".join(contract.schema)
            rows = con.sql(
                f"select {columns} from {contract.table} where _loaded_at = {_ts(loaded_at)}"
            )
            gate(rows.to_arrow_table())
        results = []
        for stream, n in inserted.items():
            watermark = advance_watermark(con, contract, stream, run_id=run_id)
            results.append(
                LoadResult(contract.source, contract.resource, stream, n, n, 0, watermark)
            )
            _record(con, contract, _add(totals.get(stream), results[-1]), run_id, window)
        con.execute("commit")
        return results
    except duckdb.Error:
        con.execute("rollback")
        return None
    except BaseException:
        con.execute("rollback")
        raise


def _staged(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    group: list[SpooledStream],
    run_id: str,
    window: tuple[date, date],
    gate: Gate | None,
) -> list[LoadResult]:
    """The nightly way for one group: stage, gate, MERGE each part."""
    try:
        for part in group:
            stage_stream(con, contract, part)
        if gate is not None:
            gate(staged_arrow(con, contract, group))
    except BaseException:
        for part in group:
            drop_staged(con, part)
        raise
    return [load_stream(con, contract, part, run_id=run_id, window=window) for part in group]


def _collides(con: duckdb.DuckDBPyConnection, contract: LoadContract, loaded_at: datetime) -> bool:
    """Whether a key just inserted was already in the table (the group must MERGE instead).

    The new rows are found by their ``_loaded_at``; the older rows are searched only within
    the new rows' cursor range, which DuckDB prunes by row-group min/max.
    """
    keys = ", ".join(contract.primary_key)
    new = f"_loaded_at = {_ts(loaded_at)}"
    stream = contract.stream_key
    lo, hi, streams = con.execute(
        f"select min({contract.cursor}), max({contract.cursor}), "
        f"{f'list(distinct {stream})' if stream else 'null'} "
        f"from {contract.table} where {new}"
    ).fetchone()
    if lo is None:
        return False
    # Literal bounds and stream names: DuckDB skips every row group of other streams or dates.
    where = f"old.{contract.cursor} between {_date(lo)} and {_date(hi)}"
    if stream:
        where += f" and old.{stream} in ({', '.join(literal(s) for s in streams)})"
    found = con.execute(
        f"""
        select 1
        from {contract.table} as old
        semi join (select {keys} from {contract.table} where {new}) as fresh using ({keys})
        where {where} and old._loaded_at <> {_ts(loaded_at)}
        limit 1
        """
    ).fetchone()
    return found is not None


def _record(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    result: LoadResult,
    run_id: str,
    window: tuple[date, date],
) -> None:
    con.execute(
        "insert or replace into meta.load_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            contract.source,
            contract.resource,
            result.stream,
            window[0],
            window[1],
            result.rows_in,
            result.rows_inserted,
            result.rows_updated,
            result.watermark,
        ],
    )


def _add(before: LoadResult | None, done: LoadResult) -> LoadResult:
    if before is None:
        return done
    return LoadResult(
        done.source,
        done.resource,
        done.stream,
        before.rows_in + done.rows_in,
        before.rows_inserted + done.rows_inserted,
        before.rows_updated + done.rows_updated,
        done.watermark,
    )


_last_tick = datetime.min.replace(tzinfo=UTC)


def _unique_now() -> datetime:
    """Now, strictly later than the previous call (each group's rows carry their own stamp)."""
    global _last_tick
    now = datetime.now(UTC)
    _last_tick = max(now, _last_tick + timedelta(microseconds=1))
    return _last_tick


def _date(day: date) -> str:
    return f"date '{day.isoformat()}'"


def _ts(at: datetime) -> str:
    """A timestamptz literal (bound parameters would hide the value from row-group pruning)."""
    return f"'{at.isoformat()}'::timestamptz"
