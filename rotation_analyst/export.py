"""Export every mart to Parquet (by year where large) with the data dictionary as JSON."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from warehouse.db import list_tables

CATALOG = Path(__file__).resolve().parents[1] / "warehouse" / "catalog.yml"
# Above this many rows a mart is written as one Parquet file per year (Hive layout year=YYYY/),
# so a reader can prune years; smaller marts are one file each.
LARGE_ROWS = 20_000
# The column a mart is partitioned on: its first date column in this order.
DATE_COLUMNS = ("date", "event_date", "window_end_date")


@dataclass(frozen=True)
class ExportedTable:
    """One mart as exported: where, how many rows, and whether it is split by year."""

    name: str
    path: str  # relative to the export folder
    rows: int
    partitioned: bool
    columns: dict[str, str]


@dataclass
class Manifest:
    """What an export wrote, written beside it as manifest.json."""

    path: Path
    catalog: Path
    exported_at: str
    data_origin: str | None
    run_id: str | None
    tables: list[ExportedTable] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "exported_at": self.exported_at,
            "data_origin": self.data_origin,
            "run_id": self.run_id,
            "tables": [asdict(t) for t in self.tables],
        }


def load_catalog(path: Path = CATALOG) -> dict[str, Any]:
    """The data dictionary (``warehouse/catalog.yml``): mart -> grain, description, columns."""
    return yaml.safe_load(path.read_text())


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return dict(rows)


def _last_run(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str | None]:
    # fetchall, not fetchone: DuckDB 2 refuses con.sql() while a result is left unfinished
    rows = con.execute(
        "select run_id, data_origin from meta.runs order by started_at desc limit 1"
    ).fetchall()
    return rows[0] if rows else (None, None)


def export_table(
    con: duckdb.DuckDBPyConnection, table: str, out: Path, large_rows: int = LARGE_ROWS
) -> ExportedTable:
    """Write one table to ``out/<schema>/<name>.parquet``, or by year when it is large.

    Args:
        con: a connection (read-only is enough: COPY writes outside the database).
        table: the qualified table name, e.g. ``marts.fct_asset_daily``.
        out: the export folder.
        large_rows: the row count above which a table with a date column is split by year.

    Returns:
        The :class:`ExportedTable`.
    """
    columns = _columns(con, table)
    ((rows,),) = con.execute(f"select count(*) from {table}").fetchall()
    date_column = next((c for c in DATE_COLUMNS if c in columns), None)
    schema, name = table.split(".")
    partitioned = rows > large_rows and date_column is not None
    target = out / schema / (name if partitioned else f"{name}.parquet")
    if target.exists():  # a re-export replaces the table, never mixes two exports
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    quoted = "'" + str(target).replace("'", "''") + "'"  # COPY takes no bind parameter for paths
    if partitioned:
        con.execute(
            f"copy (select *, year({date_column}) as year from {table}) to {quoted} "
            "(format parquet, partition_by (year))"
        )
    else:
        con.execute(f"copy {table} to {quoted} (format parquet)")
    return ExportedTable(table, str(target.relative_to(out)), int(rows), partitioned, columns)


def export_marts(
    con: duckdb.DuckDBPyConnection, out: Path, large_rows: int = LARGE_ROWS
) -> Manifest:
    """Export every mart to Parquet, the data dictionary to catalog.json and a manifest.

    Args:
        con: a connection to the published warehouse.
        out: the export folder (created; existing exports of the same marts are replaced).
        large_rows: see :func:`export_table`.

    Returns:
        The :class:`Manifest` (also written to ``out/manifest.json``).
    """
    out.mkdir(parents=True, exist_ok=True)
    run_id, origin = _last_run(con)
    manifest = Manifest(
        path=out / "manifest.json",
        catalog=out / "catalog.json",
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        data_origin=origin,
        run_id=run_id,
    )
    for table in list_tables(con, ("marts",)):
        manifest.tables.append(export_table(con, table, out, large_rows))
    manifest.catalog.write_text(json.dumps(load_catalog(), indent=2) + "\n")
    manifest.path.write_text(json.dumps(manifest.to_json(), indent=2) + "\n")
    return manifest
