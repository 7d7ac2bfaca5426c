"""Tests for the transform runner: discovery, dependency order, cycles, materialisation, audits."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from rotation_kernel.errors import PipelineError
from warehouse.transform import (
    build_order,
    discover_models,
    run_audits,
    run_transforms,
    sql_references,
)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    connection.execute("create schema raw")
    connection.execute("create table raw.prices (day date, price double)")
    connection.execute(
        "insert into raw.prices values ('2024-01-01', 10.0), ('2024-01-02', 11.0), "
        "('2024-01-03', 12.1)"
    )
    return connection


# A small tree whose file names sort against the dependency order: alphabetically
# marts.a_summary comes first, yet it reads marts.b_returns, which reads staging.z_prices.
TOY_TREE = {
    "staging/z_prices.sql": (
        "-- name: staging.z_prices\nselect day as price_date, price as price_usd from raw.prices\n"
    ),
    "marts/b_returns.sql": (
        "select price_date, price_usd / lag(price_usd) over (order by price_date) - 1 as ret_1d\n"
        "from staging.z_prices\n"
    ),
    "marts/a_summary.sql": "select count(*) as count_days from marts.b_returns;\n",
}


class TestSqlReferences:
    @pytest.mark.parametrize(
        ("sql", "expected"),
        [
            # a plain upstream model
            pytest.param("select * from staging.stg_x", {"staging.stg_x"}, id="from_clause"),
            # raw.* and meta.* are loaded tables, not models; alias.column is not a table
            pytest.param(
                "select r.a from raw.t as r join meta.u as u on r.a = u.a", set(), id="sources"
            ),
            # the header names the model itself; a comment must never count as a reference
            pytest.param("-- name: marts.fct_a\nselect 1", set(), id="line_comment"),
            pytest.param("/* reads marts.fct_b */ select 1", set(), id="block_comment"),
            # a string literal that looks like a table name is data, not a reference
            pytest.param("select 'marts.fct_c -- x' as label", set(), id="string_literal"),
            # case does not matter in SQL
            pytest.param("SELECT * FROM Marts.Fct_D", {"marts.fct_d"}, id="upper_case"),
        ],
    )
    def test_sql_references_finds_only_model_tables_outside_comments_and_strings(
        self, sql: str, expected: set[str]
    ) -> None:
        assert sql_references(sql) == expected


class TestRunTransforms:
    def test_models_are_built_after_the_models_they_read(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        built = run_transforms(con, write_tree(tmp_path, TOY_TREE))

        assert built == ["staging.z_prices", "marts.b_returns", "marts.a_summary"]
        assert con.execute("select count_days from marts.a_summary").fetchone() == (3,)

    def test_staging_becomes_views_and_marts_become_tables(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        run_transforms(con, write_tree(tmp_path, TOY_TREE))

        kinds = con.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables "
            "where table_schema in ('staging', 'marts') order by 1"
        ).fetchall()
        assert kinds == [
            ("marts.a_summary", "BASE TABLE"),
            ("marts.b_returns", "BASE TABLE"),
            ("staging.z_prices", "VIEW"),
        ]

    def test_running_twice_rebuilds_the_same_objects_with_the_same_rows(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        root = write_tree(tmp_path, TOY_TREE)
        query = "select price_date, ret_1d from marts.b_returns order by price_date"

        first_order = run_transforms(con, root)
        first_rows = con.execute(query).fetchall()
        second_order = run_transforms(con, root)

        assert second_order == first_order
        assert con.execute(query).fetchall() == first_rows
        assert con.execute("select count(*) from marts.b_returns").fetchone() == (3,)

    def test_a_rerun_after_new_raw_rows_replaces_the_marts(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        root = write_tree(tmp_path, TOY_TREE)
        run_transforms(con, root)
        con.execute("insert into raw.prices values ('2024-01-04', 13.31)")

        run_transforms(con, root)

        # the table is rebuilt, not appended to: 4 days, last return 13.31 / 12.1 - 1 = 0.1
        assert con.execute("select count_days from marts.a_summary").fetchone() == (4,)
        last = con.execute("select ret_1d from marts.b_returns order by price_date desc").fetchone()
        assert last[0] == pytest.approx(0.1)

    def test_select_builds_only_the_model_and_what_it_reads(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        built = run_transforms(con, write_tree(tmp_path, TOY_TREE), select=["marts.b_returns"])

        assert built == ["staging.z_prices", "marts.b_returns"]

    def test_a_python_model_builds_a_table_from_its_frame_after_its_declared_upstream(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        tree = dict(TOY_TREE)
        tree["marts/a_doubled.py"] = (
            "import polars as pl\n"
            "DEPENDS_ON = ('staging.z_prices',)\n"
            "def build(con):\n"
            "    frame = con.sql('select price_usd from staging.z_prices').pl()\n"
            "    return frame.select((pl.col('price_usd') * 2).alias('doubled_usd'))\n"
        )

        built = run_transforms(con, write_tree(tmp_path, tree))

        assert built.index("marts.a_doubled") > built.index("staging.z_prices")
        doubled = con.execute("select doubled_usd from marts.a_doubled order by 1").fetchall()
        assert doubled == [(20.0,), (22.0,), (24.2,)]

    @pytest.mark.parametrize(
        "files",
        [
            pytest.param({"marts/broken.sql": "select no_such_column from raw.prices"}, id="sql"),
            pytest.param(
                {"marts/broken.py": "DEPENDS_ON = ()\ndef build(con):\n    return 1 / 0\n"},
                id="python",
            ),
        ],
    )
    def test_a_failing_model_raises_a_pipeline_error_naming_it(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection, files: dict[str, str]
    ) -> None:
        with pytest.raises(PipelineError, match=r"transform marts\.broken .*failed"):
            run_transforms(con, write_tree(tmp_path, files))


class TestModelTreeErrors:
    def test_a_dependency_cycle_raises_a_pipeline_error_spelling_out_the_cycle(
        self, tmp_path: Path
    ) -> None:
        root = write_tree(
            tmp_path,
            {
                "marts/a.sql": "select * from marts.b",
                "marts/b.sql": "select * from marts.c",
                "marts/c.sql": "select * from marts.a",
            },
        )

        models = discover_models(root)

        with pytest.raises(PipelineError, match="dependency cycle") as raised:
            build_order(models)
        # e.g. "marts.a -> marts.b -> marts.c -> marts.a": it closes where it started, and
        # each model in it reads the next one
        cycle = str(raised.value).split(": ", 1)[1].split(" -> ")
        assert sorted(cycle[:-1]) == ["marts.a", "marts.b", "marts.c"]
        assert cycle[0] == cycle[-1]
        assert all(later in models[earlier].depends_on for earlier, later in pairwise(cycle))

    def test_a_model_reading_itself_is_a_cycle(self, tmp_path: Path) -> None:
        root = write_tree(tmp_path, {"marts/loop.sql": "select * from marts.loop"})

        with pytest.raises(PipelineError, match=r"cycle.*marts\.loop -> marts\.loop"):
            build_order(discover_models(root))

    def test_a_reference_to_a_missing_model_raises_a_pipeline_error_naming_it(
        self, tmp_path: Path
    ) -> None:
        root = write_tree(tmp_path, {"marts/fct_a.sql": "select * from staging.stg_missing"})

        with pytest.raises(PipelineError, match=r"marts\.fct_a .*references staging\.stg_missing"):
            discover_models(root)

    @pytest.mark.parametrize(
        ("files", "message"),
        [
            pytest.param(
                {"marts/Fct-A.sql": "select 1"}, "file name must match", id="bad_identifier"
            ),
            pytest.param(
                {"marts/fct_a.sql": "-- name: marts.fct_b\nselect 1"},
                "header says",
                id="header_names_another_table",
            ),
            pytest.param(
                {"marts/fct_a.sql": "select 1", "marts/fct_a.py": "DEPENDS_ON = ()"},
                "defined twice",
                id="sql_and_python_for_one_table",
            ),
            pytest.param(
                {"intermediate/int_a.sql": "select 1"},
                "no materialisation",
                id="unknown_folder",
            ),
            pytest.param(
                {"marts/fct_a.py": "def build(con):\n    return None\n"},
                "must declare DEPENDS_ON",
                id="python_model_without_depends_on",
            ),
            pytest.param(
                {"marts/fct_a.py": "DEPENDS_ON = 'staging.stg_a'"},
                "literal tuple of model names",
                id="python_depends_on_not_a_tuple",
            ),
            pytest.param(
                {"staging/stg_a.py": "DEPENDS_ON = ()"},
                "only build tables",
                id="python_staging_view",
            ),
        ],
    )
    def test_a_malformed_model_tree_raises_a_pipeline_error(
        self, tmp_path: Path, files: dict[str, str], message: str
    ) -> None:
        with pytest.raises(PipelineError, match=message):
            discover_models(write_tree(tmp_path, files))

    def test_selecting_an_unknown_model_raises_a_pipeline_error(self, tmp_path: Path) -> None:
        models = discover_models(write_tree(tmp_path, TOY_TREE))

        with pytest.raises(PipelineError, match=r"cannot select marts\.nope"):
            build_order(models, select=["marts.nope"])

    def test_project_models_each_come_after_everything_they_read(self) -> None:
        models = discover_models()
        order = build_order(models)

        assert sorted(order) == sorted(models)
        for name, model in models.items():
            assert all(order.index(ref) < order.index(name) for ref in model.depends_on), name


class TestRunAudits:
    def test_run_audits_counts_the_offending_rows_of_each_audit(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        root = write_tree(
            tmp_path,
            {
                # two of the three prices are above 10.5
                "prices__below_10_5.sql": "select * from raw.prices where price > 10.5;",
                "prices__unique_day.sql": (
                    "select day from raw.prices group by day having count(*) > 1"
                ),
            },
        )

        assert run_audits(con, root) == {"prices__below_10_5": 2, "prices__unique_day": 0}

    def test_the_connection_takes_new_queries_after_the_audits(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        root = write_tree(tmp_path, {"prices__none.sql": "select * from raw.prices where false"})

        run_audits(con, root)

        # DuckDB 2 refuses relational work while an earlier result is only half read
        assert con.sql("select count(*) from raw.prices").fetchall() == [(3,)]

    def test_an_audit_file_not_named_model_check_is_rejected(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        root = write_tree(tmp_path, {"prices_positive.sql": "select 1 where false"})

        with pytest.raises(PipelineError, match="<model>__<check>"):
            run_audits(con, root)

    def test_an_audit_that_cannot_run_raises_a_pipeline_error_naming_it(
        self, tmp_path: Path, con: duckdb.DuckDBPyConnection
    ) -> None:
        root = write_tree(tmp_path, {"prices__broken.sql": "select * from raw.missing_table"})

        with pytest.raises(PipelineError, match="audit prices__broken"):
            run_audits(con, root)
