"""Analyst SQL: run read-only, write the result as CSV, JSON or Parquet."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from rotation_analyst.query import run_query, write_result
from rotation_kernel.errors import ConfigError
from warehouse import connect

LADDER = (
    "select asset, ladder_rank from marts.dim_asset where ladder_rank is not null order by 2, 1"
)


@pytest.fixture(scope="module")
def ladder(demo_warehouse) -> pl.DataFrame:
    with connect(demo_warehouse) as con:
        return run_query(con, LADDER)


class TestRunQuery:
    def test_the_result_is_a_frame_of_the_marts_rows(self, ladder):
        """dim_asset's ladder: RUT and IWM on rung 0, BTC 1, ETH 2, seven alts on rung 3."""
        assert ladder.head(4).rows() == [("IWM", 0), ("RUT", 0), ("BTC", 1), ("ETH", 2)]
        assert ladder.filter(pl.col("ladder_rank") == 3)["asset"].to_list() == [
            "ADA",
            "AVAX",
            "BNB",
            "DOGE",
            "LINK",
            "SOL",
            "XRP",
        ]

    def test_a_write_fails_inside_duckdb_on_the_read_only_connection(self, demo_warehouse):
        with connect(demo_warehouse) as con, pytest.raises(duckdb.Error, match="read-only"):
            run_query(con, "create table marts.scratch as select 1")


class TestWriteResult:
    @pytest.mark.parametrize(
        ("fmt", "read"),
        [
            pytest.param("csv", pl.read_csv, id="csv"),
            pytest.param("json", lambda p: pl.DataFrame(json.loads(p.read_text())), id="json"),
            pytest.param("parquet", pl.read_parquet, id="parquet"),
        ],
    )
    def test_a_written_file_reads_back_to_the_same_rows(self, ladder, tmp_path, fmt, read):
        out = tmp_path / "sub" / f"ladder.{fmt}"
        assert write_result(ladder, fmt, out) is None
        assert read(out).rows() == ladder.rows()

    def test_without_out_csv_comes_back_as_text(self, ladder):
        assert write_result(ladder.head(2), "csv", None) == "asset,ladder_rank\nIWM,0\nRUT,0\n"

    def test_parquet_needs_a_file(self, ladder):
        with pytest.raises(ConfigError, match="--format parquet needs --out FILE"):
            write_result(ladder, "parquet", None)
