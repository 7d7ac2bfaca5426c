"""Checks every raw suite starts with, derived from the table's load contract.

All of them block:
  - schema (columns in order, with their dtypes): the MERGE and the raw table are built from
    the contract, so a batch of another shape cannot load correctly; this fails the batch;
  - no null in a key column (the natural key, the stream column, the cursor date): MERGE
    matches on the key, and a null never matches;
  - a unique natural key: MERGE keeps one row of a duplicated key and drops the other silently;
  - cursor dates inside the requested window: the source ignored the query, so nothing else in
    the answer can be trusted either (and the watermark would jump).
Freshness is the one check every raw suite adds as a warning (see :func:`freshness`).
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from expectations.custom import (
    ExpectKeyToBeUnique,
    ExpectNewestDateToBeRecent,
    ExpectTableSchemaToMatch,
)
from expectations.frames import pandas_dtypes
from expectations.suites.spec import block, warn
from rotation_kernel.contract import LoadContract

# Suite parameters every raw batch supplies (see expectations.validate).
WINDOW_START = {"$PARAMETER": "window_start"}
WINDOW_END = {"$PARAMETER": "window_end"}
AS_OF = {"$PARAMETER": "as_of"}


def key_columns(contract: LoadContract) -> list[str]:
    """The natural key, plus the stream column and the cursor when they are not part of it.

    The cursor counts as a key: the watermark is its max, and a row without a date cannot be
    placed in a window (Binance's key is open_time, its cursor the UTC date).
    """
    extra = [c for c in (contract.stream_key, contract.cursor) if c]
    return list(dict.fromkeys([*contract.primary_key, *extra]))


def contract_expectations(contract: LoadContract) -> list[Expectation]:
    """Schema, key and window checks for a raw table's batch.

    Args:
        contract: the raw table's load contract.

    Returns:
        The expectations, in the order they read best in Data Docs.
    """
    return [
        ExpectTableSchemaToMatch(
            column_list=list(contract.schema),
            column_types={name: pandas_dtypes(dtype) for name, dtype in contract.schema.items()},
            **block("raw tables and the MERGE are built from the contract's columns and types"),
        ),
        *(
            gxe.ExpectColumnValuesToNotBeNull(
                column=column, **block("MERGE matches on the key; a null key never matches")
            )
            for column in key_columns(contract)
        ),
        ExpectKeyToBeUnique(
            column_list=list(contract.primary_key),
            **block("MERGE would keep one row of a duplicated key and drop the other"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column=contract.cursor,
            min_value=WINDOW_START,
            max_value=WINDOW_END,
            **block("dates outside the requested window: the source ignored the query"),
        ),
    ]


def freshness(
    contract: LoadContract,
    *,
    max_lag_days: int,
    max_lag_days_by_group: dict[str, int] | None = None,
    business_days: bool = False,
    why: str,
) -> Expectation:
    """The freshness warning: each stream's newest cursor date is within the source's lag.

    Args:
        contract: the raw table's load contract.
        max_lag_days: the source's publication lag.
        max_lag_days_by_group: other lags for some streams (FRED mixes weekly and daily).
        business_days: count the lag in Monday-Friday days.
        why: how the lag was chosen.

    Returns:
        An :class:`ExpectNewestDateToBeRecent` with severity ``warn``.
    """
    return ExpectNewestDateToBeRecent(
        date_column=contract.cursor,
        group_column=contract.stream_key,
        as_of=AS_OF,
        max_lag_days=max_lag_days,
        max_lag_days_by_group=max_lag_days_by_group or {},
        business_days=business_days,
        **warn(f"{why}; a holiday or a late release is not an outage"),
    )
