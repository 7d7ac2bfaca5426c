"""Suite raw.binance__klines_1m: finished 1-minute candles (the backfill's large-volume table).

The contract checks (contract.py: schema, keys not null, a unique (symbol, open_time), dates
inside the window) and the bar price checks (bars.py: low <= open, close <= high, low > 0,
volume >= 0), all blocking. The daily-step check of the 1d table does not apply: a UTC day
holds 1440 minute candles. Freshness (warn): the last finished minute is at most a day old.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.bars import bar_expectations
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from sources.binance import CONTRACT_1M

DAILY_STEP_CHECKS = 1  # the last of bar_expectations: one bar per date, wrong for minutes


def expectations() -> list[Expectation]:
    """The suite's expectations (contract checks first)."""
    bars = bar_expectations(max_step=1, business_days=False, why_step="(not used for minutes)")
    return [
        *contract_expectations(CONTRACT_1M),
        *bars[:-DAILY_STEP_CHECKS],
        freshness(CONTRACT_1M, max_lag_days=1, why="minute candles: final a minute after open"),
    ]


SUITE = SuiteSpec(CONTRACT_1M.table, expectations, CONTRACT_1M.stream_key, CONTRACT_1M.cursor)
