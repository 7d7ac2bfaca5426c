"""Incremental state (warehouse.state): watermarks and the windows a run plans from them."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from rotation_kernel.errors import PipelineError
from sources.catalog import contracts, fred_unit_rows, source_contracts
from tests.warehouse.conftest import PRICES
from warehouse.db import bootstrap
from warehouse.state import plan_windows

CONTRACTS = {"test": PRICES}  # initial value 2015-01-01, lookback 3 days
END = date(2024, 7, 31)


def set_watermark(con, stream: str, watermark: date) -> None:
    con.execute(
        "insert into meta.load_state values ('test', 'prices', ?, ?, 3, now(), 'r1')",
        [stream, watermark],
    )


class TestPlanWindows:
    def test_an_explicit_start_is_every_streams_first_day(self, con):
        """start given: the watermarks are not read, every stream gets [start, end]."""
        set_watermark(con, "AAA", date(2024, 6, 30))
        planned = [("test", "AAA"), ("test", "BBB")]
        windows = plan_windows(con, planned, CONTRACTS, date(2024, 1, 1), END)
        assert windows == {
            ("test", "AAA"): (date(2024, 1, 1), END),
            ("test", "BBB"): (date(2024, 1, 1), END),
        }

    def test_without_a_start_each_stream_resumes_at_its_watermark_minus_the_lookback(self, con):
        """AAA's watermark 2024-06-30 - 3 days = 06-27; BBB was never loaded: the initial value."""
        set_watermark(con, "AAA", date(2024, 6, 30))
        windows = plan_windows(con, [("test", "AAA"), ("test", "BBB")], CONTRACTS, None, END)
        assert windows == {
            ("test", "AAA"): (date(2024, 6, 27), END),
            ("test", "BBB"): (date(2015, 1, 1), END),
        }

    @pytest.mark.parametrize(
        ("lookback", "first"),
        [
            pytest.param(None, date(2024, 6, 27), id="contract_3_days"),  # 06-30 - 3
            pytest.param(0, date(2024, 6, 30), id="override_0"),  # the watermark itself
            pytest.param(35, date(2024, 5, 26), id="override_35"),  # 06-30 - 35
        ],
    )
    def test_a_lookback_override_replaces_every_contracts_own(self, con, lookback, first):
        set_watermark(con, "AAA", date(2024, 6, 30))
        windows = plan_windows(con, [("test", "AAA")], CONTRACTS, None, END, lookback)
        assert windows[("test", "AAA")] == (first, END)

    def test_a_start_after_the_end_is_refused(self, con):
        with pytest.raises(PipelineError, match="start 2024-08-01 is after end 2024-07-31"):
            plan_windows(con, [("test", "AAA")], CONTRACTS, date(2024, 8, 1), END)

    def test_a_watermark_past_the_end_is_refused_too(self, con):
        """An incremental start after ``end`` (a narrow re-run) names both dates."""
        set_watermark(con, "AAA", date(2024, 9, 30))
        with pytest.raises(PipelineError, match="start 2024-09-27 is after end 2024-07-31"):
            plan_windows(con, [("test", "AAA")], CONTRACTS, None, END)

    def test_the_real_catalog_plans_fred_with_its_35_day_lookback(self):
        """The catalog's contracts, as nightly passes them: WALCL 2024-06-30 - 35 = 05-26."""
        con = duckdb.connect()
        bootstrap(con, contracts(), fred_unit_rows())
        con.execute(
            "insert into meta.load_state values "
            "('fred', 'observations', 'WALCL', '2024-06-30', 35, now(), 'r1')"
        )
        windows = plan_windows(con, [("fred", "WALCL")], source_contracts(), None, END)
        assert windows[("fred", "WALCL")] == (date(2024, 5, 26), END)
