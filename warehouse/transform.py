"""Build the transforms (transforms/<schema>/<table>.sql or .py) in dependency order; run audits."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb

from rotation_kernel.errors import PipelineError

REPO_ROOT = Path(__file__).resolve().parent.parent
TRANSFORMS_ROOT = REPO_ROOT / "transforms"
AUDITS_ROOT = REPO_ROOT / "expectations" / "audits"

# Materialisation is set by folder, never per file (STYLE rule 12). Only these folders hold
# models; a reference to raw.* or meta.* is a source table the warehouse loads, not a model.
MATERIALIZATION: Mapping[str, str] = {"staging": "view", "marts": "table"}

# Identifiers come from file paths and are spliced into DDL, so they are checked first.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_AUDIT_NAME = re.compile(r"^[a-z][a-z0-9_]*?__[a-z0-9_]+$")
# String literals and comments, matched in one pass so that "--" inside a string is not a
# comment and a table name inside a comment (the header's "-- name:") is not a reference.
_LITERALS_AND_COMMENTS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_HEADER_NAME = re.compile(r"^--\s*name:\s*(\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Model:
    """One transform file: what it builds, how, and which models it reads."""

    schema: str
    table: str
    path: Path
    depends_on: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def materialization(self) -> str:
        return MATERIALIZATION[self.schema]


def sql_references(sql: str, schemas: Iterable[str] = MATERIALIZATION) -> set[str]:
    """The ``<schema>.<table>`` names a SQL text reads from the given schemas.

    Comments and string literals are ignored. Quoted identifiers are not recognised, so
    models must reference each other unquoted (as the house style writes them anyway).

    Returns:
        Qualified, lower-cased names such as ``staging.stg_yahoo_bars``.
    """
    code = _LITERALS_AND_COMMENTS.sub(" ", sql).lower()
    alternatives = "|".join(re.escape(s) for s in schemas)
    pattern = re.compile(rf"(?<![\w.])({alternatives})\.([a-z_][a-z0-9_]*)\b")
    return {f"{schema}.{table}" for schema, table in pattern.findall(code)}


def _python_depends_on(path: Path) -> set[str]:
    """Read a Polars model's ``DEPENDS_ON`` tuple without importing (running) the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "DEPENDS_ON" for t in targets):
            try:
                names = ast.literal_eval(node.value) if node.value is not None else None
            except (ValueError, TypeError, SyntaxError):
                names = None
            if not isinstance(names, tuple | list) or not all(isinstance(n, str) for n in names):
                raise PipelineError(f"{path}: DEPENDS_ON must be a literal tuple of model names")
            return set(names)
    raise PipelineError(
        f"{path}: a Python model must declare DEPENDS_ON = (...) naming the models it reads"
    )


def _read_model(schema: str, path: Path) -> Model:
    table = path.stem
    if not _IDENTIFIER.match(table):
        raise PipelineError(f"{path}: model file name must match {_IDENTIFIER.pattern}")
    if path.suffix == ".py":
        if MATERIALIZATION[schema] != "table":
            raise PipelineError(f"{path}: Python models can only build tables, not {schema} views")
        depends_on = _python_depends_on(path)
    else:
        sql = path.read_text()
        header = _HEADER_NAME.search(sql)
        if header and header.group(1) != f"{schema}.{table}":
            raise PipelineError(
                f"{path}: header says '-- name: {header.group(1)}' but the path makes it "
                f"{schema}.{table}"
            )
        depends_on = sql_references(sql)
    return Model(schema, table, path, frozenset(depends_on))


def discover_models(root: Path = TRANSFORMS_ROOT) -> dict[str, Model]:
    """Every model under ``root``: ``<schema>/<table>.sql`` or ``<schema>/<table>.py``.

    Returns:
        Models keyed by qualified name.

    Raises:
        PipelineError: for a folder with no materialisation, a bad file name, a table
            defined twice, a header naming another table, or a reference to a model in a
            model schema that does not exist.
    """
    models: dict[str, Model] = {}
    # A folder holding a Python package (an __init__.py) is library code the Python models
    # import, such as transforms/stats, not a schema of models.
    folders = sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith("_") and not (p / "__init__.py").exists()
    )
    for folder in folders:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.suffix in (".sql", ".py") and not p.name.startswith("_")
        )
        if not files:
            continue
        if folder.name not in MATERIALIZATION:
            raise PipelineError(
                f"{folder}: no materialisation is defined for schema {folder.name!r} "
                f"(known: {', '.join(MATERIALIZATION)})"
            )
        for path in files:
            model = _read_model(folder.name, path)
            if model.name in models:
                raise PipelineError(
                    f"{model.name} is defined twice: {models[model.name].path} and {path}"
                )
            models[model.name] = model
    for model in models.values():
        missing = sorted(model.depends_on - models.keys())
        if missing:
            raise PipelineError(
                f"{model.name} ({model.path}) references {missing[0]}, which is not a model: "
                f"expected {root / missing[0].replace('.', '/')}.sql or .py"
            )
    return models


