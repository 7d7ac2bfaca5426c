"""Rich renderings for the terminal: a query result and the warehouse status (with the setup)."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import polars as pl
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rotation_analyst.status import WarehouseStatus, describe_setup

# A pipe or a CI log has no width; rich would fold tables at 80 columns.
PIPE_WIDTH = 160


def make_console(*, stderr: bool = False) -> Console:
    """A console for the CLI: colours and live bars on a terminal, plain wide text otherwise."""
    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    return Console(stderr=stderr, width=None if tty else PIPE_WIDTH, soft_wrap=not tty)


def cell(value: Any) -> str:
    """One value as shown in a table: floats to 6 significant digits, NULL for missing."""
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(map(cell, value)) or "-"
    return str(value)


def frame_table(frame: pl.DataFrame, max_rows: int = 50) -> Table:
    """A query result as a rich table, cut to ``max_rows`` with a caption saying so."""
    shown = frame.head(max_rows)
    caption = f"{frame.height:,} rows"
    if frame.height > max_rows:
        caption += f", first {max_rows} shown"
    table = Table(caption=caption, header_style="bold")
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left")
    for row in shown.iter_rows():
        table.add_row(*(cell(v) for v in row))
    return table


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for name in columns:
        table.add_column(name)
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    return table


def _header(status: WarehouseStatus) -> RenderableType:
    run = status.last_run
    origin = run["data_origin"] if run else "unknown (no run recorded)"
    lines = Text()
    if str(origin).startswith("synthetic"):
        lines.append("SYNTHETIC DATA: built from the emulator, not market history\n", "bold red")
    lines.append(f"warehouse  {status.path}\n")
    lines.append(f"size       {status.size_bytes:,} bytes ({status.size_bytes / 2**20:.1f} MiB)\n")
    lines.append(f"published  {cell(status.modified_at)}\n")
    if run:
        took = (run["finished_at"] - run["started_at"]).total_seconds()
        lines.append(f"built by   {run['flow_run_name']} ({run['status']}) in {took:.1f} s\n")
    lines.append(f"data       {origin}")
    return Panel(lines, title="rotation status", expand=False)


def status_renderables(status: WarehouseStatus) -> list[RenderableType]:
    """The status as panels and tables, in reading order."""
    runs = _table(
        "Last runs",
        ["started", "finished", "status", "data_origin", "mode", "window", "stale sources"],
        [
            [
                r["started_at"],
                r["finished_at"],
                r["status"],
                r["data_origin"],
                r["mode"],
                f"{cell(r['window_start'])} .. {cell(r['window_end'])}",
                r["stale_sources"],
            ]
            for r in status.runs
        ],
    )
    fresh = _table(
        "Watermarks and staleness (vs each source's publication lag)",
        ["raw table", "streams", "newest", "oldest", "age", "allowed", "state"],
        [
            [
                f.table,
                f.streams,
                f.newest,
                f.oldest,
                "-" if f.age is None else f.age,
                "unknown" if f.allowed is None else f"{f.allowed} {f.unit}",
                f.state,
            ]
            for f in status.freshness
        ],
    )
    setup = Panel(
        Text("\n".join(describe_setup(status.setup))),
        title="the thesis setup (marts.fct_thesis_setup)",
        expand=False,
    )
    parts: list[RenderableType] = [_header(status), setup, runs, fresh]
    if status.failures:
        parts.append(
            _table(
                "Validation failures of the last run",
                ["severity", "suite", "expectation", "stream", "rows failed", "reason"],
                [
                    [
                        f["severity"],
                        f["suite"],
                        f["expectation"],
                        f["stream"],
                        f["rows_failed"],
                        f["reason"],
                    ]
                    for f in status.failures
                ],
            )
        )
    elif status.runs:
        parts.append(Text("No validation failures in the last run."))
    return parts


def status_group(status: WarehouseStatus) -> Group:
    """The status as one renderable."""
    return Group(*status_renderables(status))
