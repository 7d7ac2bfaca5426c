"""The quality gate: a resource's raw batch is validated (GX suite) before it loads, every
blocked stream going to quarantine instead of its raw table; the marts before they publish.

Two ways through the gate. :func:`gate_batch` stages a resource's streams once, validates them
together and quarantines the blocked ones; the accepted ones are then MERGEd by the load step.
:func:`gate_bulk_load` is for the high-volume sources (``sources.catalog.BULK_SOURCES``): each
stream's pages go straight into the raw table part by part, every part validated as it lands,
and a stream commits whole only once every part passed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import duckdb

import expectations
from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import AuditError, SchemaDriftError
from warehouse.bulk import BULK_PAGES, bulk_load
from warehouse.load import LoadResult
from warehouse.quarantine import quarantine_stream, record_validation
from warehouse.spool import SpooledStream
from warehouse.stage import as_parquet, stage_group

Logger = logging.Logger | logging.LoggerAdapter
log = logging.getLogger("rotation.gate")


@dataclass
class GateOutcome:
    """What the quality gate did to one resource's batch."""

    quarantined: dict[str, int] = field(default_factory=dict)  # stream -> rows
    failed: dict[str, str] = field(default_factory=dict)  # stream -> why it could not be typed
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> set[str]:
        """The streams that must not load: quarantined or untyped."""
        return self.quarantined.keys() | self.failed.keys()


class Blocked(Exception):
    """The gate refused a part of a bulk load (``reasons`` by stream)."""

    def __init__(self, reasons: dict[str, list[str]]) -> None:
        super().__init__(f"blocked by validation: {reasons}")
        self.reasons = reasons


def gate_batch(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    group: list[SpooledStream],
    *,
    run_id: str,
    run_date: date,
    window: tuple[date, date],
    logger: Logger = log,
) -> GateOutcome:
    """Stage and validate one resource's batch; quarantine every blocked stream.

    Args:
        con: the build's connection (results go to ``meta.validation_results``).
        contract: the resource's contract (its table names the suite).
        group: the resource's spooled streams of this run.
        run_id / run_date: recorded on every result; freshness is judged at the run date.
        window: the dates the batch covers (every stream's window, merged).
        logger: where the outcome is logged (the flow passes its run logger).

    Returns:
        The quarantined streams (rows), the streams whose pages did not type, and the warnings.
    """
    # Typed once, in DuckDB: the staged batches are validated here and merged by the load.
    batch, drifted = stage_group(con, contract, group)
    result = expectations.validate_batch(
        contract, batch, run_id=run_id, run_date=run_date, window=window
    )
    record_validation(con, result.results)
    outcome = GateOutcome(warnings=_warnings(contract, result))
    for stream, exc in drifted.items():  # pages that do not type: nothing of them can load
        outcome.failed[stream] = str(exc)
        logger.error("%s %s not loaded: %s", contract.table, stream, exc)
    for spooled in group:
        reasons = result.blocked_streams.get(spooled.stream)
        if reasons:
            _quarantine(con, contract, spooled, run_id, reasons, outcome, logger)
    for warning in outcome.warnings:
        logger.warning(warning)
    logger.info("%s: %d expectations in %.2fs", contract.table, len(result.results), result.seconds)
    return outcome


def gate_bulk_load(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    group: list[SpooledStream],
    *,
    run_id: str,
    run_date: date,
    windows: dict[str, tuple[date, date]],
    logger: Logger = log,
    max_pages: int = BULK_PAGES,
) -> tuple[list[LoadResult], GateOutcome]:
    """Validate and load a high-volume resource's streams in one pass (:mod:`warehouse.bulk`).

    Each stream's pages go straight into its raw table, part by part; the GX suite checks
    every part as it lands, and the stream commits whole, only once every part passed. A
    blocked stream leaves nothing in the table and goes to quarantine, as :func:`gate_batch`
    does for the other sources; a stream whose pages do not type fails alone.

    Args:
        windows: each stream's requested dates, by stream.
        max_pages: pages per part (one gate call each).
        (the others as :func:`gate_batch`.)

    Returns:
        The loads, and what the gate did (quarantined and failed streams, warnings).
    """
    outcome = GateOutcome()
    results: list[LoadResult] = []
    for spooled in group:
        window = windows[spooled.stream]
        loaded = _bulk_stream(
            con, contract, spooled, (run_id, run_date, window), outcome, logger, max_pages
        )
        for result in loaded:
            log_load(logger, contract.table, result)
        results += loaded
    for warning in outcome.warnings:
        logger.warning(warning)
    return results, outcome


