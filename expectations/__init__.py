"""The data quality gate: GX suites for the raw tables and marts, and the SQL audits (audits/).

``ExpectationResult`` and ``BatchValidation`` are plain dataclasses. The GX-backed functions
are imported on first use, because importing Great Expectations takes several seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from expectations.results import BatchValidation, ExpectationResult

if TYPE_CHECKING:
    from expectations.docs import build_data_docs
    from expectations.validate import validate_batch, validate_marts

_LAZY = {
    "validate_batch": "expectations.validate",
    "validate_marts": "expectations.validate",
    "build_data_docs": "expectations.docs",
}

__all__ = [
    "BatchValidation",
    "ExpectationResult",
    "build_data_docs",
    "validate_batch",
    "validate_marts",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")
