"""`rotation export`: every mart as Parquet (by year when large), the dictionary as JSON."""

from __future__ import annotations

import json

import duckdb
import pytest

from rotation_analyst.export import export_marts, load_catalog
from warehouse import connect
from warehouse.db import list_tables


@pytest.fixture(scope="module")
def exported(demo_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    with connect(demo_warehouse) as con:
        manifest = export_marts(con, out, large_rows=10_000)
        marts = list_tables(con, ("marts",))
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in marts}
    return out, manifest, counts


class TestExport:
    def test_every_mart_is_exported_with_its_row_count(self, exported):
        _, manifest, counts = exported
        assert {t.name: t.rows for t in manifest.tables} == counts
        assert len(counts) == 21  # transforms/marts: 16 models + the 5 fct_thesis_* marts

    def test_large_marts_are_split_by_year_and_read_back_whole(self, exported):
        """Over 10,000 rows with a date: Hive folders year=2016..2021; small marts: one file."""
        out, manifest, counts = exported
        layout = {t.name: t.partitioned for t in manifest.tables}
        assert layout["marts.fct_asset_daily"] is True
        assert layout["marts.dim_asset"] is False
        years = sorted(p.name for p in (out / "marts" / "fct_asset_daily").iterdir())
        assert years == [f"year={y}" for y in range(2016, 2022)]
        with duckdb.connect() as con:
            whole = con.execute(
                "select count(*), count(distinct asset) "
                "from read_parquet(?, hive_partitioning = true)",
                [str(out / "marts" / "fct_asset_daily" / "*" / "*.parquet")],
            ).fetchone()
            small = con.execute(
                "select count(*) from read_parquet(?)", [str(out / "marts" / "dim_asset.parquet")]
            ).fetchone()
        assert whole == (counts["marts.fct_asset_daily"], 13)
        assert small == (13,)

    def test_the_dictionary_and_manifest_are_json(self, exported):
        """catalog.json is catalog.yml; the manifest says the data is synthetic."""
        out = exported[0]
        assert json.loads((out / "catalog.json").read_text()) == load_catalog()
        written = json.loads((out / "manifest.json").read_text())
        assert (written["data_origin"], written["run_id"]) == ("synthetic", "run-last")
        daily = next(t for t in written["tables"] if t["name"] == "marts.fct_asset_daily")
        assert daily["path"] == "marts/fct_asset_daily"
        assert daily["columns"]["close_usd"] == "DOUBLE"

    def test_a_second_export_replaces_the_first(self, demo_warehouse, exported):
        """Re-exporting into the same folder never leaves two copies of a year."""
        out, manifest, _ = exported
        with connect(demo_warehouse) as con:
            again = export_marts(con, out, large_rows=10_000)
        files = list((out / "marts" / "fct_asset_daily" / "year=2016").iterdir())
        assert len(files) == 1
        assert [t.rows for t in again.tables] == [t.rows for t in manifest.tables]