def build_order(models: Mapping[str, Model], select: Iterable[str] | None = None) -> list[str]:
    """Order models so each comes after everything it reads (ties broken by name).

    Args:
        models: models keyed by qualified name, as from ``discover_models``.
        select: build only these models and what they read (all models when None).

    Raises:
        PipelineError: on a dependency cycle (the message spells the cycle out) or an
            unknown selected model.
    """
    wanted = set(models) if select is None else set(select)
    unknown = sorted(wanted - models.keys())
    if unknown:
        raise PipelineError(f"cannot select {', '.join(unknown)}: no such model")
    pending = list(wanted)
    while pending:  # close the selection over its upstream models
        for ref in models[pending.pop()].depends_on - wanted:
            wanted.add(ref)
            pending.append(ref)
    sorter = TopologicalSorter({name: models[name].depends_on for name in wanted})
    try:
        sorter.prepare()
    except CycleError as exc:
        # graphlib lists each node before the one that reads it; reversed, each reads the next
        cycle = " -> ".join(reversed(exc.args[1]))
        raise PipelineError(f"dependency cycle (each reads the next): {cycle}") from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def _strip_sql(sql: str) -> str:
    """The statement without a trailing semicolon, so it can be wrapped in DDL."""
    return sql.strip().rstrip(";").rstrip()


def _build_python(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    spec = importlib.util.spec_from_file_location(
        f"_model_{model.schema}_{model.table}", model.path
    )
    if spec is None or spec.loader is None:
        raise PipelineError(f"{model.path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        result = module.build(con)
    except duckdb.Error:
        raise
    except Exception as exc:
        # the model's own code failed: report it like a failing SQL model, cause attached
        raise PipelineError(f"transform {model.name} ({model.path}) failed: {exc!r}") from exc
    view_name = f"_build_{model.schema}_{model.table}"
    con.register(view_name, result)
    try:
        con.execute(f"create or replace table {model.name} as select * from {view_name}")
    finally:
        con.unregister(view_name)


def _build(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    con.execute(f"create schema if not exists {model.schema}")
    if model.path.suffix == ".py":
        _build_python(con, model)
        return
    body = _strip_sql(model.path.read_text())
    # Newlines around the body: it starts with its header comment and may end with one.
    con.execute(f"create or replace {model.materialization} {model.name} as\n{body}\n")


def run_transforms(
    con: duckdb.DuckDBPyConnection,
    root: Path = TRANSFORMS_ROOT,
    *,
    select: Iterable[str] | None = None,
    upstream: bool = True,
) -> list[str]:
    """Build every model under ``root`` (staging as views, marts as tables), upstream first.

    Each model is ``create or replace``d, so running again rebuilds the same objects.

    Args:
        con: an open warehouse connection whose raw and meta tables already exist.
        root: the transforms folder.
        select: build only these qualified names and their upstream models.
        upstream: with ``select``, False builds exactly the selected models (in dependency
            order) and reads their upstream models as they already are in ``con``.

    Returns:
        The qualified names built, in build order.

    Raises:
        PipelineError: for a bad model tree (see ``discover_models``/``build_order``) or a
            model whose SQL or Python fails; the message names the model and file.
    """
    models = discover_models(root)
    order = build_order(models, select)
    if select is not None and not upstream:
        chosen = set(select)
        order = [name for name in order if name in chosen]
    # DuckDB plans an ASOF join as a nested loop when it expects at most this many rows on
    # the left. A calendar spine unnested from one generate_series row is estimated at ONE
    # row, so every spine-driven asof join went quadratic (34 s instead of 0.02 s for
    # fct_net_liquidity over 190 years). 0 always picks the sort-merge plan.
    (previous,) = con.execute("select current_setting('asof_loop_join_threshold')").fetchall()[0]
    con.execute("set asof_loop_join_threshold = 0")
    try:
        for name in order:
            model = models[name]
            try:
                _build(con, model)
            except duckdb.Error as exc:
                raise PipelineError(f"transform {name} ({model.path}) failed: {exc}") from exc
    finally:
        con.execute(f"set asof_loop_join_threshold = {int(previous)}")
    return order


def run_audits(con: duckdb.DuckDBPyConnection, root: Path = AUDITS_ROOT) -> dict[str, int]:
    """Run every ``<model>__<check>.sql`` audit; each selects the rows that break its check.

    Returns:
        Bad-row count per audit name (file stem), in name order; 0 means the check passed.

    Raises:
        PipelineError: for a badly named audit file or an audit whose SQL fails.
    """
    counts: dict[str, int] = {}
    for path in sorted(root.glob("*.sql")):
        if not _AUDIT_NAME.match(path.stem):
            raise PipelineError(f"{path}: audit files are named <model>__<check>.sql")
        sql = f"select count(*) from (\n{_strip_sql(path.read_text())}\n) as offending_rows"
        try:
            # fetchall, not fetchone: DuckDB 2 keeps a half-read result open on the connection
            # and refuses further relational work until it is drained
            ((count,),) = con.execute(sql).fetchall()
        except duckdb.Error as exc:
            raise PipelineError(f"audit {path.stem} ({path}) failed to run: {exc}") from exc
        counts[path.stem] = int(count)
    return counts
