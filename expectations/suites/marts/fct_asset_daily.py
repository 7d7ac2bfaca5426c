"""Suite marts.fct_asset_daily: daily close and return per asset; every check blocks the publish.

  - ret_1d lies strictly within (-0.9, +10) where not null: no asset of the ladder has lost
    90% or gained 1,000% in one day; such a return is a bad price or a split gone wrong;
  - consecutive rows of an asset are at most 5 sessions apart for equities (Monday-Friday
    days; the longest real closure, after 9/11, is a 5-session step) and exactly 1 day for
    crypto, which trades every day; a repeated date fails too (the grain is date x asset).
The table is read joined to dim_asset for asset_class, which tells the two calendars apart.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from expectations.custom import ExpectDatesToHaveNoGapsOrRepeats
from expectations.suites.spec import SuiteSpec, block

TABLE = "marts.fct_asset_daily"
QUERY = f"""
    select fct.*, dim.asset_class
    from {TABLE} as fct
    left join marts.dim_asset as dim on dim.asset = fct.asset
"""
CRYPTO = "crypto"
MIN_RET_1D = -0.9
MAX_RET_1D = 10.0
MAX_EQUITY_SESSION_STEP = 5


def expectations() -> list[Expectation]:
    """The suite's expectations."""
    asset_class = Column("asset_class")
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="ret_1d",
            min_value=MIN_RET_1D,
            max_value=MAX_RET_1D,
            strict_min=True,
            strict_max=True,
            **block("a one-day return outside (-90%, +1000%) is a bad price"),
        ),
        ExpectDatesToHaveNoGapsOrRepeats(
            column_list=["asset", "date"],
            max_step=MAX_EQUITY_SESSION_STEP,
            business_days=True,
            row_condition=asset_class != CRYPTO,
            **block("equities: more than 5 missing sessions is lost data, not a holiday"),
        ),
        ExpectDatesToHaveNoGapsOrRepeats(
            column_list=["asset", "date"],
            max_step=1,
            row_condition=asset_class == CRYPTO,
            **block("crypto trades every day: a missing day is lost data"),
        ),
    ]


SUITE = SuiteSpec(TABLE, expectations, stream_column="asset", date_column="date", query=QUERY)
