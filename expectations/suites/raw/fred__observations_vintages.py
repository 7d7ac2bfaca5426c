"""Suite raw.fred__observations_vintages: every vintage of the FRED series (ALFRED).

Contract checks (schema, keys, window) block; freshness warns after 7 business days (the
weekly H.4.1 series are dated Wednesday and first published Thursday). The level and jump
checks live on raw.fred__observations, which carries the values as currently known; a
vintage that was wrong and later revised is history, not an error, so it is not re-judged.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

from expectations.suites.raw.contract import contract_expectations, freshness
from expectations.suites.spec import SuiteSpec
from sources.fred_vintages import CONTRACT


def expectations() -> list[Expectation]:
    """The suite's expectations."""
    return [
        *contract_expectations(CONTRACT),
        freshness(
            CONTRACT,
            max_lag_days=7,
            business_days=True,
            why="weekly series are dated Wednesday and published Thursday",
        ),
    ]


SUITE = SuiteSpec(CONTRACT.table, expectations, CONTRACT.stream_key, CONTRACT.cursor)
