"""The quality gate in the real flow: each bad-data injection is caught, quarantined, flagged."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from flows.nightly import nightly
from rotation_kernel.settings import settings_env
from sources.catalog import SOURCES
from tests.conftest import WITHOUT_ARCHIVE
from warehouse.db import connect, table_checksum
from warehouse.quarantine import quarantine_table

pytestmark = pytest.mark.flow

START, END = date(2023, 1, 1), date(2023, 12, 31)  # every injection date lies in 2023


@pytest.fixture(scope="module")
def clean_build(prefect_harness, emulator, tmp_path_factory):
    """One clean published warehouse over START..END, copied by each test."""
    path = tmp_path_factory.mktemp("clean") / "rotation.duckdb"
    with settings_env({**emulator.settings_overrides(), **WITHOUT_ARCHIVE, "warehouse": path}):
        assert nightly(start=START, end=END, mode="test").status == "success"
    return path


@pytest.fixture
def bad_run(clean_build, emulator, tmp_path):
    """Re-run the same window with one kind of bad data injected; returns (summary, path)."""

    def run(kind: str, *, fresh: bool = False):
        path = tmp_path / "rotation.duckdb"
        if not fresh:
            shutil.copyfile(clean_build, path)
        emulator.inject(kind)
        try:
            with settings_env(
                {**emulator.settings_overrides(), **WITHOUT_ARCHIVE, "warehouse": path}
            ):
                return nightly(start=START, end=END, mode="test"), path
        finally:
            emulator.clear_bad_data()

    return run


def failed_expectations(path, run_id: str) -> dict[str, set[str]]:
    """stream -> the block expectations that failed for it in this run."""
    with connect(path, read_only=True) as con:
        rows = con.execute(
            "select coalesce(stream, suite), expectation from meta.validation_results "
            "where run_id = ? and not success and severity = 'block'",
            [run_id],
        ).fetchall()
    out: dict[str, set[str]] = {}
    for stream, expectation in rows:
        out.setdefault(stream, set()).add(expectation)
    return out


# kind, the stream it must block, a fragment of the expectation that must catch it
CASES = [
    pytest.param("duplicate_bars", "binance/BTCUSDT", "unique", id="duplicate_bars"),
    pytest.param("negative_price", "yahoo/^RUT", "between", id="negative_price"),
    pytest.param("truncated_day", "binance/ETHUSDT", "gap", id="truncated_day"),
    pytest.param("fred_unit_error", "fred/WALCL", "jump", id="fred_unit_error"),
    pytest.param("missing_tga_row", "treasury/operating_cash_balance", "tga", id="missing_tga_row"),
]


class TestBadDataIsQuarantined:
    @pytest.mark.parametrize(("kind", "stream", "catcher"), CASES)
    def test_the_right_expectation_blocks_only_the_bad_stream(
        self, bad_run, clean_build, kind, stream, catcher
    ):
        """The bad stream is quarantined, the run is partial, marts keep the last good values."""
        with connect(clean_build, read_only=True) as con:
            marts_before = {
                t: table_checksum(con, t)
                for t in ("marts.fct_net_liquidity", "marts.fct_asset_daily")
            }
        summary, path = bad_run(kind)

        assert summary.status == "partial"
        assert list(summary.quarantined) == [stream]
        source, name = stream.split("/")
        failed = failed_expectations(path, summary.run_id)
        assert any(catcher in e.lower() for e in failed[name]), failed
        with connect(path, read_only=True) as con:
            (quarantined,) = con.execute(
                f"select count(*) from {quarantine_table(SOURCES[source].CONTRACT)}"
                " where _run_id = ?",
                [summary.run_id],
            ).fetchone()
            status, stale = con.execute(
                "select status, stale_sources from meta.runs where run_id = ?", [summary.run_id]
            ).fetchone()
            marts_after = {t: table_checksum(con, t) for t in marts_before}
            other_loads = con.execute(
                "select count(*) from meta.load_results where run_id = ? and source <> ?",
                [summary.run_id, source],
            ).fetchone()[0]
        assert quarantined == summary.quarantined[stream] > 0
        assert (status, stale) == ("partial", [source])
        assert marts_after == marts_before  # same window, same good data: the marts did not move
        assert other_loads > 0  # the other sources still loaded


class TestUnitErrorNeverReachesTheMart:
    def test_a_1000x_walcl_value_on_a_fresh_warehouse_never_reaches_fct_net_liquidity(
        self, bad_run
    ):
        """Even with no earlier good data, the 1000x WALCL batch is stopped before the marts."""
        summary, path = bad_run("fred_unit_error", fresh=True)
        assert "fred/WALCL" in summary.quarantined
        with connect(path, read_only=True) as con:
            (biggest,) = con.execute(
                "select max(walcl_usd_bn) from marts.fct_net_liquidity"
            ).fetchone()
            (raw_walcl,) = con.execute(
                "select count(*) from raw.fred__observations where series_id = 'WALCL'"
            ).fetchone()
        assert biggest is None or biggest < 12_000
        assert raw_walcl == 0
