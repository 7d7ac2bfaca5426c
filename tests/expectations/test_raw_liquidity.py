"""The liquidity tables (FRED observations, DTS cash balance): levels and the TGA close."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sources import fred, treasury_dts
from tests.expectations.conftest import (
    cash_table,
    dts_rows,
    failed,
    observations,
    validate,
    weekly,
)


class TestFredObservations:
    def test_a_negative_level_blocks_its_series_but_a_missing_value_passes(self):
        """WDTGAL below zero is a sign error; a FRED "." (null) is just no observation."""
        wed = date(2024, 1, 3)
        frame = observations(
            {
                "WDTGAL": weekly(wed, [750_000.0, -1.0, 760_000.0]),
                "RRPONTSYD": [(wed, 600.0), (wed + timedelta(days=1), None)],
            },
            realtime=date(2024, 1, 18),
        )

        result = validate(fred.CONTRACT, frame)

        assert failed(result) == {("expect_column_values_to_be_between", "WDTGAL"): 1}

    def test_a_week_average_is_not_held_to_the_level_rule(self):
        """WTREGEN is not a level in the unit registry, so the non-negative rule skips it."""
        frame = observations(
            {"WTREGEN": weekly(date(2024, 1, 3), [750_000.0, -1.0])}, realtime=date(2024, 1, 12)
        )

        result = validate(fred.CONTRACT, frame)

        assert failed(result) == {}


class TestTreasuryCashBalance:
    @pytest.mark.parametrize(
        "day",
        [
            pytest.param(date(2021, 6, 1), id="era_federal_reserve_account"),
            pytest.param(date(2022, 1, 4), id="era_tga"),
            pytest.param(date(2024, 1, 2), id="era_tga_split"),
        ],
    )
    def test_a_day_without_its_tga_close_blocks_the_batch(self, day):
        """Each era's close row (and column) is the one counted; without it the day fails."""
        good = dts_rows(day - timedelta(days=1), 700_000.0)
        frame = cash_table([*good, *dts_rows(day, 750_000.0, with_close=False)])

        result = validate(treasury_dts.CONTRACT, frame)

        tga = "expect_each_record_date_to_have_one_tga_closing_balance"
        # every row of the day without a close fails: era 3 keeps 3 rows, eras 1-2 keep 1
        rows_left = 3 if day >= treasury_dts.ERA_TGA_SPLIT_FIRST else 1
        assert failed(result) == {(tga, "operating_cash_balance"): rows_left}
        assert list(result.blocked_streams) == ["operating_cash_balance"]

    def test_a_close_row_without_its_balance_does_not_count(self):
        """From 2022-04-18 the close sits in open_today_bal; a null there is no close."""
        frame = cash_table(dts_rows(date(2024, 1, 2), None))

        result = validate(treasury_dts.CONTRACT, frame)

        assert list(result.blocked_streams) == ["operating_cash_balance"]

    def test_a_close_row_under_another_eras_name_does_not_count(self):
        """A 2024 day labelled 'Federal Reserve Account' has no TGA close by the 2024 rules."""
        rows = dts_rows(date(2024, 1, 2), 750_000.0)
        rows[-1]["account_type"] = treasury_dts.ACCOUNT_FEDERAL_RESERVE

        result = validate(treasury_dts.CONTRACT, cash_table(rows))

        assert list(result.blocked_streams) == ["operating_cash_balance"]
