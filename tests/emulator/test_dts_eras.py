"""The emulator's DTS eras agree with the pipeline's.

The emulator keeps its own transcription of the Fiscal Data documentation
(``emulator/dts_table.py``), so that the tests built on it are not circular; the pipeline's
eras live once, in ``sources.treasury_dts.ERAS`` (the warehouse's ``meta.dts_eras``). This
module compares the two: the test may import both, the emulator imports nothing of ours.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from emulator import dts_table
from emulator.market import DEFAULT_SEED
from sources import treasury_dts

ONE_DAY = timedelta(days=1)
# Three business weeks around each era boundary: the 2021-10-01 rename, the 2022-04-18 split.
WINDOWS = (
    pytest.param(date(2021, 9, 20), date(2021, 10, 8), id="rename_2021_10_01"),
    pytest.param(date(2022, 4, 6), date(2022, 4, 26), id="split_2022_04_18"),
)


def emulated_rows(first: date, last: date) -> list[dict[str, str]]:
    """The emulator's statement rows with record dates in [first, last]."""
    rows = dts_table.dts_rows(DEFAULT_SEED, last + ONE_DAY)
    return [r for r in rows if first <= date.fromisoformat(r["record_date"]) <= last]


def era_of(day: date) -> treasury_dts.AccountEra:
    """The pipeline's era of a record date."""
    (era,) = [
        e
        for e in treasury_dts.ERAS
        if (e.first_date is None or e.first_date <= day)
        and (e.last_date is None or day <= e.last_date)
    ]
    return era


class TestEraBoundaries:
    def test_each_era_starts_on_the_emulator_s_boundary_and_ends_the_day_before_the_next(self):
        """Era 2 starts on the emulator's rename day (2021-10-01), era 3 on its four-row day
        (2022-04-18); the eras before end the day before (2021-09-30, 2022-04-17)."""
        starts = [dts_table.ERA_TGA_NAME, dts_table.ERA_FOUR_ROWS]

        assert [e.first_date for e in treasury_dts.ERAS] == [None, *starts]
        assert [e.last_date for e in treasury_dts.ERAS] == [d - ONE_DAY for d in starts] + [None]

    def test_the_era_3_account_names_are_the_emulator_s(self):
        """From 2022-04-18 the close is the "Closing Balance" row, the "Opening Balance" row
        holding the previous day's close."""
        assert treasury_dts.ERAS[-1].account_type == dts_table.CLOSING
        assert treasury_dts.ACCOUNT_TGA_OPENING == dts_table.OPENING


class TestEmulatedStatements:
    @pytest.mark.parametrize(("first", "last"), WINDOWS)
    def test_every_emulated_statement_has_one_close_by_the_pipeline_s_eras(self, first, last):
        """On each emulated business day exactly one row carries its era's account name,
        and its era's balance column holds a number (not the string "null")."""
        rows = emulated_rows(first, last)
        closes = [
            r
            for r in rows
            if r["account_type"] == era_of(date.fromisoformat(r["record_date"])).account_type
        ]

        days = {r["record_date"] for r in rows}
        assert len(days) >= 10  # three business weeks
        assert Counter(r["record_date"] for r in closes) == dict.fromkeys(days, 1)
        fields = {
            r["record_date"]: era_of(date.fromisoformat(r["record_date"])).balance_field
            for r in closes
        }
        assert all(r[fields[r["record_date"]]] != dts_table.NULL for r in closes)

    @pytest.mark.parametrize(("first", "last"), WINDOWS)
    def test_each_close_is_the_next_statement_s_opening_balance(self, first, last):
        """The column the pipeline reads is the day's close: it is what the next business
        day's statement opens with (open_today_bal of the balance row in eras 1 and 2, of the
        "Opening Balance" row in era 3), across the boundary too."""
        rows = emulated_rows(first, last)
        close: dict[str, str] = {}
        opening: dict[str, str] = {}
        for r in rows:
            era = era_of(date.fromisoformat(r["record_date"]))
            if r["account_type"] == era.account_type:
                close[r["record_date"]] = r[era.balance_field]
            opening_name = dts_table.OPENING if era is treasury_dts.ERAS[-1] else era.account_type
            if r["account_type"] == opening_name:
                opening[r["record_date"]] = r["open_today_bal"]

        days = sorted(close)
        assert [close[d] for d in days[:-1]] == [opening[d] for d in days[1:]]
