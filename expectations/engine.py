"""The process's one GX context, built once, and how a batch is validated with it (in two passes).

GX setup is slow (the import alone takes seconds), so everything here is built on first use
and reused. The context is ephemeral: stores live in memory, nothing is written to the home
directory, analytics and progress bars are off. Data Docs are written only where
:func:`expectations.docs.build_data_docs` is told to.

Why two passes. GX's cost here is mostly per expectation rather than per row, and it grows
with the result format. So row-level (map) expectations first run as BOOLEAN_ONLY; only those
that fail run again as COMPLETE with the stream and date as ``unexpected_index_column_names``,
which names the stream of every bad row (see expectations/bad_rows.py). Table-level expectations
run once as SUMMARY, for their observed values. A clean batch - the normal night - pays for
the cheap pass only; bench/RESULTS.md compares this with one COMPLETE pass and with one
validation per stream.
"""

from __future__ import annotations

import threading
from collections import deque
from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import great_expectations as gx
import pandas as pd
from great_expectations.core import ExpectationSuite
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations.expectation import Expectation
from great_expectations.validator.v1_validator import Validator as V1Validator

import expectations.custom  # noqa: F401  (registers the custom expectations and metrics)
from expectations.bad_rows import Share, bad_rows, split_by_stream
from expectations.suites import MART_SUITES, RAW_SUITES, SuiteSpec
from expectations.tuning import memoized, tune_gx

DATASOURCE = "batches"
ASSET = "frame"
BATCH_DEFINITION = "whole_frame"
KEPT_RESULTS = 500  # suite results kept until Data Docs are built; older ones are dropped


@dataclass
class Suite:
    """A suite's expectations, split by how they are first validated."""

    spec: SuiteSpec
    expectations: list[Expectation]
    keys: list[str]  # a stable id per expectation (GX requires a UUID)
    rows: ExpectationSuite  # map expectations: BOOLEAN_ONLY first
    table: ExpectationSuite  # table-level expectations: SUMMARY once


@dataclass(frozen=True)
class KeptResult:
    """One suite run, kept until Data Docs are built."""

    suite: str
    run_id: str
    at: datetime
    parameters: dict[str, Any]
    results: list[ExpectationValidationResult]


@dataclass
class Engine:
    """The GX context, its one batch definition, and every suite."""

    context: EphemeralDataContext
    batch_definition: BatchDefinition
    suites: dict[str, Suite]
    lock: threading.RLock = field(default_factory=threading.RLock)
    kept: deque[KeptResult] = field(default_factory=lambda: deque(maxlen=KEPT_RESULTS))
    stored: deque[Any] = field(default_factory=deque)  # store keys of the last docs build


@dataclass
class SuiteRun:
    """One suite's results on one frame, in suite order, with the expectations they belong to.

    ``shares`` maps the position of each failed row-level expectation to its bad rows per
    stream value (a None key when the suite has no stream column).
    """

    expectations: list[Expectation]
    results: list[ExpectationValidationResult]
    shares: dict[int, dict[Any, Share]] = field(default_factory=dict)


def _is_row_level(expectation: Expectation) -> bool:
    return getattr(expectation, "map_metric", None) is not None


def _context() -> EphemeralDataContext:
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _keyed_suite(name: str, keyed: list[tuple[str, Expectation]]) -> ExpectationSuite:
    """A suite of copies whose ids are their keys: GX sorts results by column, ids map back."""
    suite = ExpectationSuite(name=name, expectations=[copy(e) for _, e in keyed])
    for (key, _), expectation in zip(keyed, suite.expectations, strict=True):
        expectation.id = key
    return suite


def _register(context: EphemeralDataContext, spec: SuiteSpec) -> Suite:
    built = spec.build()
    # The full suite is what Data Docs show; the two halves are what validation runs.
    context.suites.add(ExpectationSuite(name=spec.name, expectations=[copy(e) for e in built]))
    keys = [str(uuid5(NAMESPACE_URL, f"{spec.name}#{i}")) for i in range(len(built))]
    keyed = list(zip(keys, built, strict=True))
    return Suite(
        spec,
        built,
        keys,
        _keyed_suite(f"{spec.name}.rows", [(k, e) for k, e in keyed if _is_row_level(e)]),
        _keyed_suite(f"{spec.name}.table", [(k, e) for k, e in keyed if not _is_row_level(e)]),
    )


_BUILDING = threading.Lock()  # two first callers on two threads must not build two contexts


@cache
def _build() -> Engine:
    tune_gx()
    context = _context()
    asset = context.data_sources.add_pandas(DATASOURCE).add_dataframe_asset(ASSET)
    batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
    suites = {
        name: _register(context, spec) for name, spec in {**RAW_SUITES, **MART_SUITES}.items()
    }
    return Engine(context, batch_definition, suites)


def engine() -> Engine:
    """The process's engine: the context, the batch definition and every suite, built once.

    Returns:
        The shared :class:`Engine`.
    """
    with _BUILDING:
        return _build()


def reset_engine() -> None:
    """Forget the engine; the next :func:`engine` call builds a new context (tests use this)."""
    with _BUILDING:
        _build.cache_clear()


def run_suite(
    name: str,
    frame: pd.DataFrame,
    *,
    parameters: dict[str, Any],
    run_id: str,
) -> SuiteRun:
    """Validate ``frame`` against suite ``name`` and keep the result for Data Docs.

    Args:
        name: a suite name, e.g. ``raw.binance__klines``.
        frame: the batch, already converted by :func:`expectations.frames.to_pandas`.
        parameters: values for the suite's ``$PARAMETER`` placeholders.
        run_id: the pipeline run, used as the GX run name.

    Returns:
        Every expectation's result in suite order, and for each failed row-level one its
        bad rows per stream (see :class:`SuiteRun`).

    Raises:
        KeyError: for an unknown suite name.
    """
    eng = engine()
    suite = eng.suites[name]
    with eng.lock:
        # One validator for both passes: GX loads (and fingerprints) the frame once.
        validator = V1Validator(
            eng.batch_definition, batch_parameters={"dataframe": frame}, result_format="SUMMARY"
        )
        by_key: dict[str, ExpectationValidationResult] = {}
        for half, result_format in ((suite.rows, "BOOLEAN_ONLY"), (suite.table, "SUMMARY")):
            validator.result_format = result_format
            with memoized():
                done = validator.validate_expectation_suite(half, parameters)
            by_key |= {r.expectation_config.id: r for r in done.results}
        failed = [(e.id, e) for e in suite.rows.expectations if not by_key[e.id].success]
        shares = {}
        if failed:
            again = _keyed_suite(f"{name}.failed", failed)
            index = (suite.spec.stream_column, suite.spec.date_column)
            detail = bad_rows(eng.batch_definition, frame, again, parameters, index=index)
            by_key |= {r.expectation_config.id: r for r in detail}
            shares = {r.expectation_config.id: split_by_stream(r) for r in detail}
        ordered = [by_key[key] for key in suite.keys]
        _store(eng, name, ordered, run_id, parameters)
    return SuiteRun(
        suite.expectations,
        ordered,
        {i: shares[key] for i, key in enumerate(suite.keys) if shares.get(key) is not None},
    )


def _store(
    eng: Engine,
    name: str,
    results: list[ExpectationValidationResult],
    run_id: str,
    parameters: dict[str, Any],
) -> None:
    """Keep a suite result for Data Docs (serialised into GX's store only when docs are built)."""
    eng.kept.append(KeptResult(name, run_id, datetime.now(UTC), parameters, results))
