"""Checks shared by the two daily-bar tables (Yahoo chart, Binance klines); all of them block.

- low <= open, close <= high: a bar that breaks this is corrupt, not volatile;
- low > 0 (with the above, every price is positive): a negative or zero price is a sign error
  or a missing value that became 0;
- volume >= 0;
- consecutive bars of a symbol are 1 to N days apart (the suites choose N and the calendar):
  a repeated date is a duplicate bar, a longer step a truncated answer.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from expectations.custom import ExpectBarPricesToBeOrdered, ExpectDatesToHaveNoGapsOrRepeats
from expectations.suites.spec import block


def bar_expectations(
    *, max_step: int, business_days: bool, why_step: str, stream_column: str = "symbol"
) -> list[Expectation]:
    """Price-order, positive-price, volume and date-step checks for a frame of OHLCV bars.

    Args:
        max_step: the largest step between consecutive bars of a symbol.
        business_days: count that step in Monday-Friday days (sessions).
        why_step: how ``max_step`` was chosen.
        stream_column: the column naming the instrument (``symbol``, ``product_id``, ``pair``).

    Returns:
        The expectations, all blocking.
    """
    return [
        ExpectBarPricesToBeOrdered(
            column_list=["open", "high", "low", "close"],
            **block("low <= open, close <= high holds for every real bar"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="low",
            min_value=0,
            strict_min=True,
            **block("a price at or below zero is a sign error or a lost value"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="volume", min_value=0, **block("traded volume cannot be negative")
        ),
        ExpectDatesToHaveNoGapsOrRepeats(
            column_list=[stream_column, "date"],
            max_step=max_step,
            business_days=business_days,
            **block(f"a repeated date is a duplicate bar; {why_step}"),
        ),
    ]
