"""Suite marts.fct_net_liquidity: daily net liquidity (see net_liquidity.py for the checks)."""

from __future__ import annotations

from expectations.suites.marts.net_liquidity import net_liquidity_expectations
from expectations.suites.spec import SuiteSpec

TABLE = "marts.fct_net_liquidity"

SUITE = SuiteSpec(
    TABLE,
    net_liquidity_expectations,
    stream_column=None,
    date_column="date",
    query=f"select * from {TABLE}",
)
