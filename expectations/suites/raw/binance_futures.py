"""Suites raw.binance_futures__funding_rate and raw.binance_futures__premium_klines.

Contract checks (schema, keys, window) block; freshness warns: funding settles every 8 hours
and daily mark/index klines are final at 00:00 UTC, so 2 days allows a late run.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from rotation_kernel.contract import LoadContract
from sources.binance_futures import FUNDING_RATE_CONTRACT, PREMIUM_KLINES_CONTRACT


def futures_suite(contract: LoadContract, why: str) -> SuiteSpec:
    """Contract checks plus a 2-day freshness warning."""

    def expectations() -> list[Expectation]:
        return [*contract_expectations(contract), freshness(contract, max_lag_days=2, why=why)]

    return SuiteSpec(contract.table, expectations, contract.stream_key, contract.cursor)


FUNDING_RATE = futures_suite(FUNDING_RATE_CONTRACT, "funding settles every 8 hours")
PREMIUM_KLINES = futures_suite(PREMIUM_KLINES_CONTRACT, "daily klines: final at 00:00 UTC")
