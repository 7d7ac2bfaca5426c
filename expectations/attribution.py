"""Turn GX results into flat result rows, split per stream, and decide which streams are blocked.

Attribution rules:
  - a failed row-level expectation is charged to the streams of its bad rows (the engine
    hands over the bad rows per stream); each such stream gets its own row;
  - a failed table-level expectation that names its failing groups (``details.failed_groups``,
    as freshness does) is charged to those streams;
  - any other failure - schema, an expectation that could not even run, a bad row whose
    stream is null - is table-level: one row, and every stream of the batch is blocked;
  - a passing expectation is one row for the whole batch (stream None).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.expectations.expectation import Expectation

from expectations.bad_rows import Share
from expectations.results import BLOCK, WARN, ExpectationResult, Severity

OBSERVED_CHARS = 300  # observed_value is a sample, not a dump
SAMPLE_VALUES = 5
# Configuration keys that say nothing about what is checked.
_NOISE = {
    "batch_id",
    "result_format",
    "catch_exceptions",
    "meta",
    "notes",
    "id",
    "condition_parser",
    "description",
    "severity",
    "rendered_content",
    "column_types",  # the schema's dtypes: column_list already names the columns
}


@dataclass
class Verdict:
    """Result rows plus the blocking reasons per stream."""

    results: list[ExpectationResult] = field(default_factory=list)
    blocked: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Failure:
    """One failed expectation's share in one stream (stream None: the whole batch)."""

    stream: str | None
    observed: str
    checked: int
    failed: int
    reason: str


def describe(expectation: Expectation) -> str:
    """The expectation as ``type(key=value, ...)``, readable and free of colons.

    Parameters show by name (``min_value=$window_start``), so the text is the same every run.
    """
    parts = []
    for key, value in expectation.configuration.kwargs.items():
        if key in _NOISE or value is None:
            continue
        if key == "row_condition":
            value = repr(getattr(expectation, "row_condition", value))
        elif isinstance(value, dict) and "$PARAMETER" in value:
            value = f"${value['$PARAMETER']}"
        elif isinstance(value, dict):  # a schema shows its column names, a lag map its lags
            scalar = all(not isinstance(v, list | dict) for v in value.values())
            items = [f"{k}={v}" if scalar else str(k) for k, v in value.items()]
            value = "[" + ", ".join(items) + "]"
        elif isinstance(value, list | tuple):
            value = "[" + ", ".join(map(str, value)) + "]"
        parts.append(f"{key}={value}")
    return f"{expectation.expectation_type}({', '.join(parts)})".replace(":", "=")


def severity_of(expectation: Expectation) -> Severity:
    """``block`` unless the suite marked the expectation ``warn`` (unmarked means blocking)."""
    return WARN if (expectation.meta or {}).get("severity") == WARN else BLOCK