def _bulk_stream(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    run: tuple[str, date, tuple[date, date]],
    outcome: GateOutcome,
    logger: Logger,
    max_pages: int,
) -> list[LoadResult]:
    """Bulk-load one stream behind the gate; what the gate refused goes into ``outcome``.

    ``run`` is (run id, run date, the stream's window).
    """
    run_id, run_date, window = run
    verdicts: list[expectations.BatchValidation] = []

    def gate(batch) -> None:  # on bulk_load's gate thread
        verdict = expectations.validate_batch(
            contract, batch, run_id=run_id, run_date=run_date, window=window
        )
        verdicts.append(verdict)
        if verdict.blocked_streams:
            raise Blocked(verdict.blocked_streams)

    loaded: list[LoadResult] = []
    try:
        # The whole stream is one transaction: a refused part leaves none of it behind.
        loaded = bulk_load(
            con,
            contract,
            [spooled],
            run_id=run_id,
            window=window,
            gate=gate,
            max_pages=max_pages,
            commit_pages=len(spooled.files),
        )
    except Blocked as blocked:
        # A batch of one stream: its failures name it (or no stream, when the contract has
        # no stream column).
        reasons = [r for rs in blocked.reasons.values() for r in rs]
        _quarantine(con, contract, spooled, run_id, reasons, outcome, logger)
    except SchemaDriftError as exc:
        outcome.failed[spooled.stream] = str(exc)
        logger.error("%s %s not loaded: %s", contract.table, spooled.stream, exc)
    finally:
        for verdict in verdicts:
            record_validation(con, verdict.results)
    if verdicts:  # freshness is judged on the stream's last part: its newest rows
        outcome.warnings += _warnings(contract, verdicts[-1])
    return loaded


def gate_marts_results(con: duckdb.DuckDBPyConnection, *, run_id: str, run_date: date) -> list[str]:
    """Run the mart suites and record their results; a failed `block` expectation stops the
    publish.

    Returns:
        The failed `warn` expectations, as one line each.

    Raises:
        AuditError: naming every failed `block` expectation.
    """
    results = expectations.validate_marts(con, run_id=run_id, run_date=run_date)
    record_validation(con, results)
    blocked = {
        f"{r.suite}: {r.expectation}": r.rows_failed
        for r in results
        if not r.success and r.severity == "block"
    }
    if blocked:
        raise AuditError(blocked)
    return [f"{r.suite}: {r.reason}" for r in results if not r.success]


def _warnings(contract: LoadContract, verdict: expectations.BatchValidation) -> list[str]:
    return [f"{contract.table} {w.stream or ''} {w.reason}" for w in verdict.warnings]


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    contract: LoadContract,
    spooled: SpooledStream,
    run_id: str,
    reasons: list[str],
    outcome: GateOutcome,
    logger: Logger,
) -> None:
    """Move a blocked stream's rows to quarantine, and say so in the outcome and the log."""
    typed = as_parquet(con, contract, spooled)
    rows = quarantine_stream(con, contract, typed, run_id=run_id, reasons=reasons)
    outcome.quarantined[spooled.stream] = rows
    logger.error(
        "%s %s blocked, %d rows quarantined: %s", contract.table, spooled.stream, rows, reasons
    )


def log_load(logger: Logger, table: str, result: LoadResult) -> None:
    """One line per loaded stream: rows in, inserted, updated, and the new watermark."""
    logger.info(
        "%s %s: %d in, %d inserted, %d updated, watermark %s",
        table,
        result.stream,
        result.rows_in,
        result.rows_inserted,
        result.rows_updated,
        result.watermark,
    )
