"""staging.stg_treasury_tga reads its eras from meta.dts_eras, and refuses to run without them."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from sources import treasury_dts
from sources.catalog import contracts, fred_unit_rows
from warehouse.db import bootstrap
from warehouse.transform import run_transforms

CLOSE_ROW = (date(2025, 7, 7), treasury_dts.ACCOUNT_TGA_CLOSING, None, 332_482.0)


def warehouse(*, eras: bool, rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A bootstrapped in-memory warehouse, with or without the DTS eras, holding ``rows``."""
    con = duckdb.connect(":memory:")
    era_rows = treasury_dts.era_rows() if eras else ()
    bootstrap(con, contracts(), fred_unit_rows(), era_rows)
    for row in rows:
        con.execute(
            "insert into raw.treasury__operating_cash_balance "
            "(record_date, account_type, close_today_bal, open_today_bal) values (?, ?, ?, ?)",
            row,
        )
    return con


class TestEraSeed:
    def test_a_bootstrapped_warehouse_reads_the_close_by_the_source_s_eras(self):
        """2025-07-07 is era 3: the close is open_today_bal of the Closing Balance row."""
        con = warehouse(eras=True, rows=[CLOSE_ROW])
        run_transforms(con, select=["staging.stg_treasury_tga"])

        assert con.execute(
            "select record_date, tga_usd_bn from staging.stg_treasury_tga"
        ).fetchall() == [(date(2025, 7, 7), pytest.approx(332.482))]

    def test_statements_without_eras_fail_loudly_instead_of_giving_an_empty_series(self):
        """A warehouse bootstrapped without era_rows() would drop every DTS row: the view
        raises, naming the missing table and what writes it."""
        con = warehouse(eras=False, rows=[CLOSE_ROW])
        run_transforms(con, select=["staging.stg_treasury_tga"])

        with pytest.raises(
            duckdb.InvalidInputException, match=r"meta\.dts_eras is empty.*era_rows"
        ):
            con.execute("select * from staging.stg_treasury_tga").fetchall()

    def test_an_empty_warehouse_without_eras_still_builds(self):
        """No statements, nothing to read: the guard only fires on rows it would drop."""
        con = warehouse(eras=False, rows=[])
        run_transforms(con, select=["staging.stg_treasury_tga"])

        assert con.execute("select count(*) from staging.stg_treasury_tga").fetchone() == (0,)
