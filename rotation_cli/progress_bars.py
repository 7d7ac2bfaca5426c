"""Rich progress bars for a run in the CLI, fed by :mod:`rotation_kernel.progress` events.

On a terminal: one bar for the stages, one per source (pages and rows as they arrive), one for
backfill chunks. Anywhere else (a pipe, a CI log): one plain line per stage or chunk and nothing
per page, so logs stay short and free of control codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from rotation_kernel.progress import subscribe

# The stage names flows/nightly.py emits, in order; "done" completes the bar.
STAGES = ("extract", "validate", "load", "transform", "validate-marts", "publish", "docs", "done")


def _detail(fields: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in fields.items() if k != "name")


class PlainLines:
    """Listener for a console that is not a terminal: one timestamped line per stage or chunk."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, kind: str, fields: dict[str, Any]) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if kind == "stage":
            detail = _detail(fields)
            self.console.print(
                f"{stamp} stage {fields['name']}" + (f" ({detail})" if detail else "")
            )
        elif kind == "chunk":
            self.console.print(
                f"{stamp} chunk {fields['index']}/{fields['total']}: "
                f"{fields.get('start')} .. {fields.get('end')}"
            )


class Bars:
    """Listener for a terminal: live rich bars (rich's Progress is thread-safe)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.stage = progress.add_task("stage", total=len(STAGES), detail="starting")
        self.sources: dict[str, TaskID] = {}
        self.streams: dict[
            str, dict[str, tuple[int, int]]
        ] = {}  # source -> stream -> (pages, rows)
        self.chunk: TaskID | None = None

    def __call__(self, kind: str, fields: dict[str, Any]) -> None:
        if kind == "stage":
            self._stage(fields)
        elif kind == "page":
            self._page(fields)
        elif kind == "chunk":
            if self.chunk is None:
                self.chunk = self.progress.add_task("chunks", total=fields["total"], detail="")
            detail = f"{fields.get('start')} .. {fields.get('end')}"
            self.progress.update(self.chunk, completed=fields["index"] - 1, detail=detail)

    def _stage(self, fields: dict[str, Any]) -> None:
        name = fields["name"]
        done = STAGES.index(name) if name in STAGES else 0
        if name == "done":
            done = len(STAGES)
            if self.chunk is not None:  # a chunked run emits done per chunk; the last one ends it
                self.progress.advance(self.chunk)
        detail = f"{done}/{len(STAGES)} {name} {_detail(fields)}".strip()
        self.progress.update(self.stage, completed=done, detail=detail)
        if name != "extract":  # extraction is over: stop the source spinners
            for task in self.sources.values():
                self.progress.update(task, total=1, completed=1)

    def _page(self, fields: dict[str, Any]) -> None:
        source = fields["source"]
        streams = self.streams.setdefault(source, {})
        streams[fields["stream"]] = (fields.get("pages", 0), fields.get("rows", 0))
        pages = sum(p for p, _ in streams.values())
        rows = sum(r for _, r in streams.values())
        detail = f"{len(streams)} streams, {pages} pages, {rows:,} rows"
        if source not in self.sources:
            self.sources[source] = self.progress.add_task(source, total=None, detail=detail)
        else:
            self.progress.update(self.sources[source], total=None, completed=0, detail=detail)


@contextmanager
def run_progress(console: Console) -> Iterator[None]:
    """Show a run's progress on ``console`` while the block runs.

    Args:
        console: where to draw; live bars on a terminal, plain lines otherwise.

    Returns:
        A context manager; progress stops when the block exits.
    """
    if not console.is_terminal:
        with subscribe(PlainLines(console)):
            yield
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    )
    with progress, subscribe(Bars(progress)):
        yield
