"""Content checksums: equal data gives equal checksums, whatever the order or the load."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from sources import treasury_dts
from warehouse.db import bootstrap, content_checksums, list_tables, table_checksum


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema raw")
    yield con
    con.close()


def fill(con, name: str, rows: list[tuple[str, float]]) -> str:
    table = f"raw.{name}"
    con.execute(f"create table {table} (symbol varchar, close double, _load_id varchar)")
    con.executemany(f"insert into {table} values (?, ?, 'r1')", rows)
    return table


def test_row_order_does_not_matter(con):
    a = fill(con, "a", [("BTC", 1.0), ("ETH", 2.0)])
    b = fill(con, "b", [("ETH", 2.0), ("BTC", 1.0)])
    assert table_checksum(con, a) == table_checksum(con, b)


def test_repeated_rows_do_not_cancel_out(con):
    """Two tables of one row repeated twice differ when the rows differ (an xor of row
    hashes gave both 0: a pair cancels)."""
    a = fill(con, "a", [("BTC", 1.0), ("BTC", 1.0)])
    b = fill(con, "b", [("ETH", 9.0), ("ETH", 9.0)])
    assert table_checksum(con, a) != table_checksum(con, b)
    sums = content_checksums(con, ["raw"])
    assert sums["raw.a"] != sums["raw.b"]


def test_a_doubled_row_in_place_of_another_is_seen(con):
    a = fill(con, "a", [("BTC", 1.0), ("ETH", 2.0)])
    b = fill(con, "b", [("BTC", 1.0), ("BTC", 1.0)])
    assert table_checksum(con, a)[0] == table_checksum(con, b)[0]  # same count
    assert table_checksum(con, a) != table_checksum(con, b)


def test_load_columns_are_ignored_by_content_checksums(con):
    a = fill(con, "a", [("BTC", 1.0)])
    b = fill(con, "b", [("BTC", 1.0)])
    con.execute("update raw.b set _load_id = 'r2'")
    sums = content_checksums(con, ["raw"])
    assert sums["raw.a"] == sums["raw.b"]
    assert table_checksum(con, a) != table_checksum(con, b)


def test_named_tables_are_hashed_alone_and_as_in_their_schema(con):
    fill(con, "a", [("BTC", 1.0)])
    fill(con, "b", [("ETH", 2.0)])
    named = content_checksums(con, tables=["raw.b"])
    assert named == {"raw.b": content_checksums(con, ["raw"])["raw.b"]}


def test_views_are_listed_unless_left_out(con):
    fill(con, "a", [("BTC", 1.0)])
    con.execute("create view raw.v as select * from raw.a")
    assert list_tables(con, ["raw"]) == ["raw.a", "raw.v"]
    assert list_tables(con, ["raw"], views=False) == ["raw.a"]


class TestSeedTables:
    def test_bootstrap_writes_the_dts_eras_once_however_often_it_runs(self):
        """meta.dts_eras holds sources.treasury_dts.ERAS, one row per era, after a second
        bootstrap too (it is refreshed, not appended)."""
        con = duckdb.connect(":memory:")
        bootstrap(con, [], dts_eras=treasury_dts.era_rows())
        bootstrap(con, [], dts_eras=treasury_dts.era_rows())

        rows = con.execute("select * from meta.dts_eras order by first_date nulls first").fetchall()

        assert rows == [
            (
                "federal_reserve_account",
                None,
                date(2021, 9, 30),
                "Federal Reserve Account",
                "close_today_bal",
            ),
            (
                "tga",
                date(2021, 10, 1),
                date(2022, 4, 17),
                "Treasury General Account (TGA)",
                "close_today_bal",
            ),
            (
                "tga_split",
                date(2022, 4, 18),
                None,
                "Treasury General Account (TGA) Closing Balance",
                "open_today_bal",
            ),
        ]

    def test_an_era_naming_another_balance_column_is_refused(self):
        """Staging reads close_today_bal or open_today_bal; any other column is a typo."""
        con = duckdb.connect(":memory:")
        bad = [("tga", None, None, "Treasury General Account (TGA)", "open_month_bal")]

        with pytest.raises(duckdb.ConstraintException, match="CHECK constraint"):
            bootstrap(con, [], dts_eras=bad)
