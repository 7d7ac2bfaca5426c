"""The nightly flow loads the Binance public-data archive: delisted coins, reruns, bad checksums.

The window (2022-04 .. 2022-07) holds LUNA's delisting (last candle 2022-05-13), the new coin
listed under the same symbol on 2022-05-31, and FTTUSDT-1d-2022-06.zip, whose checksum the
``archive_checksum_mismatch`` injection corrupts.
"""

from __future__ import annotations

from datetime import date

import pytest

from flows.nightly import nightly
from rotation_kernel.settings import settings_env
from tests.conftest import pipeline_overrides
from warehouse.db import connect, table_checksum

pytestmark = pytest.mark.flow

START, END = date(2022, 4, 1), date(2022, 7, 31)
# The archive alone, plus the live BTC klines the staging model converts BTC-quoted volume with.
SOURCES = "binance_archive,binance"
RAW = "raw.binance_archive__klines"


def run(emulator, warehouse):
    overrides = {**pipeline_overrides(emulator, warehouse), "sources": SOURCES}
    with settings_env(overrides):
        return nightly(start=START, end=END, mode="test")


@pytest.fixture(scope="module")
def loaded(prefect_harness, emulator, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("archive") / "rotation.duckdb"
    summary = run(emulator, warehouse)
    assert summary.status == "success", summary.failed_streams
    return warehouse, summary


class TestArchiveRun:
    def test_a_delisted_coin_and_the_coin_that_reuses_its_symbol_are_both_loaded(self, loaded):
        warehouse, _ = loaded
        with connect(warehouse, read_only=True) as con:
            luna = con.execute(
                f"select min(date), max(date) from {RAW} where symbol = 'LUNAUSDT' "
                "and date <= '2022-05-20'"
            ).fetchone()
            reuse = con.execute(
                f"select min(date) from {RAW} where symbol = 'LUNAUSDT' and date > '2022-05-20'"
            ).fetchone()
            listings = con.execute(
                "select listing_id, min(date), max(date) from staging.stg_binance_archive_klines "
                "where symbol = 'LUNAUSDT' group by all order by 2"
            ).fetchall()
            bounds = con.execute(f"select min(date), max(date) from {RAW}").fetchone()
        assert luna == (START, date(2022, 5, 13))
        assert reuse == (date(2022, 5, 31),)
        assert [row[0] for row in listings] == ["LUNA@2022-04-01", "LUNA@2022-05-31"]
        assert bounds == (START, END)  # the monthly files' days outside the window are dropped

    def test_a_second_run_over_the_window_changes_nothing(self, loaded, emulator):
        warehouse, _ = loaded
        with connect(warehouse, read_only=True) as con:
            before = table_checksum(con, RAW)
        summary = run(emulator, warehouse)
        assert summary.status == "success", summary.failed_streams
        archive = next(r for r in summary.loads if r.source == "binance_archive")
        assert (archive.rows_inserted, archive.rows_updated) == (0, 0)
        assert archive.rows_in > 0  # it did read the files again
        with connect(warehouse, read_only=True) as con:
            assert table_checksum(con, RAW) == before

    def test_a_checksum_mismatch_fails_the_stream_loads_none_of_it_and_names_the_file(
        self, emulator, tmp_path
    ):
        warehouse = tmp_path / "rotation.duckdb"
        emulator.inject("archive_checksum_mismatch")
        try:
            summary = run(emulator, warehouse)
        finally:
            emulator.clear_bad_data()
        assert summary.status != "success"
        error = summary.failed_streams["binance_archive/klines"]
        assert "FTTUSDT-1d-2022-06.zip" in error and "sha256" in error.lower()
        assert "binance/BTCUSDT" not in summary.failed_streams
        with connect(warehouse, read_only=True) as con:
            assert con.execute(f"select count(*) from {RAW}").fetchone() == (0,)
            watermark = con.execute(
                "select count(*) from meta.load_state where source = 'binance_archive'"
            ).fetchone()
            btc = con.execute("select count(*) from raw.binance__klines").fetchone()[0]
        assert watermark == (0,)  # the next run reads the same window again
        assert btc > 0
