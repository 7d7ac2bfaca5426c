"""Every GX suite, by the name of the table it guards."""

from __future__ import annotations

from expectations.suites.marts import fct_asset_daily, fct_net_liquidity, fct_net_liquidity_weekly
from expectations.suites.raw import (
    binance__klines,
    binance__klines_1m,
    binance_archive__klines,
    binance_futures,
    fred__observations,
    fred__observations_vintages,
    treasury__operating_cash_balance,
    venue_candles,
    yahoo__chart,
)
from expectations.suites.spec import SuiteSpec

RAW_SUITES: dict[str, SuiteSpec] = {
    spec.name: spec
    for spec in (
        fred__observations.SUITE,
        treasury__operating_cash_balance.SUITE,
        yahoo__chart.SUITE,
        binance__klines.SUITE,
        binance__klines_1m.SUITE,
        binance_archive__klines.SUITE,
        venue_candles.COINBASE,
        venue_candles.KRAKEN,
        binance_futures.FUNDING_RATE,
        binance_futures.PREMIUM_KLINES,
        fred__observations_vintages.SUITE,
    )
}
MART_SUITES: dict[str, SuiteSpec] = {
    spec.name: spec
    for spec in (fct_net_liquidity.SUITE, fct_net_liquidity_weekly.SUITE, fct_asset_daily.SUITE)
}

__all__ = ["MART_SUITES", "RAW_SUITES", "SuiteSpec"]
