"""The failure pass: which rows broke a row-level expectation, counted per stream.

The failed expectations run again as COMPLETE, with the stream and date columns copied into
a named pandas index and ``exclude_unexpected_values`` on. For index columns GX collects the
bad rows' values as whole lists; for ordinary ``unexpected_index_column_names`` it looks each
bad row up one by one, which took 55 s for a million bad rows here. Only the columns the
failed expectations read are handed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from great_expectations.core import ExpectationSuite
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.expectations.expectation import Expectation
from great_expectations.validator.v1_validator import Validator as V1Validator

from expectations.tuning import memoized

# Index names the stream and date columns get (GX reports bad rows by them).
STREAM_INDEX = "stream"
DATE_INDEX = "row_date"
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class Share:
    """One stream's part in a failed row-level expectation."""

    rows: int
    dates: list[Any]  # the first few bad rows' dates (empty when the table has none)


def bad_rows(
    batch_definition: BatchDefinition,
    frame: pd.DataFrame,
    failed: ExpectationSuite,
    parameters: dict[str, Any],
    *,
    index: tuple[str | None, str | None],
) -> list[ExpectationValidationResult]:
    """Re-run the failed row-level expectations as COMPLETE, naming each bad row's stream/date.

    Args:
        batch_definition: the engine's whole-frame batch definition.
        frame: the batch as validated.
        failed: the failed expectations (ids set, so results map back).
        parameters: the suite parameters of the first pass.
        index: the (stream column, date column) to report bad rows by; either may be None.

    Returns:
        GX's results; ``unexpected_index_list`` holds one dict of lists, see
        :func:`split_by_stream`.
    """
    sources = {STREAM_INDEX: index[0], DATE_INDEX: index[1]}
    named = {alias: c for alias, c in sources.items() if c and c in frame.columns}
    # Only the columns the failed expectations read (what GX copies and filters).
    needed = _columns_read(failed.expectations)
    narrow = frame[[c for c in frame.columns if c in needed]] if needed else frame
    indexed = narrow.set_index([frame[c].rename(alias) for alias, c in named.items()])
    validator = V1Validator(
        batch_definition,
        batch_parameters={"dataframe": indexed} if named else {"dataframe": frame},
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": list(named),
            "exclude_unexpected_values": True,
        },
    )
    with memoized():
        return validator.validate_expectation_suite(failed, parameters).results


def _columns_read(expectations: list[Expectation]) -> set[str] | None:
    """Every column the expectations read, or None when a row condition hides some (a string)."""
    columns: set[str] = set()
    for expectation in expectations:
        kwargs = expectation.configuration.kwargs
        for key in ("column", "column_A", "column_B"):
            if kwargs.get(key):
                columns.add(kwargs[key])
        columns.update(kwargs.get("column_list") or [])
        condition = getattr(expectation, "row_condition", None)
        if isinstance(condition, str):
            return None
        columns.update(_condition_columns(condition))
    return columns


def _condition_columns(condition: Any) -> set[str]:
    """Column names inside a GX row condition (Column comparisons, AND/OR groups)."""
    if condition is None:
        return set()
    if hasattr(condition, "conditions"):
        return set().union(*(_condition_columns(c) for c in condition.conditions))
    column = getattr(condition, "column", None)
    return {column.name} if column is not None else set()


def split_by_stream(result: ExpectationValidationResult) -> dict[Any, Share] | None:
    """Bad rows per stream value (None: no stream index), or None when GX gave no rows.

    The result's lists are trimmed to a few entries afterwards, so the copy kept for Data
    Docs stays small however many rows failed.
    """
    entries = (result.result or {}).get("unexpected_index_list")
    if not entries or not isinstance(entries[0], dict):
        return None
    columns: dict[str, list[Any]] = entries[0]
    dates = columns.get(DATE_INDEX) or []
    streams = columns.get(STREAM_INDEX) or [None] * len(dates)
    by_stream: dict[Any, list[Any]] = {}
    for stream, day in zip(streams, dates or [None] * len(streams), strict=True):
        by_stream.setdefault(stream, []).append(day)
    result.result["unexpected_index_list"] = [{k: v[:SAMPLE_ROWS] for k, v in columns.items()}]
    return {s: Share(len(days), days[:SAMPLE_ROWS]) for s, days in by_stream.items()}
