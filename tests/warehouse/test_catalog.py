"""The data dictionary (warehouse/catalog.yml) stays in sync with the marts the transforms build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from sources.catalog import contracts, fred_unit_rows
from warehouse.db import bootstrap
from warehouse.transform import REPO_ROOT, run_transforms

CATALOG_PATH = REPO_ROOT / "warehouse" / "catalog.yml"
UNITS = {"pct",
    "usd_bn", "usd", "ratio", "z", "index_points", "price", "days", "weeks", "count",
    "correlation", "score", "date", "label", "boolean", "text",
}  # fmt: skip


def load_catalog(path: Path = CATALOG_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def undocumented(catalog: dict[str, Any], built: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per mart, the built columns the catalog does not document (a whole mart if it is absent)."""
    missing = {}
    for table, columns in built.items():
        documented = set((catalog.get(table) or {}).get("columns") or {})
        gaps = [column for column in columns if column not in documented]
        if gaps:
            missing[table] = gaps
    return missing


def stale(catalog: dict[str, Any], built: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per catalog entry, the documented columns (or the whole mart) no longer built."""
    gone = {}
    for table, entry in catalog.items():
        extra = sorted(set(entry["columns"]) - set(built.get(table, [])))
        if extra:
            gone[table] = extra
    return gone


@pytest.fixture(scope="module")
def built() -> dict[str, list[str]]:
    """The marts' real columns: the project's transforms built on an empty warehouse."""
    con = duckdb.connect(":memory:")
    bootstrap(con, contracts(), fred_unit_rows())
    run_transforms(con)
    return mart_columns(con)


def test_every_column_of_every_built_mart_is_documented(built: dict[str, list[str]]) -> None:
    assert "marts.fct_rotation_signal" in built
    assert undocumented(load_catalog(), built) == {}


def test_every_documented_column_is_still_built(built: dict[str, list[str]]) -> None:
    assert stale(load_catalog(), built) == {}


def test_a_new_column_without_an_entry_is_reported_by_name(built: dict[str, list[str]]) -> None:
    grown = {**built, "marts.fct_regime": [*built["marts.fct_regime"], "vix_state"]}
    grown["marts.fct_new"] = ["date"]

    assert undocumented(load_catalog(), grown) == {
        "marts.fct_regime": ["vix_state"],
        "marts.fct_new": ["date"],
    }


def test_every_entry_states_its_grain_and_each_column_a_meaning_and_a_known_unit() -> None:
    problems = []
    for table, entry in load_catalog().items():
        if not entry.get("grain") or not entry.get("description"):
            problems.append(f"{table}: grain and description are required")
        for column, spec in entry["columns"].items():
            if spec.get("unit") not in UNITS:
                problems.append(f"{table}.{column}: unit {spec.get('unit')!r} is not one of UNITS")
            if not spec.get("description"):
                problems.append(f"{table}.{column}: no description")
    assert problems == []
