"""How a batch reaches GX's pandas engine (expectations/frames.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import polars as pl

from expectations.frames import to_pandas


def batch(n: int = 1000) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "symbol": ["BTCUSDT"] * n,
            "open_time": np.arange(n, dtype=np.int64) * 60_000,
            "date": [date(2024, 3, 1)] * n,
            "close": np.linspace(1.0, 2.0, n),
            "trades": pl.Series([1, None] * (n // 2), dtype=pl.Int64),
        }
    )


def test_types_are_the_ones_the_suites_name():
    frame = to_pandas(batch())

    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "symbol": "string",
        "open_time": "Int64",  # a batch with a null integer: nullable, not silently float
        "date": "datetime64[ns]",  # GX compares only ns datetimes vectorised
        "close": "float64",
        "trades": "Int64",
    }
    assert frame["trades"].isna().sum() == 500
    assert str(to_pandas(batch().drop("trades"))["open_time"].dtype) == "int64"


def test_numeric_columns_share_the_batch_s_buffers():
    """No copy of a big batch: each numeric column is its own block over the Arrow buffer
    (a consolidated frame copies every float and int column into one 2-D block)."""
    polars = batch(100_000).drop("trades")
    frame = to_pandas(polars)

    for column in ("open_time", "close"):
        assert np.shares_memory(frame[column].to_numpy(), polars[column].to_numpy())
    assert isinstance(frame, pd.DataFrame) and len(frame) == 100_000
