"""A warehouse built from six years of the synthetic market, shared by the market-level tests."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from rotation_cli.market_warehouse import market_warehouse
from warehouse.transform import run_transforms

# Long enough for 200-day means, the 3-year z-score window, RUT breakouts with crypto after them
# and a dozen rolling 2-year lead-lag windows; short enough to build in about a second.
MARKET_HISTORY = (date(2016, 1, 1), date(2021, 12, 31))


@pytest.fixture(scope="session")
def market_marts() -> duckdb.DuckDBPyConnection:
    """The synthetic market's raw rows with every model built on them (read it, don't change it)."""
    con = market_warehouse(*MARKET_HISTORY)
    run_transforms(con)
    return con
