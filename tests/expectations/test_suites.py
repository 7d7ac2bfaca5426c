"""The suites as declared: named after their tables, every expectation with a severity and a why."""

from __future__ import annotations

import pytest

from expectations.attribution import describe
from expectations.suites import MART_SUITES, RAW_SUITES
from sources.catalog import contracts

ALL = {**RAW_SUITES, **MART_SUITES}


def test_every_raw_table_has_a_suite_named_after_it():
    assert sorted(RAW_SUITES) == sorted(c.table for c in contracts())
    assert sorted(MART_SUITES) == [
        "marts.fct_asset_daily",
        "marts.fct_net_liquidity",
        "marts.fct_net_liquidity_weekly",
    ]


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in ALL])
def test_every_expectation_carries_its_severity_and_the_reason_for_it(name):
    expectations = ALL[name].build()

    assert {e.meta["severity"] for e in expectations} <= {"block", "warn"}
    assert all(e.notes and len(e.notes) > 20 for e in expectations)
    assert len({describe(e) for e in expectations}) == len(expectations)  # distinguishable


@pytest.mark.parametrize("contract", [pytest.param(c, id=c.table) for c in contracts()])
def test_raw_suites_take_schema_and_keys_from_the_load_contract(contract):
    expectations = RAW_SUITES[contract.table].build()
    by_type = {}
    for e in expectations:
        by_type.setdefault(e.expectation_type, []).append(e)

    schema = by_type["expect_table_schema_to_match"][0]
    assert schema.column_list == list(contract.schema)
    unique = by_type["expect_key_to_be_unique"][0]
    assert unique.column_list == list(contract.primary_key)
    not_null = {e.column for e in by_type["expect_column_values_to_not_be_null"]}
    assert not_null == {*contract.primary_key, contract.cursor} | {contract.stream_key} - {None}
    # freshness is the one warning: a holiday is not an outage
    warned = [e.expectation_type for e in expectations if e.meta["severity"] == "warn"]
    assert warned == ["expect_newest_date_to_be_recent"]