def _plain(value: Any) -> Any:
    """JSON stand-ins for what pandas hands back: numpy scalars, timestamps."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def short_json(value: Any) -> str:
    """``value`` as compact JSON, cut to :data:`OBSERVED_CHARS`."""
    text = json.dumps(value, default=_plain, separators=(",", ":"))
    return text if len(text) <= OBSERVED_CHARS else text[: OBSERVED_CHARS - 3] + "..."


def attribute(
    suite: str,
    expectations: list[Expectation],
    gx_results: list[ExpectationValidationResult],
    shares: dict[int, dict[Any, Share]],
    *,
    run_id: str,
    stream_column: str | None,
    stream_rows: dict[str, int],
    default_stream: str | None,
) -> Verdict:
    """Build the result rows of one suite run and the streams its block failures stop.

    Args:
        suite: the suite name.
        expectations: the suite's expectations, in the order of ``gx_results``.
        gx_results: GX results.
        shares: position -> bad rows per stream value, for the failed row-level expectations.
        run_id: the pipeline run.
        stream_column: the column naming a row's stream, or None.
        stream_rows: rows per stream in the batch.
        default_stream: the stream of a batch without a stream column (the resource name),
            or None for marts.

    Returns:
        The :class:`Verdict`.
    """
    verdict = Verdict()
    total = sum(stream_rows.values())
    every_stream = list(stream_rows) or ([default_stream] if default_stream else [])
    for position, (expectation, result) in enumerate(zip(expectations, gx_results, strict=True)):
        name, severity = describe(expectation), severity_of(expectation)
        column = expectation.configuration.kwargs.get("column")
        if result.success:
            failures = [_Failure(None, _observed(result), total, 0, "passed")]
        else:
            share = shares.get(position)
            failures = _failures(result, share, stream_column, default_stream, stream_rows)
        for f in failures:
            verdict.results.append(
                ExpectationResult(
                    run_id,
                    suite,
                    name,
                    column,
                    f.stream,
                    result.success,
                    f.observed,
                    severity,
                    f.checked,
                    f.failed,
                    f.reason,
                )
            )
            if not result.success and severity == BLOCK:
                for stream in [f.stream] if f.stream is not None else every_stream:
                    verdict.blocked.setdefault(stream, []).append(f"{name}: {f.reason}")
    return verdict


def _observed(result: ExpectationValidationResult) -> str:
    body = result.result or {}
    if "observed_value" in body:
        return short_json(body["observed_value"])
    return short_json({"unexpected": body.get("unexpected_count", 0)})


def _failures(
    result: ExpectationValidationResult,
    share: dict[Any, Share] | None,
    stream_column: str | None,
    default_stream: str | None,
    stream_rows: dict[str, int],
) -> list[_Failure]:
    """Split one failed result into its per-stream shares (or one whole-batch share)."""
    body = result.result or {}
    total = sum(stream_rows.values())
    whole_batch = [_Failure(None, _observed(result), total, total, _table_reason(result))]
    details = body.get("details") or {}
    if _exception(result):
        return whole_batch
    if "failed_groups" in details:  # freshness-style: the expectation names its streams
        newest, lags = body.get("observed_value") or {}, details.get("lag_days") or {}
        return [
            _Failure(
                group if stream_column else default_stream,
                short_json({group: newest.get(group)}),
                stream_rows.get(group, total),
                0,
                f"newest {newest.get(group)} is {lags.get(group)} days before {details['as_of']}",
            )
            for group in details["failed_groups"]
        ]
    if share is None:
        return whole_batch
    if stream_column is None:  # one stream: the resource (raw) or the whole mart
        rows = sum(part.rows for part in share.values())
        dates = [d for part in share.values() for d in part.dates][:SAMPLE_VALUES]
        reason = f"{rows} of {total} rows unexpected"
        return [_Failure(default_stream, _sample(rows, dates), total, rows, reason)]
    if any(not isinstance(stream, str) for stream in share):
        return whole_batch  # a bad row without a stream: nothing to charge but the batch
    return [
        _Failure(
            stream,
            _sample(part.rows, part.dates),
            stream_rows.get(stream, total),
            part.rows,
            f"{part.rows} of {stream_rows.get(stream, total)} rows unexpected",
        )
        for stream, part in share.items()
    ]


def _sample(rows: int, dates: list[Any]) -> str:
    return short_json({"rows": rows, "dates": dates[:SAMPLE_VALUES]})


def _exception(result: ExpectationValidationResult) -> str | None:
    """The message of an exception GX caught while validating, if there was one.

    GX reports it either flat (``{"raised_exception": True, ...}``) or, when a metric failed,
    nested under the metric's id.
    """
    info = result.exception_info or {}
    nested = [v for v in info.values() if isinstance(v, dict)]
    for candidate in (info, *nested):
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message") or "error").splitlines()[0]
    return None


def _table_reason(result: ExpectationValidationResult) -> str:
    message = _exception(result)
    if message:
        return f"could not run: {message}"[:OBSERVED_CHARS]
    body = result.result or {}
    if body.get("details"):
        return short_json(body["details"])
    if "unexpected_count" in body:
        return f"{body['unexpected_count']} of {body.get('element_count')} rows unexpected"
    return f"observed {short_json(body.get('observed_value'))}"
