"""Bulk loads of long histories (a backfill, the benchmark): each part of a stream INSERTed
straight from its pages, validated as it lands, committed in bounded groups or rolled back.

A part (up to ``max_pages`` pages of one stream) goes from its reader SQL into the keyless raw
table in one ``INSERT ... SELECT``, as DuckDB's own ``read_json`` would load it: no temp table,
no Arrow in between, no join; DuckDB writes its row groups to the file as they fill. Its rows
are read back as Arrow for the gate (GX validation), which checks them on a second thread while
this one INSERTs the next part (the gate holds the GIL, DuckDB releases it). A group of parts
(up to ``commit_pages`` pages) commits with its watermarks and load records only once every
part passed the gate and no key collided with a row already in the table. A part whose pages
repeat a key keeps the later page's row; a group that collides (a re-load, revised history) is
rolled back and goes the nightly way instead: staged, gated, MERGEd
(warehouse.load.load_stream).

Memory stays flat without capping DuckDB: a memory limit makes it evict blocks while it writes,
which costs more than the load itself (freed pages are returned to the OS and faulted back in:
sys time 5x). Instead, between groups, the cached blocks the group wrote are dropped at once.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa

from rotation_kernel.contract import LoadContract
from rotation_kernel.json_sql import literal
from warehouse.db import rollback
from warehouse.load import Gate, LoadResult, insert_sql, load_stream, record_load
from warehouse.spool import Part, SpooledStream, groups_of, typed_sql
from warehouse.state import advance_watermark

# Pages per INSERT, and per gate call: 500 Binance pages are 500,000 klines. DuckDB writes big
# INSERTs faster (measured: 250-page INSERTs took 25% longer than 526-page ones); a part's rows,
# read back for the gate, are what bound the memory (1,000-page parts: 1,330 MiB at 1 year).
BULK_PAGES = 500
# Rows per gate call, at most: a whole part of Binance pages. GX's cost is mostly per call
# (~0.03 s), so a call per part; its pandas frame shares the part's Arrow buffers (one chunk
# per column), so the part's rows are in memory once.
GATE_ROWS = 500_000
# Pages per transaction: what a refused part rolls back, and how much the buffer pool may cache
# before it is dropped.
COMMIT_PAGES = 2000
# The memory limit set for an instant between groups, which makes DuckDB drop cached blocks.
EVICT_TO = "64MB"


@dataclass
class _Piece:
    """One stream's pages within a part, and the stamp its rows carry."""

    spooled: SpooledStream
    loaded_at: datetime
    rows: int = 0
    # What the collision check searches: the rows' cursor range and stream values.
    span: tuple[date | None, date | None, list[str] | None] = (None, None, None)


def bulk_load(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    streams: list[SpooledStream],
    *,
    run_id: str,
    window: tuple[date, date],
    gate: Gate | None = None,
    max_pages: int = BULK_PAGES,
    commit_pages: int = COMMIT_PAGES,
) -> list[LoadResult]:
    """Load many streams of one resource: parts of bounded pages, committed in groups.

    Args:
        con: the build's connection.
        contract: the resource's contract.
        streams: its spooled streams (json or parquet).
        run_id: stamped on every row as ``_load_id``.
        window: the requested dates, recorded in ``meta.load_results``.
        gate: called with each part's rows (Arrow, one row per key) before its group
            commits; raising rolls the group back and stops the load (the GX quality gate).
        max_pages: pages per INSERT and per gate call: what bounds memory, whatever the
            history's length.
        commit_pages: pages per transaction (at least ``max_pages``).

    Returns:
        One result per stream, its parts' counts summed.

    Raises:
        SchemaDriftError: a page does not type.
    """
    totals: dict[str, LoadResult] = {}
    checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-gate")
    uncapped = _uncapped(con)
    try:
        for group in groups_of(streams, max_pages, commit_pages):
            passed: set[int] = set()  # parts the gate passed (not checked again if rolled back)
            results = _direct(con, contract, group, run_id, window, gate, totals, checker, passed)
            merged = results is None
            if results is None:
                results = [
                    load_stream(
                        con,
                        contract,
                        piece,
                        run_id=run_id,
                        window=window,
                        max_pages=max_pages,
                        gate=None if i in passed else gate,
                    )
                    for i, part in enumerate(group)
                    for piece in part
                ]
            for done in results:
                totals[done.stream] = _add(totals.get(done.stream), done)
            if merged:  # load_stream recorded each piece alone: a stream's record counts it all
                for stream in dict.fromkeys(done.stream for done in results):
                    record_load(con, totals[stream], run_id=run_id, window=window)
            _evict(con, uncapped)
        con.execute("checkpoint")
        _evict(con, uncapped)
    finally:
        checker.shutdown(wait=True)
    return list(totals.values())


