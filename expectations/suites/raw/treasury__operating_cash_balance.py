"""Suite raw.treasury__operating_cash_balance: the Daily Treasury Statement's cash table, as sent.

Beyond the contract checks (see contract.py):
  - every record_date carries exactly one TGA closing balance by the era rules (block): a day
    without one would leave fct_net_liquidity carrying an old TGA forward as if it were new;
  - freshness (warn): a statement is published around 4 pm the next business day, so on a
    Monday morning the newest is Thursday's; 4 business days leaves room for a holiday.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.custom import ExpectEachRecordDateToHaveOneTgaClosingBalance
from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec, block
from sources.treasury_dts import CONTRACT


def expectations() -> list[Expectation]:
    """The suite's expectations (contract checks first)."""
    return [
        *contract_expectations(CONTRACT),
        ExpectEachRecordDateToHaveOneTgaClosingBalance(
            column_list=["record_date", "account_type", "close_today_bal", "open_today_bal"],
            **block("a day without its TGA close would carry a stale TGA into net liquidity"),
        ),
        freshness(
            CONTRACT,
            max_lag_days=4,
            business_days=True,
            why="DTS: published the next business day, late afternoon",
        ),
    ]


SUITE = SuiteSpec(CONTRACT.table, expectations, CONTRACT.stream_key, CONTRACT.cursor)
