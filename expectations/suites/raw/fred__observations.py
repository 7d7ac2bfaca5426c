"""Suite raw.fred__observations: FRED series observations, in each series' own unit.

Beyond the contract checks (see contract.py), all blocking unless marked:
  - levels (SERIES[...].is_level) are never negative; FRED's "." arrives as null and passes;
  - WALCL and WSHOMCB never jump more than 25 rolling standard deviations of their log
    change (window 26 weeks, floor 1%): real WALCL 2002-2026, the 2008 ramp and March 2020
    included, peaks at z = 10.4 and the synthetic market at 4.4, while a 1000x value put in
    any week of real WALCL scores at least z = 100. TGA (WDTGAL) and RRP are left out on
    purpose: debt-ceiling refills and the RRP's rise from zero are real multi-x moves;
  - freshness (warn), in business days: weekly H.4.1 series are dated Wednesday and published
    Thursday, so the newest is 6 business days old on the next Thursday morning and 7 when a
    holiday delays the release to Friday; RRPONTSYD is published the next morning: 4.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from expectations.custom import ExpectSeriesLevelsToNotJump
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec, block
from sources.fred import CONTRACT, SERIES

LEVEL_SERIES = [series for series, unit in SERIES.items() if unit.is_level]
JUMP_SERIES = ["WALCL", "WSHOMCB"]  # Fed balance-sheet levels: slow-moving by nature
WEEKLY_LAG_BUSINESS_DAYS = 7
DAILY_LAG_BUSINESS_DAYS = {"RRPONTSYD": 4}

# The jump test's settings; see the module docstring for how they were chosen.
JUMP_MAX_SIGMAS = 25.0
JUMP_WINDOW = 26
JUMP_MIN_STDEV = 0.01


def expectations() -> list[Expectation]:
    """The suite's expectations (contract checks first)."""
    series = Column("series_id")
    return [
        *contract_expectations(CONTRACT),
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=0,
            row_condition=series.is_in(LEVEL_SERIES),
            **block("a balance or a holding below zero is a sign or unit error"),
        ),
        ExpectSeriesLevelsToNotJump(
            column_list=["series_id", "date", "value"],
            max_sigmas=JUMP_MAX_SIGMAS,
            window=JUMP_WINDOW,
            min_stdev=JUMP_MIN_STDEV,
            row_condition=series.is_in(JUMP_SERIES),
            **block("a unit error (1000x) would reach fct_net_liquidity"),
        ),
        freshness(
            CONTRACT,
            max_lag_days=WEEKLY_LAG_BUSINESS_DAYS,
            max_lag_days_by_group=DAILY_LAG_BUSINESS_DAYS,
            business_days=True,
            why="H.4.1: Wednesday published Thursday; RRP: published the next morning",
        ),
    ]


SUITE = SuiteSpec(CONTRACT.table, expectations, CONTRACT.stream_key, CONTRACT.cursor)
