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

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import duckdb
import pyarrow as pa

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
ARROW_VIEW = "_bulk_group"  # a gated group's typed rows, registered for its INSERT

T = TypeVar("T")
Parsed = dict[str, pa.Table]  # a group's typed rows, by stream


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
    checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-gate")
    try:
        groups = groups_of(streams, max_pages)
        parsed: Parsed | None = None  # the next group's rows, typed while a gate ran
        for i, group in enumerate(groups):
            upcoming = groups[i + 1] if gate is not None and i + 1 < len(groups) else None
            results, parsed = _direct(
                con, contract, group, parsed, upcoming, run_id, window, gate, totals, checker
            )
            if results is None:
                results = _staged(con, contract, group, run_id, window, gate)
            for done in results:
                totals[done.stream] = _add(totals.get(done.stream), done)
        if memory_limit:
            # Under the cap: a checkpoint left to the connection's close (or the next commit)
            # would run with DuckDB's default limit and read the new blocks back into memory
            # (measured: peak RSS 2.4 GiB after loading 52M klines capped at 384 MB).
            con.execute("checkpoint")
    finally:
        checker.shutdown(wait=True)
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
    parsed: Parsed | None,
    upcoming: list[SpooledStream] | None,
    run_id: str,
    window: tuple[date, date],
    gate: Gate | None,
    totals: dict[str, LoadResult],
    checker: ThreadPoolExecutor,
) -> tuple[list[LoadResult] | None, Parsed | None]:
    """INSERT a group straight from its pages; None (rolled back) when it cannot go that way:
    a key already in the table, or a page the fast casts refuse (the staged way names it).

    Without a gate the rows go from the reader SQL into the table in one statement. With
    one, the work is a pipeline over two threads, since the gate (GX, pandas) holds the GIL
    while DuckDB releases it: DuckDB types the group's pages into Arrow (one row per key, the
    later page winning, as in the table), or they were typed already (``parsed``); the gate
    checks that Arrow on ``checker``'s thread while this thread INSERTs the same Arrow, looks
    for colliding keys, then types the ``upcoming`` group's pages. The group commits only when
    the gate passed.

    Returns:
        The group's results (None: take the staged way), and the upcoming group's rows.
    """
    loaded_at = _unique_now()
    params = {"load_id": run_id, "loaded_at": loaded_at}
    checked = None
    following = None
    try:
        if gate is None:
            con.execute("begin transaction")
            inserted = _insert_pages(con, contract, group, params)
        else:
            rows = parsed if parsed is not None else _typed_group(con, contract, group)
            checked = checker.submit(gate, pa.concat_tables(rows.values()))
            con.execute("begin transaction")
            inserted = _insert_arrow(con, contract, rows, params)
        if _collides(con, contract, loaded_at):
            con.execute("rollback")
            return _after(checked, None), _prefetch(con, contract, upcoming)
        following = _prefetch(con, contract, upcoming)
        if checked is not None:
            checked.result()  # the gate's verdict: raising rolls the group back
        results = []
        for stream, n in inserted.items():
            watermark = advance_watermark(con, contract, stream, run_id=run_id)
            results.append(
                LoadResult(contract.source, contract.resource, stream, n, n, 0, watermark)
            )
            _record(con, contract, _add(totals.get(stream), results[-1]), run_id, window)
        con.execute("commit")
        return results, following
    except duckdb.Error:
        _rollback(con)
        return _after(checked, None), following
    except BaseException:
        _rollback(con)
        _after(checked, None)
        raise


def _typed_group(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, group: list[SpooledStream]
) -> Parsed:
    """Each part's rows, typed (see :func:`_typed_arrow`), by stream."""
    rows: Parsed = {}
    for part in group:
        table = _typed_arrow(con, contract, part)
        rows[part.stream] = (
            pa.concat_tables([rows[part.stream], table]) if part.stream in rows else table
        )
    return rows


def _prefetch(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, upcoming: list[SpooledStream] | None
) -> Parsed | None:
    """The upcoming group's rows, or None when there is none or its pages do not type (it
    then types them itself, and fails the way that names the field)."""
    if upcoming is None:
        return None
    try:
        return _typed_group(con, contract, upcoming)
    except duckdb.Error:
        return None


def _insert_pages(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    group: list[SpooledStream],
    params: dict[str, object],
) -> dict[str, int]:
    """INSERT each part straight from its reader SQL; rows inserted per stream."""
    inserted: dict[str, int] = {}
    for part in group:
        sql = insert_sql(contract, f"({typed_sql(contract, part)})")
        (n,) = con.execute(sql, {**params, "files": [str(p) for p in part.files]}).fetchone()
        inserted[part.stream] = inserted.get(part.stream, 0) + n
    return inserted


def _typed_arrow(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, part: SpooledStream
) -> pa.Table:
    """A part's pages typed by its reader, one row per key (the later page wins), as Arrow.

    Pages rarely repeat a key, so the rows are counted against their distinct keys first (a
    hash over the Arrow, ~30% cheaper than ranking every row while typing them); only a part
    with a repeat is ranked.
    """
    columns = ", ".join(contract.schema)
    keys = ", ".join(contract.primary_key)
    typed = con.sql(
        f"select {columns}, _page from ({typed_sql(contract, part)})",
        params={"files": [str(p) for p in part.files]},
    ).to_arrow_table()
    con.register(ARROW_VIEW, typed)
    try:
        [(repeats,)] = con.sql(
            f"select count(*) - count(distinct ({keys})) from {ARROW_VIEW}"
        ).fetchall()
        if repeats:
            typed = con.sql(
                f"select {columns}, _page from {ARROW_VIEW} "
                f"qualify row_number() over (partition by {keys} order by _page desc) = 1"
            ).to_arrow_table()
    finally:
        con.unregister(ARROW_VIEW)
    return typed.drop_columns(["_page"])


def _insert_arrow(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    rows: dict[str, pa.Table],
    params: dict[str, object],
) -> dict[str, int]:
    """INSERT typed Arrow rows (already one per key); rows inserted per stream."""
    columns = ", ".join(contract.schema)
    inserted: dict[str, int] = {}
    for stream, table in rows.items():
        con.register(ARROW_VIEW, table)
        try:
            con.execute(
                f"insert into {contract.table} ({columns}, _load_id, _loaded_at) "
                f"select {columns}, $load_id, $loaded_at from {ARROW_VIEW}",
                params,
            )
        finally:
            con.unregister(ARROW_VIEW)
        inserted[stream] = inserted.get(stream, 0) + table.num_rows
    return inserted


def _after(checked: Future | None, value: T) -> T:
    """``value``, once the gate's thread is done with this group (its verdict no longer
    matters: the group goes the staged way, which gates it again)."""
    if checked is not None:
        wait([checked])
    return value


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the group's transaction, if it got as far as opening one."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("rollback")


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
