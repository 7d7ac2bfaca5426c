"""Typing a stream's spooled pages in DuckDB: bounded batches staged as temp tables.

A batch of pages becomes one temp table (the contract's columns, then ``_page``) through one
SELECT: the source's reader SQL for raw JSON pages, ``read_parquet`` for parsed ones. The flow
stages a resource's streams to validate them (Arrow from DuckDB), then merges the same tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import SchemaDriftError
from rotation_kernel.json_sql import drift_error, literal, names_no_field
from warehouse.spool import SpooledStream, typed_sql

# Pages per batch: 500 Binance pages are 500,000 klines, ~65 MB of JSON and ~50 MB typed.
BATCH_PAGES = 500


def stage(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    files: Iterable[Path],
) -> str:
    """Type one batch of a stream's pages into a temp table: one SELECT, no Python per row.

    Args:
        con: the load connection (temp tables live as long as it does).
        contract: the raw table's contract.
        spooled: the stream; its format and reader decide the SQL.
        files: the batch's pages, in page order.

    Returns:
        The temp table's name: the contract's columns, then ``_page``.

    Raises:
        SchemaDriftError: the reader SQL found a field missing, renamed or unparsable, or a
            page of the wrong shape.
    """
    name = f"stage_{uuid.uuid4().hex[:16]}"
    params = {"files": [str(p) for p in files]}
    try:
        con.execute(f"create temp table {name} as {typed_sql(contract, spooled)}", params)
        return name
    except duckdb.Error as exc:
        reader = spooled.reader
        if reader is None:
            raise
        if not names_no_field(exc):
            raise (drift_error(exc, reader) or exc) from None
    # The fast casts refused a value without naming it: the checked form names the field
    # (or types a value such as "1.0" that the fast form leaves to it).
    try:
        con.execute(
            f"create temp table {name} as {typed_sql(contract, spooled, checked=True)}", params
        )
    except duckdb.Error as exc:
        raise (drift_error(exc, reader) or exc) from None
    return name


def stage_stream(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    max_pages: int = BATCH_PAGES,
) -> list[str]:
    """Stage every batch of a stream (the flow does this to validate before loading).

    Returns:
        The temp tables, in page order, also kept in ``spooled.staged`` for the load.

    Raises:
        SchemaDriftError: as :func:`stage` (nothing of the stream stays staged then).
    """
    drop_staged(con, spooled)
    try:
        for files in spooled.batches(max_pages):
            spooled.staged.append(stage(con, contract, spooled, files))
    except BaseException:
        drop_staged(con, spooled)
        raise
    return spooled.staged


def staged_sql(contract: LoadContract, streams: list[SpooledStream]) -> str:
    """A SELECT of the contract's columns over the staged batches of ``streams``."""
    columns = ", ".join(contract.schema)
    tables = [t for s in streams for t in s.staged]
    if not tables:
        return f"select {columns} from {contract.table} limit 0"
    return " union all ".join(f"select {columns} from {t}" for t in tables)


def staged_arrow(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, streams: list[SpooledStream]
) -> pa.Table:
    """The staged rows of ``streams`` as one Arrow table (what validation reads).

    Returns:
        Exactly the contract's columns, every batch of every stream, in page order.
    """
    return con.sql(staged_sql(contract, streams)).to_arrow_table()


def stage_group(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, group: list[SpooledStream]
) -> tuple[pa.Table, dict[str, SchemaDriftError]]:
    """Stage every stream of one resource's batch, for validation then load (one parse each).

    Args:
        con: the build's connection.
        contract: the resource's contract.
        group: its spooled streams.

    Returns:
        The staged rows of the streams that typed, as one Arrow table, and the streams
        whose pages did not type, with their drift (nothing of those stays staged).
    """
    drifted: dict[str, SchemaDriftError] = {}
    for spooled in group:
        try:
            stage_stream(con, contract, spooled)
        except SchemaDriftError as exc:
            drifted[spooled.stream] = exc
    return staged_arrow(con, contract, group), drifted


def as_parquet(
    con: duckdb.DuckDBPyConnection, contract: LoadContract, spooled: SpooledStream
) -> SpooledStream:
    """A stream as typed Parquet (what quarantine reads): a json stream's staged rows (staged
    now if they are not yet: a bulk load never stages) are written to one file and unstaged;
    a parquet stream is returned as it is.

    Returns:
        A ``parquet`` spooled stream with the same rows.

    Raises:
        SchemaDriftError: a json stream's pages do not type.
    """
    if spooled.format == "parquet":
        return spooled
    if not spooled.staged:
        stage_stream(con, contract, spooled)
    path = spooled.files[0].with_name("typed.parquet")
    con.execute(
        f"copy ({staged_sql(contract, [spooled])}) to {literal(str(path))} (format parquet)"
    )
    drop_staged(con, spooled)
    return SpooledStream(
        spooled.source, spooled.resource, spooled.stream, [path], spooled.rows, "parquet"
    )


def drop_staged(con: duckdb.DuckDBPyConnection, spooled: SpooledStream) -> None:
    """Drop a stream's staged batches (after their MERGE, or when it is quarantined)."""
    for table in spooled.staged:
        con.execute(f"drop table if exists {table}")
    spooled.staged.clear()
