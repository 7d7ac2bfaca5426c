"""A tiny load contract and spool helpers shared by the warehouse tests."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from rotation_kernel.contract import LoadContract
from warehouse.db import bootstrap, connect
from warehouse.spool import Spool

PRICES = LoadContract(
    source="test",
    resource="prices",
    schema={"symbol": pl.Utf8, "date": pl.Date, "close": pl.Float64},
    primary_key=("symbol", "date"),
    disposition="merge",
    cursor="date",
    stream_key="symbol",
    initial_value=date(2015, 1, 1),
    lookback_days=3,
    reason="test contract",
)


def frame(rows: list[tuple[str, date, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=list(PRICES.schema.items()), orient="row")


@pytest.fixture
def spool(tmp_path):
    return Spool(tmp_path / "spool")


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    bootstrap(con, [PRICES])
    yield con
    con.close()


def spooled(spool: Spool, stream: str, *pages: list[tuple[str, date, float]]):
    s = spool.writer(PRICES, stream)
    for rows in pages:
        spool.write(s, PRICES, frame(rows))
    return s
