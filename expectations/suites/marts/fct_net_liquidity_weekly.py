"""Suite marts.fct_net_liquidity_weekly: Wednesday net liquidity (checks in net_liquidity.py)."""

from __future__ import annotations

from expectations.suites.marts.net_liquidity import net_liquidity_expectations
from expectations.suites.spec import SuiteSpec

TABLE = "marts.fct_net_liquidity_weekly"

SUITE = SuiteSpec(
    TABLE,
    net_liquidity_expectations,
    stream_column=None,
    date_column="date",
    query=f"select * from {TABLE}",
)
