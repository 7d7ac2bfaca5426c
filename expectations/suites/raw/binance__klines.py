"""Suite raw.binance__klines: finished daily candles of the crypto majors (UTC days).

Beyond the contract and bar checks (contract.py, bars.py), all blocking unless marked:
  - consecutive candles of a symbol are exactly 1 day apart: crypto trades every day, so a
    missing day is a truncated answer, not a holiday, and a second candle on one UTC day
    (even with another open time than the key's) is a duplicate bar;
  - freshness (warn): yesterday's candle is final just after midnight UTC; 2 days allows a
    late run.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.bars import bar_expectations
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from sources.binance import CONTRACT


def expectations() -> list[Expectation]:
    """The suite's expectations (contract checks first)."""
    return [
        *contract_expectations(CONTRACT),
        *bar_expectations(
            max_step=1,
            business_days=False,
            why_step="crypto trades every day: a missing day is a truncated answer",
        ),
        freshness(CONTRACT, max_lag_days=2, why="daily candles: final at 00:00 UTC"),
    ]


SUITE = SuiteSpec(CONTRACT.table, expectations, CONTRACT.stream_key, CONTRACT.cursor)
