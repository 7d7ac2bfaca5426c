"""The commands that read the published warehouse: status, checksums, query, report, export.

Each opens the published file read-only (never the ``.next`` a running build writes, so none
waits for a run) and hands the work to ``rotation_analyst`` (``checksums`` to
``warehouse.db``); a missing warehouse exits 2 saying how to build one.
:mod:`rotation_cli.app` registers them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rotation_cli.exits import fail
from rotation_kernel.errors import ConfigError


def _published() -> Path:
    from warehouse.connection import published_path

    try:
        return published_path()
    except ConfigError as exc:
        fail(exc, 2)


def status() -> None:
    """Show the thesis setup now, the last runs, watermarks, staleness, failures and the file."""
    from rotation_analyst.console import make_console, status_group
    from rotation_analyst.status import warehouse_status
    from warehouse.connection import connect_published

    path = _published()
    with connect_published(path) as con:
        make_console().print(status_group(warehouse_status(con, path)))


def checksums() -> None:
    """Print every raw, staging and mart table's row count and content hash (load ids and times
    left out): two warehouses holding the same data print the same lines, so `diff` compares
    two builds."""
    from warehouse.connection import connect_published
    from warehouse.db import content_checksums

    with connect_published(_published()) as con:
        for table, (rows, digest) in sorted(content_checksums(con).items()):
            typer.echo(f"{table}\t{rows}\t{digest}")


def query(
    sql: Annotated[
        str | None, typer.Argument(help="SQL (the last statement's result is shown)")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", exists=True, dir_okay=False, help="Read the SQL from a file"),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table (printed), csv, json or parquet")
    ] = "table",
    out: Annotated[Path | None, typer.Option(help="Write the result to this file")] = None,
    max_rows: Annotated[int, typer.Option(help="Rows printed in table format")] = 50,
) -> None:
    """Run SQL read-only against the published warehouse (never waits for a running build)."""
    import duckdb

    from rotation_analyst.console import frame_table, make_console
    from rotation_analyst.query import FORMATS, run_query, write_result
    from warehouse.connection import connect_published

    if (sql is None) == (file is None):
        fail(ConfigError("give the SQL either as an argument or with --file"), 2)
    if file is not None:
        sql = file.read_text()
    if fmt not in FORMATS:
        fail(ConfigError(f"--format {fmt}: use one of {', '.join(FORMATS)}"), 2)
    if fmt == "table" and out is not None:
        fmt = out.suffix.lstrip(".").lower()  # --out x.csv alone means csv
        if fmt not in FORMATS[1:]:
            fail(ConfigError(f"--out {out}: give --format csv, json or parquet"), 2)
    with connect_published(_published()) as con:
        try:
            frame = run_query(con, sql)
        except duckdb.Error as exc:
            fail(exc)
    if frame is None:
        typer.echo("ok (no result set)")
    elif fmt == "table":
        make_console().print(frame_table(frame, max_rows))
    else:
        try:
            text = write_result(frame, fmt, out)
        except ConfigError as exc:
            fail(exc, 2)
        if text is None:
            typer.echo(f"wrote {frame.height:,} rows to {out}", err=True)
        else:
            typer.echo(text, nl=False)


def report(
    out: Annotated[Path, typer.Option(help="The HTML file to write")] = Path("report.html"),
) -> None:
    """Write a self-contained HTML report (charts and tables; works offline, no CDN)."""
    from rotation_analyst.report import write_report
    from warehouse.connection import connect_published

    path = _published()
    with connect_published(path) as con:
        written = write_report(con, out, source=path)
    typer.echo(f"wrote {written} ({written.stat().st_size:,} bytes); open it in a browser")


def export(
    out: Annotated[Path, typer.Option(help="Folder for the Parquet files and catalog.json")],
) -> None:
    """Export every mart to Parquet (by year where large) plus the data dictionary as JSON."""
    from rotation_analyst.export import export_marts
    from warehouse.connection import connect_published

    with connect_published(_published()) as con:
        manifest = export_marts(con, out)
    for table in manifest.tables:
        layout = "by year" if table.partitioned else "one file"
        typer.echo(f"  {table.name:<34} {table.rows:>9,} rows  {layout:<8} {table.path}")
    typer.echo(f"wrote {len(manifest.tables)} marts, {manifest.catalog} and {manifest.path}")
