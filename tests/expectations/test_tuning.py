"""GX's expectation configurations, memoised within one validation only (expectations/tuning.py)."""

from __future__ import annotations

import ast
import importlib
import inspect
import threading
from pathlib import Path

import polars as pl
import pytest
from great_expectations.expectations.expectation import Expectation

from expectations import tuning
from expectations.engine import engine
from sources import binance
from tests.expectations.conftest import failed, klines, set_value, validate


def an_expectation() -> Expectation:
    return engine().suites["raw.binance__klines"].expectations[1]


def test_gx_does_not_fingerprint_batches():
    """GX's md5 of every row (40% of a big batch's validation) is off once the engine is built."""
    from great_expectations.execution_engine import pandas_execution_engine

    engine()
    validate(binance.CONTRACT, klines())
    batches = engine().batch_definition.data_asset.datasource.get_execution_engine()
    markers = batches.batch_manager.active_batch_markers
    assert pandas_execution_engine.HASH_THRESHOLD == 0
    assert markers is not None and "pandas_data_fingerprint" not in markers


def test_within_a_validation_a_configuration_is_built_once():
    expectation = an_expectation()

    with tuning.memoized():
        first = expectation.configuration
        assert expectation.configuration is first

    # Outside, GX's own behaviour: a new, equal configuration on every read.
    assert expectation.configuration is not expectation.configuration
    assert expectation.configuration == first


def test_the_memo_is_dropped_after_the_validation_and_sees_later_changes():
    expectation = an_expectation().copy(deep=True)
    with tuning.memoized():
        before = expectation.configuration
    expectation.notes = "changed after the validation"

    with tuning.memoized():
        assert expectation.configuration.notes == "changed after the validation"
    assert before.notes != "changed after the validation"


def test_the_memo_is_per_thread():
    expectation = an_expectation()
    seen = []
    with tuning.memoized():
        mine = expectation.configuration
        worker = threading.Thread(target=lambda: seen.append(expectation.configuration))
        worker.start()
        worker.join()
    assert seen[0] is not mine and seen[0] == mine


def test_nested_memos_restore_the_outer_one():
    expectation = an_expectation()
    with tuning.memoized():
        outer = expectation.configuration
        with tuning.memoized():
            assert expectation.configuration is not outer
        assert expectation.configuration is outer


@pytest.fixture
def gx_unmemoised(monkeypatch):
    """GX's own property, as if tune_gx had never run."""
    monkeypatch.setattr(Expectation, "configuration", tuning._GX_CONFIGURATION)


def _bad_batch() -> pl.DataFrame:
    frame = klines()
    frame = pl.concat([frame, frame.filter(pl.col("symbol") == "BTCUSDT").head(1)])
    return set_value(frame, "low", -5.0, symbol="ETHUSDT", date=frame["date"][2])


def _outcome(result):
    return (
        failed(result),
        dict(result.blocked_streams),
        [(r.expectation, r.success, r.observed_value, r.rows_checked) for r in result.results],
    )


def test_a_memoised_validation_gives_gx_s_own_results(request):
    """The same bad batch (a duplicated key, a negative low), both passes and the failure pass."""
    memoised = _outcome(validate(binance.CONTRACT, _bad_batch()))

    request.getfixturevalue("gx_unmemoised")
    assert Expectation.configuration is tuning._GX_CONFIGURATION
    own = _outcome(validate(binance.CONTRACT, _bad_batch()))

    assert memoised == own
    assert ("expect_key_to_be_unique", "BTCUSDT") in memoised[0]
    assert ("expect_column_values_to_be_between", "ETHUSDT") in memoised[0]


# Every GX internal expectations/tuning.py patches or reads privately, with what GX must still do
# for the patch to mean anything. pyproject.toml bounds great-expectations to the tested minor;
# when that bound is raised, these name the internal a new GX dropped (a patch of a name GX no
# longer reads fails nothing by itself: it just stops working).
GX_INTERNALS = {
    # tune_gx sets it to 0: GX must define it and read the module global when it fingerprints.
    "great_expectations.execution_engine.pandas_execution_engine.HASH_THRESHOLD": "global",
    # tuning keeps GX's property (calls its fget) and installs its own in its place.
    "great_expectations.expectations.expectation.Expectation.configuration": "property",
}


def _gx_source(module_name: str) -> ast.Module:
    """GX's own source of a module: what GX defines, whatever tune_gx has patched since."""
    return ast.parse(inspect.getsource(importlib.import_module(module_name)))


def _defines_and_reads_global(module_name: str, name: str) -> bool:
    """The module assigns ``name`` at top level and a function in it reads the global."""
    tree = _gx_source(module_name)
    targets = [
        target
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    ]
    defined = any(isinstance(t, ast.Name) and t.id == name for t in targets)
    read = any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
    )
    return defined and read


def _defines_property(module_name: str, class_name: str, name: str) -> bool:
    """The module's class ``class_name`` defines ``name`` as a ``@property``."""
    return any(
        isinstance(cls, ast.ClassDef)
        and cls.name == class_name
        and any(
            isinstance(member, ast.FunctionDef)
            and member.name == name
            and any(isinstance(d, ast.Name) and d.id == "property" for d in member.decorator_list)
            for member in cls.body
        )
        for cls in _gx_source(module_name).body
    )


def gx_still_has(path: str, kind: str) -> bool:
    """Whether GX (not our patch) still defines the internal at ``path`` the way tuning uses it."""
    if kind == "global":
        module_name, name = path.rsplit(".", 1)
        return hasattr(importlib.import_module(module_name), name) and _defines_and_reads_global(
            module_name, name
        )
    module_name, class_name, name = path.rsplit(".", 2)
    cls = getattr(importlib.import_module(module_name), class_name, None)
    return isinstance(inspect.getattr_static(cls, name, None), property) and _defines_property(
        module_name, class_name, name
    )


@pytest.mark.parametrize("path", sorted(GX_INTERNALS), ids=lambda p: p.rsplit(".", 1)[-1])
def test_every_gx_internal_tuning_patches_is_still_in_gx(path):
    assert gx_still_has(path, GX_INTERNALS[path]), (
        f"{path} is gone: expectations/tuning.py patches it"
    )


def test_the_internals_checked_are_every_gx_attribute_tuning_touches():
    """``X.attr`` in expectations/tuning.py, for each X imported from great_expectations."""
    tree = ast.parse(Path(inspect.getfile(tuning)).read_text())
    imported = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module.startswith("great_expectations")
        for alias in node.names
    }
    touched = {
        f"{imported[node.value.id]}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in imported
    }

    assert touched == set(GX_INTERNALS)
