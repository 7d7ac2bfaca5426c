"""Custom expectation: every DTS record_date carries exactly one TGA closing balance.

Which row holds the day's close depends on the era (see ``sources.treasury_dts.ERAS``
and staging/stg_treasury_tga.sql): the account name changed twice, and from 2022-04-18 the
close sits in ``open_today_bal`` of the "Closing Balance" row while ``close_today_bal`` is
null. A row counts as the close when its account name is its era's AND its era's balance
column is not null. A date with none (the close row is missing, or its balance is null) or
with two has no trustworthy TGA, so every row of that date fails.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)

from expectations.custom.sentence import MULTICOLUMN_DOMAIN_KEYS, RendersSentence
from sources.treasury_dts import ERAS

METRIC = "multicolumn_values.one_tga_closing_balance_per_date"


class MulticolumnValuesOneTgaClosingBalancePerDate(MulticolumnMapMetricProvider):
    """Row-wise: does this row's record_date have exactly one TGA closing balance?

    ``column_list`` is ``[record_date, account_type, close_today_bal, open_today_bal]``.
    """

    condition_metric_name = METRIC
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        return one_tga_close_per_date(column_list)


def one_tga_close_per_date(frame: pd.DataFrame) -> pd.Series:
    """The row-wise condition of :class:`ExpectEachRecordDateToHaveOneTgaClosingBalance`.

    Args:
        frame: record_date (datetime64), account_type, close_today_bal, open_today_bal.

    Returns:
        A boolean Series on ``frame``'s index: True for the rows of dates with one close.
    """
    day = frame["record_date"]
    is_close = pd.Series(False, index=frame.index)
    for era in ERAS:
        in_era = pd.Series(True, index=frame.index)
        if era.first_date is not None:
            in_era &= day >= pd.Timestamp(era.first_date)
        if era.last_date is not None:
            in_era &= day <= pd.Timestamp(era.last_date)
        named = (frame["account_type"] == era.account_type).fillna(False).astype(bool)
        is_close |= in_era & named & frame[era.balance_field].notna()
    closes_that_day = is_close.astype("int64").groupby(day).transform("sum")
    return (closes_that_day == 1).fillna(False).astype(bool)


class ExpectEachRecordDateToHaveOneTgaClosingBalance(RendersSentence, MulticolumnMapExpectation):
    """Expect exactly one TGA closing balance, by the DTS era rules, on every record_date.

    Args:
        column_list: ``[record_date, account_type, close_today_bal, open_today_bal]``.
    """

    # Every row counts: a day whose close row is missing still has its other rows.
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    sentence: ClassVar[str] = (
        "Every record_date has exactly one TGA closing balance by the DTS era rules ($column_list)."
    )
    map_metric: ClassVar[str] = METRIC
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)
    args_keys: ClassVar[tuple[str, ...]] = ("column_list",)
