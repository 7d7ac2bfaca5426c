"""Custom expectation: consecutive dates of each stream are 1 to N days (or sessions) apart.

A step is measured from one row's date to the next row's date of the same stream:
  - in calendar days (crypto trades every UTC day: a step of 2 is a missing day);
  - or in business days, Monday to Friday (numpy's ``busday_count``), as an approximation of
    exchange sessions: holidays count as sessions, which only makes the test more lenient
    by the odd day; a Friday -> Monday step is 1.
A step of 0 is the same date twice: a duplicate bar. The row after a gap (or the repeat) is
the one that fails, so the problem is charged to the stream it is in.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)

from expectations.custom.sentence import MULTICOLUMN_DOMAIN_KEYS, RendersSentence

METRIC = "multicolumn_values.date_step_within"


class MulticolumnValuesDateStepWithin(MulticolumnMapMetricProvider):
    """Row-wise: is this date 1 to ``max_step`` days after the previous date of its stream?

    ``column_list`` is ``[stream column, date column]``.
    """

    condition_metric_name = METRIC
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("max_step", "business_days")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        return date_step_within(
            column_list, max_step=kwargs["max_step"], business_days=kwargs["business_days"]
        )


def stream_date_order(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Row positions ordered by (stream, date).

    Batches arrive stream after stream, each in date order, so the common case is checked
    for in O(n) and the O(n log n) sort only runs when rows really are interleaved.
    """
    n = len(codes)
    positions = np.arange(n)
    if n < 2:
        return positions
    new_block = codes[1:] != codes[:-1]
    one_block_per_stream = int(new_block.sum()) + 1 == len(np.unique(codes))
    if one_block_per_stream and bool(np.all(new_block | (days[1:] >= days[:-1]))):
        return positions
    return np.lexsort((days, codes))


def date_step_within(frame: pd.DataFrame, *, max_step: int, business_days: bool) -> pd.Series:
    """The row-wise condition of :class:`ExpectDatesToHaveNoGapsOrRepeats`.

    Args:
        frame: two columns, stream / date (datetime64), in any row order.
        max_step: the largest allowed step.
        business_days: count Monday-Friday days instead of calendar days.

    Returns:
        A boolean Series on ``frame``'s index: True where the row passes.
    """
    group, order = frame.columns
    codes, _ = pd.factorize(frame[group])
    days = frame[order].to_numpy(dtype="datetime64[D]")
    position = stream_date_order(codes, days)
    codes, days = codes[position], days[position]
    first = np.ones(len(codes), dtype=bool)
    first[1:] = codes[1:] != codes[:-1]
    before = np.where(first, days, np.roll(days, 1))
    steps = np.busday_count(before, days) if business_days else (days - before).astype(np.int64)
    later = days > before  # by calendar: a weekend date is 0 business days after Friday
    passes = np.empty(len(codes), dtype=bool)
    passes[position] = first | (later & (steps <= max_step))
    return pd.Series(passes, index=frame.index)


class ExpectDatesToHaveNoGapsOrRepeats(RendersSentence, MulticolumnMapExpectation):
    """Expect each stream's consecutive dates to be 1 to ``max_step`` days apart.

    Args:
        column_list: ``[stream column, date column]``.
        max_step: the largest allowed step between consecutive dates of one stream.
        business_days: measure steps in Monday-Friday days (sessions) instead of calendar days.
    """

    max_step: int
    business_days: bool = False
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = (
        "any_value_is_missing"
    )

    sentence: ClassVar[str] = (
        "Per $column_list, consecutive dates are 1 to $max_step days apart "
        "(business days only: $business_days); no date appears twice."
    )
    map_metric: ClassVar[str] = METRIC
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "max_step", "business_days")
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "max_step")
