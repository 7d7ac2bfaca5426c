"""Suite raw.binance_archive__klines: daily candles of every archived USDT and BTC pair."""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.bars import bar_expectations
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from sources.binance_archive import CONTRACT

# A symbol can be delisted and listed again (LUNAUSDT, 2022-05): a gap in its days is real.
# The step check still catches a repeated day; a listing gap of 10 years is never drift.
MAX_LISTING_GAP_DAYS = 3650


def expectations() -> list[Expectation]:
    """The contract checks (schema, non-null key, unique (symbol, open_time), dates in the
    window), the bar checks (OHLC ordered, positive prices, volume >= 0, one candle a day per
    symbol) and freshness (warn): the archive publishes a day's file the next day."""
    return [
        *contract_expectations(CONTRACT),
        *bar_expectations(
            max_step=MAX_LISTING_GAP_DAYS,
            business_days=False,
            why_step="gaps are delistings (LUNA 2022-05), not drift",
        ),
        freshness(CONTRACT, max_lag_days=3, why="daily files: published the day after"),
    ]


SUITE = SuiteSpec(CONTRACT.table, expectations, CONTRACT.stream_key, CONTRACT.cursor)
