"""What a suite is (table, frame, stream column) and the severity each expectation carries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from great_expectations.expectations.expectation import Expectation

from expectations.results import BLOCK, WARN, Severity


@dataclass(frozen=True)
class SuiteSpec:
    """One GX suite, named after the table it guards.

    Attributes:
        name: the guarded table, e.g. ``raw.fred__observations`` (also the GX suite name).
        build: returns the suite's expectations (built once per process).
        stream_column: the column failures are attributed by, or None.
        date_column: the row's date, shown beside each bad row's values.
        query: marts only: the SELECT that reads the table into the validated frame.
    """

    name: str
    build: Callable[[], list[Expectation]]
    stream_column: str | None
    date_column: str
    query: str | None = None


def _severity(level: Severity, why: str) -> dict[str, Any]:
    # notes show up beside the expectation in Data Docs; meta travels with every result.
    return {"meta": {"severity": level}, "notes": why}


def block(why: str) -> dict[str, Any]:
    """Keyword arguments that make an expectation blocking, with the reason it must block.

    Args:
        why: one line: what loading the bad rows would break.

    Returns:
        ``meta`` and ``notes`` for the expectation's constructor.
    """
    return _severity(BLOCK, why)


def warn(why: str) -> dict[str, Any]:
    """Keyword arguments that make an expectation a warning, with the reason it only warns.

    Args:
        why: one line: why the rows are still worth loading.

    Returns:
        ``meta`` and ``notes`` for the expectation's constructor.
    """
    return _severity(WARN, why)
