"""GX's expectation configurations, memoised within one validation only (expectations/tuning.py)."""

from __future__ import annotations

import threading

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
