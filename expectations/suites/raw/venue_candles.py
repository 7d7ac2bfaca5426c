"""Suites raw.coinbase__candles and raw.kraken__ohlc: the fallback crypto venues' daily candles.

They guard the same facts as raw.binance__klines, since either can stand in for it:
  - the contract checks (schema, keys, window) and the OHLCV bar checks, all blocking;
  - consecutive candles exactly 1 day apart (crypto trades every day);
  - freshness (warn): the last finished UTC day is at most 2 days old.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.bars import bar_expectations
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from rotation_kernel.contract import LoadContract
from sources import coinbase, kraken


def candle_suite(contract: LoadContract) -> SuiteSpec:
    """A fallback venue's suite: contract, bars, 1-day steps, freshness."""

    def expectations() -> list[Expectation]:
        return [
            *contract_expectations(contract),
            *bar_expectations(
                max_step=1,
                business_days=False,
                why_step="crypto trades every day: a missing day is a truncated answer",
                stream_column=contract.stream_key or "symbol",
            ),
            freshness(contract, max_lag_days=2, why="daily candles: final at 00:00 UTC"),
        ]

    return SuiteSpec(contract.table, expectations, contract.stream_key, contract.cursor)


COINBASE = candle_suite(coinbase.CONTRACT)
KRAKEN = candle_suite(kraken.CONTRACT)
