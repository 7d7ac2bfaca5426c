"""What a validation hands back: flat, small result rows and a batch's verdict per stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["block", "warn"]
BLOCK: Severity = "block"
WARN: Severity = "warn"


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation's outcome on a batch, or on one stream of it: a meta.validation_results row.

    Attributes:
        run_id: the pipeline run.
        suite: the suite, named after the table it guards (``raw.binance__klines``).
        expectation: the expectation type and its key arguments, readable and colon-free
            (``expect_key_to_be_unique(column_list=[symbol, open_time])``).
        column: the column checked, or None for table-level and multi-column checks.
        stream: the stream the row is about (a symbol, a series id, or the resource name for
            a source without streams); None when it sums up the whole batch.
        success: whether the expectation held.
        observed_value: what was seen, JSON-ish and short (a sample of bad values, a date).
        severity: ``block`` stops the stream's batch, ``warn`` only records.
        rows_checked: rows of the batch (or of the stream) the check looked at.
        rows_failed: rows that broke it (0 for table-level checks that passed).
        reason: one human line saying what happened.
    """

    run_id: str
    suite: str
    expectation: str
    column: str | None
    stream: str | None
    success: bool
    observed_value: str
    severity: Severity
    rows_checked: int
    rows_failed: int
    reason: str


@dataclass
class BatchValidation:
    """The verdict on one raw resource's batch.

    Attributes:
        suite: the suite that ran.
        results: every expectation's result; failures are split per stream.
        blocked_streams: stream -> reasons (``"<expectation>: <reason>"``) for each stream a
            failed ``block`` expectation stopped.
        warnings: the failed ``warn`` results (their rows still load).
        seconds: wall time of the validation, conversion included.
    """

    suite: str
    results: list[ExpectationResult] = field(default_factory=list)
    blocked_streams: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[ExpectationResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        """True when no ``block`` expectation failed."""
        return not self.blocked_streams
