"""DuckDB connection and bootstrap: schemas, meta tables, raw tables from load contracts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from rotation_kernel.contract import LoadContract

SCHEMAS = ("raw", "staging", "marts", "meta")
LOAD_COLUMNS = {"_load_id": "VARCHAR", "_loaded_at": "TIMESTAMP WITH TIME ZONE"}

_DUCKDB_TYPES: Mapping[type[pl.DataType], str] = {
    pl.Utf8: "VARCHAR",
    pl.Date: "DATE",
    pl.Float64: "DOUBLE",
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Boolean: "BOOLEAN",
}

META_DDL = (
    """
    create table if not exists meta.runs (
        run_id varchar primary key,
        flow_run_name varchar,
        started_at timestamp with time zone,
        finished_at timestamp with time zone,
        status varchar,
        data_origin varchar,
        mode varchar,
        window_start date,
        window_end date,
        rows_in bigint,
        rows_inserted bigint,
        rows_updated bigint,
        stale_sources varchar[],
        notes varchar
    )
    """,
    """
    create table if not exists meta.load_state (
        source varchar,
        resource varchar,
        stream varchar,
        watermark date,
        lookback_days integer,
        updated_at timestamp with time zone,
        run_id varchar,
        primary key (source, resource, stream)
    )
    """,
    """
    create table if not exists meta.load_results (
        run_id varchar,
        source varchar,
        resource varchar,
        stream varchar,
        window_start date,
        window_end date,
        rows_in bigint,
        rows_inserted bigint,
        rows_updated bigint,
        watermark date,
        primary key (run_id, source, resource, stream)
    )
    """,
    """
    create table if not exists meta.fred_series_units (
        series_id varchar primary key,
        unit varchar,
        usd_bn_per_unit double,
        description varchar
    )
    """,
    # The DTS account-name eras (sources.treasury_dts.ERAS): which row and column hold the
    # TGA close on a date. A null first/last date is an open end.
    """
    create table if not exists meta.dts_eras (
        era varchar primary key,
        first_date date,
        last_date date,
        account_type varchar not null,
        balance_field varchar not null
            check (balance_field in ('close_today_bal', 'open_today_bal'))
    )
    """,
)


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (creating its folder when writing)."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if there still is one: a COMMIT that failed (a full
    disk) has ended it already, and its error, not "no transaction is active", is the one to
    raise."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("rollback")


def duckdb_type(dtype: pl.DataType) -> str:
    """The DuckDB column type for a polars dtype used in a load contract.

    Raises:
        TypeError: for a dtype no contract should use.
    """
    for pl_type, sql_type in _DUCKDB_TYPES.items():
        if dtype == pl_type:
            return sql_type
    raise TypeError(f"no DuckDB type mapped for polars dtype {dtype}")


def raw_table_ddl(contract: LoadContract) -> str:
    """``create table if not exists`` for a raw table: the contract's columns plus load columns.

    Raw tables are keyless on purpose: MERGE matches on the natural key, and a key
    constraint would only slow bulk loads down.
    """
    columns = [f"{name} {duckdb_type(dtype)}" for name, dtype in contract.schema.items()]
    columns += [f"{name} {sql_type}" for name, sql_type in LOAD_COLUMNS.items()]
    return f"create table if not exists {contract.table} ({', '.join(columns)})"


HISTORY_SCHEMA = "raw_history"


def history_table(contract: LoadContract) -> str:
    """Where a raw table's superseded rows go: ``raw_history.<source>__<resource>``."""
    return f"{HISTORY_SCHEMA}.{contract.source}__{contract.resource}"


def history_table_ddl(contract: LoadContract) -> str:
    """``create table if not exists`` for a raw table's history: every column of the raw row
    as it was (its ``_load_id`` included), plus the run that replaced it and when."""
    columns = [f"{name} {duckdb_type(dtype)}" for name, dtype in contract.schema.items()]
    columns += [f"{name} {sql_type}" for name, sql_type in LOAD_COLUMNS.items()]
    columns += ["_superseded_by VARCHAR", "_superseded_at TIMESTAMP WITH TIME ZONE"]
    return f"create table if not exists {history_table(contract)} ({', '.join(columns)})"


def bootstrap(
    con: duckdb.DuckDBPyConnection,
    contracts: Iterable[LoadContract],
    fred_units: Iterable[tuple[str, str, float, str]] = (),
    dts_eras: Iterable[tuple[str, date | None, date | None, str, str]] = (),
) -> None:
    """Create schemas, meta tables, raw tables and their histories if missing; refresh the
    seed tables given: the FRED unit registry (``sources.catalog.fred_unit_rows()``) and the
    DTS eras (``sources.treasury_dts.era_rows()``). A seed not given is left as it is."""
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    for ddl in META_DDL:
        con.execute(ddl)
    con.execute(f"create schema if not exists {HISTORY_SCHEMA}")
    for contract in contracts:
        con.execute(raw_table_ddl(contract))
        con.execute(history_table_ddl(contract))
    units = list(fred_units)
    if units:
        con.execute("delete from meta.fred_series_units")
        con.executemany("insert into meta.fred_series_units values (?, ?, ?, ?)", units)
    eras = list(dts_eras)
    if eras:
        con.execute("delete from meta.dts_eras")
        con.executemany("insert into meta.dts_eras values (?, ?, ?, ?, ?)", eras)


def table_checksum(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Row count and an order-independent content hash of a table."""
    count, digest = con.execute(
        f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {table} as t"
    ).fetchone()
    return int(count), int(digest)


def content_checksums(
    con: duckdb.DuckDBPyConnection,
    schemas: Iterable[str] = ("raw", "staging", "marts"),
    tables: Iterable[str] | None = None,
) -> dict[str, tuple[int, int]]:
    """Row count and content hash of every table and view, ignoring *when* rows were loaded.

    ``_load_id``/``_loaded_at`` differ between two runs that load the same data, so they are
    left out: equal checksums mean equal data, however many runs it took to load it.

    Args:
        con: an open warehouse.
        schemas: whose tables and views to hash.
        tables: qualified names to hash instead (``schemas`` is then not read).
    """
    sums = {}
    for table in list_tables(con, schemas) if tables is None else tables:
        schema, name = table.split(".")
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? "
                "and table_catalog = current_database() order by ordinal_position",
                [schema, name],
            ).fetchall()
            if c not in LOAD_COLUMNS
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        count, digest = con.execute(
            "select count(*), coalesce(sum(hash(t)::hugeint), 0) "
            f"from (select {select} from {table}) t"
        ).fetchone()
        sums[table] = (int(count), int(digest))
    return sums


def list_tables(
    con: duckdb.DuckDBPyConnection, schemas: Iterable[str] = SCHEMAS, *, views: bool = True
) -> list[str]:
    """Qualified names of the base tables (and views, unless ``views=False``) in the given
    schemas, sorted."""
    kinds = ["BASE TABLE", "VIEW"] if views else ["BASE TABLE"]
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = current_database() and list_contains(?, table_schema) "
        "and list_contains(?, table_type) order by 1",
        [list(schemas), kinds],
    ).fetchall()
    return [r[0] for r in rows]
