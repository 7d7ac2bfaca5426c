"""The key-uniqueness check: GX's answer (``~duplicated(keep=False)``), fast on sorted batches."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import polars as pl
import pytest

from expectations.custom.key import key_unique, strictly_increasing
from expectations.frames import to_pandas
from sources import binance
from tests.expectations.conftest import failed, klines, validate


def keys(symbols: list[str], times: list[int | None]) -> pd.DataFrame:
    """A (symbol, open_time) key frame as GX gets it (Arrow strings, numpy or nullable ints)."""
    return to_pandas(
        pl.DataFrame(
            {"symbol": symbols, "open_time": times}, schema_overrides={"open_time": pl.Int64}
        )
    )


@pytest.mark.parametrize(
    ("symbols", "times", "increasing"),
    [
        pytest.param(["A", "A", "B", "B"], [1, 2, 1, 2], True, id="sorted"),
        pytest.param(["A", "B"], [5, 1], True, id="first-column-decides"),
        pytest.param(["A", "A", "B"], [1, 1, 2], False, id="a-tie"),
        pytest.param(["A", "A"], [2, 1], False, id="a-decrease-in-the-second-column"),
        pytest.param(["B", "A"], [1, 2], False, id="a-decrease-in-the-first-column"),
        pytest.param(["A", "A"], [1, None], False, id="a-missing-value"),
        pytest.param(["A"], [1], True, id="one-row"),
    ],
)
def test_strictly_increasing(symbols, times, increasing):
    assert strictly_increasing(keys(symbols, times)) is increasing


def test_it_answers_as_gx_does_on_random_batches():
    """Sorted or not, with repeats and missing values: the same rows as pandas' duplicated."""
    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(0, 40))
        symbols = [str(s) for s in rng.choice(["A", "B", "C"], n)]
        times = [None if rng.random() < 0.05 else int(t) for t in rng.integers(0, 15, n)]
        frame = keys(symbols, times)
        if trial % 2:  # half of them sorted, as pages usually arrive
            frame = frame.sort_values(["symbol", "open_time"], ignore_index=True)
        expected = ~frame.duplicated(keep=False)
        pd.testing.assert_series_equal(key_unique(frame), expected, check_names=False)


def test_a_sorted_batch_with_a_repeated_key_still_fails_both_rows():
    """The repeat sorts next to its twin: the fast path sees the tie and hashes."""
    frame = klines(dates=[date(2024, 3, d) for d in range(1, 7)])
    twin = frame.filter(pl.col("symbol") == "ETHUSDT").tail(1)
    frame = pl.concat([frame, twin]).sort("symbol", "open_time")

    result = validate(binance.CONTRACT, frame)

    assert failed(result)[("expect_key_to_be_unique", "ETHUSDT")] == 2
    assert list(result.blocked_streams) == ["ETHUSDT"]
