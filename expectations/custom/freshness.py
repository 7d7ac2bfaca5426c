"""Custom expectation: each stream's newest date is within its publication lag of the run's date.

``as_of`` is min(run date, window end), passed per run as the suite parameter ``as_of``; the
lag is the source's: how old its newest observation may be on a normal day (a weekly H.4.1
series dated Wednesday and published Thursday is 8 days old on the next Thursday morning).
Lags can differ per stream (``max_lag_days_by_group``): FRED mixes weekly and daily series.
A stream past its lag is reported by name in ``details.failed_groups``. Suites give this
expectation severity ``warn``: a holiday or a late release is not an outage.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider
from great_expectations.expectations.model_field_types import ConditionParser
from great_expectations.expectations.row_conditions import RowConditionType

from expectations.custom.sentence import RendersSentence

METRIC = "table.newest_date_by_group"
ALL_ROWS = "*"  # the group name when the table has no stream column


class TableNewestDateByGroup(TableMetricProvider):
    """The newest ``date_column`` value per ``group_column`` value, as ISO dates."""

    metric_name = METRIC
    value_keys = ("date_column", "group_column")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        execution_engine: PandasExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, str]:
        df, _, _ = execution_engine.get_compute_domain(
            domain_kwargs=metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        dates = pd.to_datetime(df[metric_value_kwargs["date_column"]])
        group = metric_value_kwargs.get("group_column")
        newest = dates.groupby(df[group]).max() if group else pd.Series({ALL_ROWS: dates.max()})
        return {str(k): v.date().isoformat() for k, v in newest.dropna().items()}


def lag_days(newest: date, as_of: date, *, business_days: bool) -> int:
    """How many days (or Monday-Friday days) ``as_of`` is after ``newest``.

    Args:
        newest: the newest date seen.
        as_of: the date freshness is judged at.
        business_days: count only Monday-Friday days.

    Returns:
        The lag; 0 or negative when ``newest`` is on or after ``as_of``.
    """
    if business_days:
        return int(np.busday_count(newest, as_of))
    return (as_of - newest).days


class ExpectNewestDateToBeRecent(RendersSentence, BatchExpectation):
    """Expect every stream's newest date to be at most ``max_lag_days`` before ``as_of``.

    Args:
        date_column: the date to judge.
        group_column: the stream column, or None when the table is one stream.
        as_of: ISO date (normally ``{"$PARAMETER": "as_of"}``).
        max_lag_days: the source's publication lag.
        max_lag_days_by_group: a different lag for some streams.
        business_days: count the lag in Monday-Friday days (business-day sources).
    """

    date_column: str
    group_column: str | None = None
    as_of: str | SuiteParameterDict
    max_lag_days: int
    max_lag_days_by_group: dict[str, int] = pydantic.Field(default_factory=dict)
    business_days: bool = False
    row_condition: RowConditionType = None
    condition_parser: ConditionParser | None = None

    sentence: ClassVar[str] = (
        "Per $group_column, the newest $date_column is at most $max_lag_days days "
        "(business days only: $business_days) before $as_of; other lags: "
        "$max_lag_days_by_group."
    )
    metric_dependencies: ClassVar[tuple[str, ...]] = (METRIC,)
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "row_condition", "condition_parser")
    success_keys: ClassVar[tuple[str, ...]] = (
        "date_column",
        "group_column",
        "as_of",
        "max_lag_days",
        "max_lag_days_by_group",
        "business_days",
    )
    args_keys: ClassVar[tuple[str, ...]] = ("date_column", "max_lag_days")

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        newest: dict[str, str] = metrics[METRIC]
        kwargs = self._get_success_kwargs()
        as_of = date.fromisoformat(str(kwargs["as_of"])[:10])
        limits = {g: kwargs["max_lag_days_by_group"].get(g, kwargs["max_lag_days"]) for g in newest}
        lags = {
            group: lag_days(
                date.fromisoformat(day), as_of, business_days=bool(kwargs["business_days"])
            )
            for group, day in newest.items()
        }
        stale = sorted(group for group, lag in lags.items() if lag > limits[group])
        return {
            "success": not stale,
            "result": {
                "observed_value": newest,
                "details": {
                    "failed_groups": stale,
                    "lag_days": lags,
                    "max_lag_days": limits,
                    "as_of": as_of.isoformat(),
                },
            },
        }
