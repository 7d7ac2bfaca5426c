"""Given/expect tests for the transforms: each tests/transforms/<model>.yaml, in in-memory DuckDB.

A YAML file holds ``model: <schema>.<table>``, an optional ``shared:`` block for YAML anchors,
and ``cases:``, each with a ``description``, ``given`` rows per source table (only the columns
that matter; the others are NULL), ``expect`` rows (only the columns listed are compared,
order-insensitive, floats with a tolerance) and optionally ``audits``: the audits expected to
find bad rows, with their counts. Every other audit must find none on every case's data.

Three more keys keep cases on long windows small:
  - ``given`` may also hold rows of an upstream MART: the whole tree is built from the source
    rows, the mart's rows are replaced by the given ones, and only the models downstream of it
    are rebuilt. A test of a mart can then start from its direct inputs.
  - a given row whose values include lists stands for one row per list element (lists in one
    row have the same length), every date in it advanced by ``_step_days`` (default 1) per
    element; ``_repeat: n`` repeats a row with no list n times the same way. So
    ``{asset: RUT, date: 2024-01-01, close_usd: 100.0, _repeat: 200}`` is 200 daily rows.
  - ``where``: a SQL condition on the model's rows; only the rows it keeps are compared.
The audits of a given mart are not run: they would check the case's hand-made rows, not a
model (a few sparse closes are not a full equity history, for one).
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from sources.catalog import contracts, fred_unit_rows
from sources.treasury_dts import era_rows
from warehouse.db import bootstrap
from warehouse.transform import (
    AUDITS_ROOT,
    build_order,
    discover_models,
    run_audits,
    run_transforms,
)

CASES_DIR = Path(__file__).parent
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_FLOAT_TOLERANCE = 1e-9

# The source tables the transforms read, as the warehouse creates them: the raw contract of
# the common brief plus the load columns, the FRED unit registry and the DTS eras. Written out
# here so a reader sees every column a given row may fill; a test below checks it against
# bootstrap().
_LOAD_COLUMNS = "_load_id varchar, _loaded_at timestamp with time zone"
SOURCE_DDL = {
    "raw.fred__observations": f"""
        series_id varchar, date date, value double, realtime_start date, realtime_end date,
        {_LOAD_COLUMNS}""",
    "raw.treasury__operating_cash_balance": f"""
        record_date date, account_type varchar, close_today_bal double, open_today_bal double,
        open_month_bal double, open_fiscal_year_bal double, table_nbr varchar,
        src_line_nbr integer, {_LOAD_COLUMNS}""",
    "raw.yahoo__chart": f"""
        symbol varchar, date date, ts bigint, open double, high double, low double,
        close double, adjclose double, volume bigint, currency varchar,
        exchange_timezone varchar, {_LOAD_COLUMNS}""",
    "raw.binance__klines": f"""
        symbol varchar, open_time bigint, date date, open double, high double, low double,
        close double, volume double, close_time bigint, quote_volume double, trades bigint,
        taker_buy_base double, taker_buy_quote double, {_LOAD_COLUMNS}""",
    "raw.binance_archive__klines": f"""
        symbol varchar, open_time bigint, date date, open double, high double, low double,
        close double, volume double, close_time bigint, quote_volume double, trades bigint,
        taker_buy_base double, taker_buy_quote double, {_LOAD_COLUMNS}""",
    "raw.coinbase__candles": f"""
        product_id varchar, time bigint, date date, low double, high double, open double,
        close double, volume double, {_LOAD_COLUMNS}""",
    "raw.kraken__ohlc": f"""
        pair varchar, result_key varchar, time bigint, date date, open double, high double,
        low double, close double, vwap double, volume double, count bigint,
        {_LOAD_COLUMNS}""",
    "raw.binance_futures__funding_rate": f"""
        symbol varchar, funding_time bigint, date date, funding_rate double,
        mark_price double, {_LOAD_COLUMNS}""",
    "raw.binance_futures__premium_klines": f"""
        symbol varchar, kind varchar, open_time bigint, date date, open double, high double,
        low double, close double, {_LOAD_COLUMNS}""",
    "raw.fred__observations_vintages": f"""
        series_id varchar, date date, value double, realtime_start date, realtime_end date,
        {_LOAD_COLUMNS}""",
    "meta.fred_series_units": """
        series_id varchar, unit varchar, usd_bn_per_unit double, description varchar""",
    "meta.dts_eras": """
        era varchar, first_date date, last_date date, account_type varchar,
        balance_field varchar""",
}
# Seed tables every case starts with, as the warehouse writes them, unless the case gives
# its own rows: the DTS eras are a rule of the pipeline, not a case's input.
SEEDS = {"meta.dts_eras": era_rows()}


def _load_case_files() -> dict[str, dict[str, Any]]:
    files = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        assert set(spec) <= {"model", "shared", "cases"}, f"{path.name}: unknown top-level keys"
        assert spec["model"].split(".")[-1] == path.stem, f"{path.name} must test {path.stem}"
        files[path.stem] = spec
    return files


CASE_FILES = _load_case_files()


def _case_params() -> list[Any]:
    params = []
    for stem, spec in CASE_FILES.items():
        for case_name, case in spec["cases"].items():
            assert set(case) <= {"description", "given", "expect", "audits", "where"}, case_name
            assert case.get("description"), f"{stem}:{case_name} needs a description"
            params.append(pytest.param(spec["model"], case, id=f"{stem}:{case_name}"))
    return params


def _quoted(name: str) -> str:
    assert _IDENTIFIER.match(name), f"bad identifier {name!r}"
    return f'"{name}"'


def expand_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unfold list values and ``_repeat`` into plain rows, dates stepping by ``_step_days``."""
    plain = []
    for row in rows:
        step = timedelta(days=row.get("_step_days", 1))
        values = {k: v for k, v in row.items() if k not in ("_step_days", "_repeat")}
        lengths = {len(v) for v in values.values() if isinstance(v, list)}
        assert len(lengths) <= 1, f"lists of different lengths in {row}"
        count = lengths.pop() if lengths else row.get("_repeat", 1)
        for i in range(count):
            plain.append(
                {
                    column: value[i]
                    if isinstance(value, list)
                    else value + i * step
                    if isinstance(value, date)
                    else value
                    for column, value in values.items()
                }
            )
    return plain


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
    for row in expand_rows(rows):
        by_columns.setdefault(tuple(row), []).append(list(row.values()))
    for columns, values in by_columns.items():
        names = ", ".join(_quoted(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"insert into {table} ({names}) values ({marks})", values)


def _warehouse_with(given: dict[str, list[dict[str, Any]]]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding empty source tables, then the given rows."""
    con = duckdb.connect(":memory:")
    for schema in sorted({table.split(".")[0] for table in SOURCE_DDL}):
        con.execute(f"create schema {schema}")
    for table, columns in SOURCE_DDL.items():
        con.execute(f"create table {table} ({columns})")
    for table, rows in SEEDS.items():
        if table not in given:
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"insert into {table} values ({marks})", rows)
    for table, rows in given.items():
        assert table in SOURCE_DDL, f"given table {table} is not a source table"
        _insert(con, table, rows)
    return con


def _build_with_given_marts(
    con: duckdb.DuckDBPyConnection, given: dict[str, list[dict[str, Any]]]
) -> None:
    """Build every model in order; a given mart is built (for its columns), then refilled."""
    if not given:
        run_transforms(con)
        return
    models = discover_models()
    for table in given:
        assert table in models, f"given table {table} is neither a source table nor a model"
        assert models[table].materialization == "table", f"{table}: only marts can be given"
    segment: list[str] = []
    for name in build_order(models):
        segment.append(name)
        if name in given:
            run_transforms(con, select=segment, upstream=False)
            con.execute(f"delete from {name}")
            _insert(con, name, given[name])
            segment = []
    run_transforms(con, select=segment, upstream=False)


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # Numbers, other values and NULLs sort in separate bands, so mixed columns still order.
    return tuple(
        (2, 0.0, "")
        if v is None
        else (0, round(float(v), 6), "")
        if isinstance(v, int | float)
        else (1, 0.0, str(v))
        for v in row
    )


def _same_value(actual: Any, expected: Any) -> bool:
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        return math.isclose(actual, expected, rel_tol=_FLOAT_TOLERANCE, abs_tol=_FLOAT_TOLERANCE)
    return actual == expected


def _rows_match(actual: list[tuple[Any, ...]], expected: list[tuple[Any, ...]]) -> bool:
    if len(actual) != len(expected):
        return False
    pairs = zip(sorted(actual, key=_sort_key), sorted(expected, key=_sort_key), strict=True)
    return all(
        all(_same_value(a, e) for a, e in zip(got, want, strict=True)) for got, want in pairs
    )


@pytest.mark.parametrize(("model", "case"), _case_params())
def test_model_builds_the_expected_rows_and_passes_its_audits(
    model: str, case: dict[str, Any]
) -> None:
    given = case.get("given") or {}
    con = _warehouse_with({t: rows for t, rows in given.items() if t in SOURCE_DDL})
    _build_with_given_marts(con, {t: rows for t, rows in given.items() if t not in SOURCE_DDL})

    expected_rows = case["expect"]
    columns = list(expected_rows[0]) if expected_rows else ["*"]
    assert all(list(row) == columns for row in expected_rows), "expect rows need the same keys"
    select_list = ", ".join(c if c == "*" else _quoted(c) for c in columns)
    where = f"where {case['where']}" if "where" in case else ""
    actual = con.execute(f"select {select_list} from {model} {where}").fetchall()
    expected = [tuple(row.values()) for row in expected_rows]
    assert _rows_match(actual, expected), (
        f"{model} rows differ\n  actual:   {sorted(actual, key=_sort_key)}\n"
        f"  expected: {sorted(expected, key=_sort_key)}"
    )

    given_marts = {table.split(".")[1] for table in given if table not in SOURCE_DDL}
    failing = {
        name: count
        for name, count in run_audits(con).items()
        if count and name.split("__")[0] not in given_marts
    }
    assert failing == (case.get("audits") or {})


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # one row per list element, the date stepping one day per element
        pytest.param(
            {"date": date(2024, 2, 28), "asset": "SOL", "close_usd": [1.0, 2.0, 3.0]},
            [
                {"date": date(2024, 2, 28), "asset": "SOL", "close_usd": 1.0},
                {"date": date(2024, 2, 29), "asset": "SOL", "close_usd": 2.0},
                {"date": date(2024, 3, 1), "asset": "SOL", "close_usd": 3.0},
            ],
            id="list_values",
        ),
        # _repeat copies a row without lists; _step_days makes the steps weekly
        pytest.param(
            {"date": date(2024, 1, 3), "close_usd": 5.0, "_repeat": 3, "_step_days": 7},
            [
                {"date": date(2024, 1, 3), "close_usd": 5.0},
                {"date": date(2024, 1, 10), "close_usd": 5.0},
                {"date": date(2024, 1, 17), "close_usd": 5.0},
            ],
            id="repeat_weekly",
        ),
        # a plain row is left as it is
        pytest.param({"asset": "BTC"}, [{"asset": "BTC"}], id="plain_row"),
    ],
)
def test_given_rows_unfold_lists_and_repeats_into_dated_rows(
    row: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    assert expand_rows([row]) == expected


def test_every_model_has_a_given_expect_file() -> None:
    tested = {spec["model"] for spec in CASE_FILES.values()}
    assert sorted(set(discover_models()) - tested) == []


def test_every_mart_has_a_grain_uniqueness_audit() -> None:
    audits = {path.stem for path in AUDITS_ROOT.glob("*.sql")}
    marts = [name.split(".")[1] for name in discover_models() if name.startswith("marts.")]
    without_grain_audit = [
        mart for mart in marts if not any(a.startswith(f"{mart}__unique_") for a in audits)
    ]
    assert marts and without_grain_audit == []


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns where table_schema in ('raw', 'meta') "
        "order by table_schema, table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, data_type))
    return columns


def test_source_tables_here_have_the_columns_the_warehouse_bootstrap_creates() -> None:
    bootstrapped = duckdb.connect(":memory:")
    bootstrap(bootstrapped, contracts())
    warehouse_columns = _columns(bootstrapped)

    test_columns = _columns(_warehouse_with({}))

    assert {table: warehouse_columns.get(table) for table in test_columns} == test_columns


def test_unit_rows_in_the_yaml_cases_agree_with_the_fred_unit_registry() -> None:
    registry = {series_id: (unit, per_unit) for series_id, unit, per_unit, _ in fred_unit_rows()}
    given_units = {
        row["series_id"]: (row["unit"], row["usd_bn_per_unit"])
        for spec in CASE_FILES.values()
        for case in spec["cases"].values()
        for row in (case.get("given") or {}).get("meta.fred_series_units", [])
    }

    assert given_units
    assert {series_id: registry.get(series_id) for series_id in given_units} == given_units
