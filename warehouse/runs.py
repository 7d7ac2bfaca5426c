"""Run records: what a run did (:class:`RunSummary`), its ``meta.runs`` row and its counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from warehouse.db import list_tables
from warehouse.gate import GateOutcome
from warehouse.load import LoadResult
from warehouse.spool import SpooledStream


@dataclass
class RunSummary:
    """What a run did; the CLI prints it and tests read it."""

    run_id: str
    status: str
    warehouse: Path
    data_origin: str
    loads: list[LoadResult] = field(default_factory=list)
    failed_streams: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(
        default_factory=dict
    )  # "binance/BTCUSDT" -> "coinbase/BTC-USD"
    quarantined: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    docs: Path | None = None
    watermarks_before: dict[str, date | None] = field(default_factory=dict)
    watermarks_after: dict[str, date | None] = field(default_factory=dict)
    validation_failures: list[tuple] = field(default_factory=list)

    @property
    def stale_sources(self) -> list[str]:
        """Sources with a failed or blocked stream: their marts use the last good data."""
        keys = [*self.failed_streams, *self.quarantined]
        return sorted({key.split("/")[0] for key in keys})

    def absorb(self, source: str, outcome: GateOutcome) -> None:
        """Add what the quality gate did to one source's streams (keys ``source/stream``)."""
        self.quarantined.update({f"{source}/{k}": v for k, v in outcome.quarantined.items()})
        self.failed_streams.update({f"{source}/{k}": v for k, v in outcome.failed.items()})
        self.warnings += outcome.warnings


def by_source(pairs: Iterable[tuple[str, SpooledStream]]) -> dict[str, list[SpooledStream]]:
    """(source, spooled stream) pairs grouped by source, in first-seen order."""
    grouped: dict[str, list[SpooledStream]] = defaultdict(list)
    for source, spooled in pairs:
        grouped[source].append(spooled)
    return dict(grouped)


def covering(windows: Iterable[tuple[date, date]]) -> tuple[date, date]:
    """The one window that covers them all: earliest start, latest end."""
    spans = list(windows)
    return min(w[0] for w in spans), max(w[1] for w in spans)


def record_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    *,
    name: str | None,
    started_at: datetime,
    mode: str,
    start: date | None,
    end: date,
    finished_at: datetime | None = None,
) -> None:
    """Write this run's row to meta.runs inside the build, so it publishes with the data.

    Args:
        name: the run's name (the Prefect flow run's).
        started_at / finished_at: when it ran; finished_at defaults to now (UTC).
        mode: the run's label ("run", "demo", "nightly", "backfill").
        start / end: the requested window (start None: incremental).
    """
    notes = [f"failed {k}: {v}" for k, v in sorted(summary.failed_streams.items())]
    notes += [f"quarantined {k}: {n} rows" for k, n in sorted(summary.quarantined.items())]
    notes += [f"fell back {k} -> {v}" for k, v in sorted(summary.fallbacks.items())]
    con.execute(
        "insert into meta.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            name,
            started_at,
            finished_at or datetime.now(UTC),
            summary.status,
            summary.data_origin,
            mode,
            start,
            end,
            sum(r.rows_in for r in summary.loads),
            sum(r.rows_inserted for r in summary.loads),
            sum(r.rows_updated for r in summary.loads),
            summary.stale_sources,
            "; ".join(notes) or None,
        ],
    )


def count_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every raw, staging and mart relation, and of non-empty quarantine tables."""
    counts = {
        name: con.execute(f"select count(*) from {name}").fetchone()[0]
        for name in list_tables(con, ("raw", "staging", "marts", "quarantine"))
    }
    return {k: v for k, v in counts.items() if v or not k.startswith("quarantine.")}


def watermarks(con: duckdb.DuckDBPyConnection) -> dict[str, date | None]:
    """Every stream's watermark, keyed ``raw.<source>__<resource>/<stream>``."""
    rows = con.execute(
        "select source, resource, stream, watermark from meta.load_state order by all"
    ).fetchall()
    return {f"raw.{s}__{r}/{stream}": w for s, r, stream, w in rows}


def validation_failures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """This run's failed expectations: (suite, expectation, stream, severity, rows, reason)."""
    return con.execute(
        "select suite, expectation, coalesce(stream, ''), severity, rows_failed, reason "
        "from meta.validation_results where run_id = ? and not success order by all",
        [run_id],
    ).fetchall()


def close_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    *,
    name: str | None,
    started_at: datetime,
    mode: str,
    start: date | None,
    end: date,
) -> RunSummary:
    """Settle a built run before it publishes: its status, its ``meta.runs`` row, its counts.

    The status is ``partial`` when a source is stale (a failed or quarantined stream), else
    ``success``; the row is written first, so the counts and watermarks read after it are the
    ones that publish.

    Returns:
        ``summary``, completed (status, table_rows, watermarks_after, validation_failures).
    """
    summary.status = "partial" if summary.stale_sources else "success"
    record_run(con, summary, name=name, started_at=started_at, mode=mode, start=start, end=end)
    summary.table_rows = count_rows(con)
    summary.watermarks_after = watermarks(con)
    summary.validation_failures = validation_failures(con, summary.run_id)
    return summary