def _uncapped(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether DuckDB's memory limit is its default (80% of RAM). A limit the caller set
    already bounds the buffer pool, and cannot be set back exactly: it reads back rounded."""
    now = con.execute("select current_setting('memory_limit')").fetchone()[0]
    default = duckdb.connect().execute("select current_setting('memory_limit')").fetchone()[0]
    return now == default


def _evict(con: duckdb.DuckDBPyConnection, uncapped: bool) -> None:
    """Drop the blocks DuckDB keeps cached (what it wrote is on disk): lowering the memory
    limit evicts them at once, then the default limit is restored. Outside any transaction;
    nothing to do under a limit the caller set."""
    if not uncapped:
        return
    try:
        with contextlib.suppress(duckdb.Error):  # what is pinned stays; the rest is dropped
            con.execute(f"set memory_limit = {literal(EVICT_TO)}")
    finally:
        con.execute("reset memory_limit")


def _direct(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    group: list[Part],
    run_id: str,
    window: tuple[date, date],
    gate: Gate | None,
    totals: dict[str, LoadResult],
    checker: ThreadPoolExecutor,
    passed: set[int],
) -> list[LoadResult] | None:
    """INSERT a group's parts straight from their pages, in one open transaction, or None
    (rolled back) when it cannot go that way: a key already in the table, or a page the fast
    casts refuse (the staged way names the field).

    With a gate, the work is a pipeline over two threads: each part's rows are read back as
    Arrow and checked on ``checker``'s thread while this thread INSERTs the next part. The
    gate's verdicts are all in before the commit; ``passed`` gets the parts it passed.

    Returns:
        The group's results per stream (committed with its watermarks and load records).
    """
    checked: Future | None = None
    try:
        con.execute("begin transaction")
        pieces: list[_Piece] = []
        for i, part in enumerate(group):
            mine = [_Piece(spooled, _unique_now()) for spooled in part]
            _insert_part(con, contract, mine, run_id)
            if any(_collides(con, contract, piece) for piece in mine):
                rollback(con)
                _settle(checked, passed, i - 1)
                return None
            pieces += mine
            if gate is not None:
                if checked is not None:
                    checked.result()  # the previous part's verdict: raising rolls back
                    passed.add(i - 1)
                # Read back once the previous part's rows are released: one part in memory.
                checked = checker.submit(_check, gate, _part_rows(con, contract, mine))
        if checked is not None:
            checked.result()
            passed.add(len(group) - 1)
        inserted: dict[str, int] = {}
        for piece in pieces:
            stream = piece.spooled.stream
            inserted[stream] = inserted.get(stream, 0) + piece.rows
        results = []
        for stream, n in inserted.items():
            watermark = advance_watermark(con, contract, stream, run_id=run_id)
            results.append(
                LoadResult(contract.source, contract.resource, stream, n, n, 0, watermark)
            )
            record_load(con, _add(totals.get(stream), results[-1]), run_id=run_id, window=window)
        con.execute("commit")
        return results
    except duckdb.Error:
        rollback(con)
        _settle(checked, passed, None)
        return None
    except BaseException:
        rollback(con)
        _settle(checked, passed, None)
        raise


def _insert_part(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, pieces: list[_Piece], run_id: str
) -> None:
    """INSERT a part straight from its readers, one ``UNION ALL`` branch per piece; sets each
    piece's row count. One row per key: a piece whose pages repeat a key is INSERTed again,
    the later page winning (as in ``warehouse.load``); rows are counted first, so only such
    a piece pays for the ranking."""
    columns = ", ".join(contract.schema)
    params: dict[str, object] = {"load_id": run_id}
    branches = []
    for j, piece in enumerate(pieces):
        reader = typed_sql(contract, piece.spooled).replace("$files", f"$files_{j}")
        params |= {f"files_{j}": _files(piece), f"at_{j}": piece.loaded_at}
        branches.append(f"select {columns}, $load_id, $at_{j} from ({reader})")
    con.execute(
        f"insert into {contract.table} ({columns}, _load_id, _loaded_at) "
        + " union all ".join(branches),
        params,
    )
    keys = ", ".join(contract.primary_key)
    stream = contract.stream_key
    counted = con.execute(
        f"select _loaded_at, count(*), count(*) - count(distinct ({keys})), "
        f"min({contract.cursor}), max({contract.cursor}), "
        f"{f'list(distinct {stream})' if stream else 'null'} "
        f"from {contract.table} where {_stamped(pieces)} group by _loaded_at"
    ).fetchall()
    by_stamp = {at: (n, repeats, (lo, hi, names)) for at, n, repeats, lo, hi, names in counted}
    for piece in pieces:
        # The later page's row of a repeated key has the same key, so the same cursor date.
        piece.rows, repeats, piece.span = by_stamp.get(piece.loaded_at, (0, 0, piece.span))
        if repeats:
            mine = f"_loaded_at = {_ts(piece.loaded_at)}"
            con.execute(f"delete from {contract.table} where {mine}")
            (piece.rows,) = con.execute(
                insert_sql(contract, f"({typed_sql(contract, piece.spooled)})"),
                {"load_id": run_id, "loaded_at": piece.loaded_at, "files": _files(piece)},
            ).fetchone()


def _check(gate: Gate, rows: pa.Table) -> None:
    """Run ``gate`` on a part's rows, ``GATE_ROWS`` at a time (a part of pages with more
    rows than Binance's is cut; the part's keys are unique already, checked by the INSERT)."""
    for offset in range(0, max(rows.num_rows, 1), GATE_ROWS):
        gate(rows.slice(offset, GATE_ROWS))


def _files(piece: _Piece) -> list[str]:
    return [str(p) for p in piece.spooled.files]


def _stamped(pieces: list[_Piece]) -> str:
    """A WHERE clause for the rows of ``pieces`` (literal stamps: DuckDB prunes row groups)."""
    return f"_loaded_at in ({', '.join(_ts(p.loaded_at) for p in pieces)})"


def _part_rows(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, pieces: list[_Piece]
) -> pa.Table:
    """A part's rows as the table holds them (the gate's batch), in one chunk per column:
    DuckDB returns a chunk per scan thread's batch, which pandas would copy to concatenate;
    one chunk converts without a copy."""
    return (
        con.sql(
            f"select {', '.join(contract.schema)} from {contract.table} where {_stamped(pieces)}"
        )
        .to_arrow_table()
        .combine_chunks()
    )


def _settle(checked: Future | None, passed: set[int], index: int | None) -> None:
    """Once the gate's thread is done with the last part submitted, mark it passed (index)
    if it passed: the group goes the staged way, which need not check it again."""
    if checked is None:
        return
    wait([checked])
    if index is not None and index >= 0 and checked.exception() is None:
        passed.add(index)


def _collides(con: duckdb.DuckDBPyConnection, contract: LoadContract, piece: _Piece) -> bool:
    """Whether a key just inserted was already in the table (the group must MERGE instead).

    The new rows are found by their ``_loaded_at``; the older rows are searched only within
    the new rows' cursor range and streams (counted with the INSERT), which DuckDB prunes by
    row-group min/max.
    """
    keys = ", ".join(contract.primary_key)
    loaded_at = piece.loaded_at
    new = f"_loaded_at = {_ts(loaded_at)}"
    stream = contract.stream_key
    lo, hi, streams = piece.span
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
