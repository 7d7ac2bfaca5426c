"""Suite raw.yahoo__chart: daily bars of indices and ETFs, dated by the exchange's calendar.

Beyond the contract and bar checks (contract.py, bars.py):
  - consecutive bars of a symbol at most 5 sessions apart (block): the longest real closure
    since 1933 (after 9/11) is a 5-session step, Monday 9/10 -> Monday 9/17; sessions are
    counted Monday-Friday, so holidays only loosen the test;
  - freshness (warn): 4 days covers a long weekend (Friday's bar seen on Tuesday morning).
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.bars import bar_expectations
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from sources.yahoo_chart import CONTRACT

MAX_SESSION_STEP = 5


def expectations() -> list[Expectation]:
    """The suite's expectations (contract checks first)."""
    return [
        *contract_expectations(CONTRACT),
        *bar_expectations(
            max_step=MAX_SESSION_STEP,
            business_days=True,
            why_step="more than 5 missing sessions is lost data, not a closure",
        ),
        freshness(CONTRACT, max_lag_days=4, why="daily bars: Friday's bar by Tuesday"),
    ]


SUITE = SuiteSpec(CONTRACT.table, expectations, CONTRACT.stream_key, CONTRACT.cursor)
