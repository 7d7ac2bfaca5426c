"""Run an analyst's SQL read-only and write the result as CSV, JSON or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from rotation_kernel.errors import ConfigError

Format = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[str, ...] = ("table", "csv", "json", "parquet")


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame | None:
    """Run one SQL text (the last statement's result is returned).

    Args:
        con: a connection; the CLI's is read-only, so a write fails inside DuckDB.
        sql: the SQL text.

    Returns:
        The result as a polars frame (a statement such as SET gives DuckDB's one-column
        ``Success`` frame), or None when DuckDB returns no relation at all.

    Raises:
        duckdb.Error: for invalid SQL or a write on a read-only connection.
    """
    relation = con.sql(sql)
    return None if relation is None else relation.pl()


def write_result(frame: pl.DataFrame, fmt: Format, out: Path | None) -> str | None:
    """Write a query result in ``fmt`` to ``out``, or return it as text when ``out`` is None.

    Args:
        frame: the result.
        fmt: ``csv``, ``json`` (an array of row objects) or ``parquet``.
        out: the file to write (its folder is created); None returns CSV/JSON as text.

    Returns:
        The text when ``out`` is None, else None.

    Raises:
        ConfigError: for Parquet without ``out``, or the ``table`` format (that one is printed).
    """
    if fmt not in ("csv", "json", "parquet"):
        raise ConfigError(f"--format {fmt} is printed, not written: use csv, json or parquet")
    if out is None:
        if fmt == "parquet":
            raise ConfigError("--format parquet needs --out FILE (Parquet is binary)")
        return frame.write_csv() if fmt == "csv" else frame.write_json()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.write_csv(out)
    elif fmt == "json":
        frame.write_json(out)
    else:
        frame.write_parquet(out)
    return None
