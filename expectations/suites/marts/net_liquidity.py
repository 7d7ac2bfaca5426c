"""Checks shared by the daily and weekly net-liquidity marts; all of them block the publish.

- date is never null;
- net_liquidity_usd_bn lies within 1,000-12,000 bn where it is not null: US net liquidity
  has stayed within about 1,500-7,000 bn since 2008, so a value outside is a unit or sign
  error upstream (a 1000x WALCL alone would put it near 7,000,000).
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from expectations.suites.spec import block

NET_LIQUIDITY_MIN_USD_BN = 1_000
NET_LIQUIDITY_MAX_USD_BN = 12_000


def net_liquidity_expectations() -> list[Expectation]:
    """Date and plausibility checks for a net-liquidity mart."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="date", **block("the grain is one row per date")),
        gxe.ExpectColumnValuesToBeBetween(
            column="net_liquidity_usd_bn",
            min_value=NET_LIQUIDITY_MIN_USD_BN,
            max_value=NET_LIQUIDITY_MAX_USD_BN,
            **block("outside 1,000-12,000 bn net liquidity is a unit or sign error"),
        ),
    ]
