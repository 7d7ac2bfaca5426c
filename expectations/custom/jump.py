"""Custom expectation: a level series never jumps far outside its own recent volatility.

The test works on log changes, per stream, in date order:

    d_t = ln(v_t) - ln(v_{t-1})
    z_t = |d_t - mean(d over the previous `window` changes)| / max(stdev(same), min_stdev)

and a row fails when ``z_t > max_sigmas`` or its level is not positive. Log changes make the
test scale-free (WALCL in USD mn and RRP in USD bn need no separate settings), and measuring
the change against the series' own recent spread lets a crisis ramp pass once it is under
way while a one-off unit error - a ln(1000) = 6.9 log step - fails in any regime. The floor
``min_stdev`` keeps a very calm stretch (or a batch too short to have a history, when fewer
than ``min_periods`` earlier changes exist) from turning a normal week into a "jump".

Only the row where the jump lands fails: the way back down is measured against a window that
now holds the jump, so it passes. When the bad value is the first row of a batch, the next
row fails instead; either way the stream is the one blocked.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
import polars as pl
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)

from expectations.custom.sentence import MULTICOLUMN_DOMAIN_KEYS, RendersSentence

METRIC = "multicolumn_values.within_rolling_jump"


class MulticolumnValuesWithinRollingJump(MulticolumnMapMetricProvider):
    """Row-wise: is this level's log change within ``max_sigmas`` of its stream's recent ones?

    ``column_list`` is ``[stream column, date column, level column]``, in that order.
    """

    condition_metric_name = METRIC
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("max_sigmas", "window", "min_stdev", "min_periods")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        return within_rolling_jump(
            column_list,
            max_sigmas=kwargs["max_sigmas"],
            window=kwargs["window"],
            min_stdev=kwargs["min_stdev"],
            min_periods=kwargs["min_periods"],
        )


def within_rolling_jump(
    frame: pd.DataFrame, *, max_sigmas: float, window: int, min_stdev: float, min_periods: int
) -> pd.Series:
    """The row-wise condition of :class:`ExpectSeriesLevelsToNotJump`.

    Args:
        frame: three columns, stream / date / level, in any row order.
        max_sigmas / window / min_stdev / min_periods: as on the expectation.

    Returns:
        A boolean Series on ``frame``'s index: True where the row passes.
    """
    group, order, value = frame.columns
    # Polars: a grouped rolling spread is ~10x faster than pandas' groupby().rolling().
    table = pl.DataFrame(
        {
            "group": frame[group].astype("string").to_numpy(),
            "order": frame[order].to_numpy(dtype="datetime64[ns]"),
            "level": frame[value].to_numpy(dtype="float64"),
            "row": np.arange(len(frame)),
        }
    ).sort("group", "order", maintain_order=True)
    positive = pl.col("level") > 0
    # log of a non-positive level is null, not -inf, so the next row is judged afresh
    change = pl.when(positive).then(pl.col("level").log()).diff().over("group")
    history = change.shift(1).over("group")
    spread = {"window_size": window, "min_samples": min_periods}
    judged = table.with_columns(
        change=change,
        stdev=history.rolling_std(**spread).over("group"),
        mean=history.rolling_mean(**spread).over("group"),
    ).with_columns(
        z=(pl.col("change") - pl.col("mean").fill_null(0.0)).abs()
        / pl.max_horizontal(pl.col("stdev").fill_null(min_stdev), pl.lit(min_stdev))
    )
    # A first row has no change (z is null): it passes. A non-positive level cannot be judged
    # on a log scale and is not a level a balance sheet can have: it fails.
    ok = positive & (pl.col("z").fill_nan(None).fill_null(0.0) <= max_sigmas)
    passes = judged.select("row", ok.alias("ok")).sort("row")["ok"].to_numpy()
    return pd.Series(passes, index=frame.index)


class ExpectSeriesLevelsToNotJump(RendersSentence, MulticolumnMapExpectation):
    """Expect no level to jump more than ``max_sigmas`` rolling standard deviations.

    Args:
        column_list: ``[stream column, date column, level column]``.
        max_sigmas: how many rolling standard deviations of log change a step may be.
        window: how many earlier changes of the same stream make the rolling spread.
        min_stdev: floor on that spread, in log units (0.01 = a 1% move).
        min_periods: earlier changes needed before the rolling spread is used at all.

    Rows whose level is null are skipped (``ignore_row_if="any_value_is_missing"``): a FRED
    "." is a missing observation, not a jump.
    """

    max_sigmas: float
    window: int
    min_stdev: float = 0.01
    min_periods: int = 4
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = (
        "any_value_is_missing"
    )

    sentence: ClassVar[str] = (
        "Per $column_list, no log change beyond $max_sigmas rolling standard "
        "deviations (window $window changes, floor $min_stdev)."
    )
    map_metric: ClassVar[str] = METRIC
    success_keys: ClassVar[tuple[str, ...]] = (
        "mostly",
        "max_sigmas",
        "window",
        "min_stdev",
        "min_periods",
    )
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "max_sigmas", "window")
