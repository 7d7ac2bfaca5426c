"""The backfill flow: a long range in chunks, each a published nightly run, resumable.

Every chunk is one ``nightly`` subflow run over its window; its ``meta.runs`` row (mode
``backfill``, the chunk's start and end) is published atomically with its data. A rerun of the
same backfill therefore skips every chunk that already published cleanly and continues from
the first one that did not: an interruption between chunks loses nothing and redoes nothing.
A chunk that published as ``partial`` (a stale source) is run again on resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger

from flows.hooks import notify_on_failure
from flows.nightly import nightly
from rotation_kernel.errors import ConfigError
from rotation_kernel.progress import emit
from rotation_kernel.settings import load_settings
from warehouse.db import connect
from warehouse.runs import RunSummary

Chunk = Literal["year", "quarter", "month"]
MONTHS_PER_CHUNK: dict[str, int] = {"year": 12, "quarter": 3, "month": 1}
BACKFILL_MODE = "backfill"


@dataclass
class BackfillSummary:
    """What a backfill did, chunk by chunk."""

    start: date
    end: date
    chunk: str
    skipped: list[tuple[date, date]] = field(default_factory=list)
    runs: list[RunSummary] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if any(r.status != "success" for r in self.runs) else "success"


def _first_of_next_chunk(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1
    index = (index // months + 1) * months
    return date(index // 12, index % 12 + 1, 1)


def split_chunks(start: date, end: date, chunk: Chunk) -> list[tuple[date, date]]:
    """Split [start, end] at calendar year, quarter or month boundaries.

    Raises:
        ConfigError: for an unknown chunk or start after end.
    """
    if chunk not in MONTHS_PER_CHUNK:
        raise ConfigError(f"unknown chunk {chunk!r}: use one of {sorted(MONTHS_PER_CHUNK)}")
    if start > end:
        raise ConfigError(f"backfill start {start} is after end {end}")
    chunks = []
    first = start
    while first <= end:
        after = _first_of_next_chunk(first, MONTHS_PER_CHUNK[chunk])
        chunks.append((first, min(after - timedelta(days=1), end)))
        first = after
    return chunks


def completed_chunks(warehouse: Path) -> set[tuple[date, date]]:
    """Chunk windows whose backfill run published cleanly (status ``success``)."""
    if not warehouse.exists():
        return set()
    with connect(warehouse, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'meta' and table_name = 'runs'"
        ).fetchone()[0]
        if not exists:
            return set()
        rows = con.execute(
            "select window_start, window_end from meta.runs where mode = ? and status = 'success'",
            [BACKFILL_MODE],
        ).fetchall()
    return {(s, e) for s, e in rows}


@flow(
    name="backfill",
    flow_run_name="backfill-{start}-{end}-by-{chunk}",
    on_failure=[notify_on_failure],
    on_crashed=[notify_on_failure],
)
def backfill(
    start: date = date(2015, 1, 1), end: date | None = None, chunk: Chunk = "year"
) -> BackfillSummary:
    """Load [start, end] chunk by chunk, skipping chunks an earlier attempt already published.

    Args:
        start: the first day to load.
        end: the last day (default: today, UTC).
        chunk: ``year``, ``quarter`` or ``month``: the unit of work and of resumption.

    Returns:
        The chunks skipped and the summary of every chunk run.

    Raises:
        ConfigError: for a bad range or chunk.
        PipelineError: when a chunk fails to publish; rerun the same backfill to resume.
    """
    end = end or datetime.now(UTC).date()
    chunks = split_chunks(start, end, chunk)
    done = completed_chunks(load_settings().warehouse)
    summary = BackfillSummary(start, end, chunk)
    logger = get_run_logger()
    for index, (first, last) in enumerate(chunks, start=1):
        emit("chunk", index=index, total=len(chunks), start=first, end=last)
        if (first, last) in done:
            logger.info(
                "chunk %d/%d %s..%s already published: skipped", index, len(chunks), first, last
            )
            summary.skipped.append((first, last))
            continue
        logger.info("chunk %d/%d %s..%s", index, len(chunks), first, last)
        summary.runs.append(nightly(start=first, end=last, mode=BACKFILL_MODE))
    return summary
