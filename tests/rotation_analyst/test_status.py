"""`rotation status` data: runs, watermarks judged against publication lags, failures, the file."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import duckdb
import pytest
from rich.console import Console

from rotation_analyst.console import status_group
from rotation_analyst.status import (
    Lag,
    WarehouseStatus,
    describe_setup,
    parse_lag,
    setup_state,
    warehouse_status,
)
from tests.rotation_analyst.demo_warehouse import FRED_FRESHNESS, LAST_RUN, YAHOO_FRESHNESS
from tests.rotation_analyst.thesis_marts import thesis_connection
from warehouse import connect


class TestParseLag:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            # FRED: 7 business days for weekly H.4.1 series, RRPONTSYD daily (4)
            pytest.param(FRED_FRESHNESS, Lag(7, {"RRPONTSYD": 4}, True), id="fred_by_stream"),
            # Yahoo: calendar days, one lag for every symbol
            pytest.param(YAHOO_FRESHNESS, Lag(4, {}, False), id="yahoo_calendar_days"),
            # any other expectation carries no lag
            pytest.param("expect_column_values_to_not_be_null(column=x)", None, id="not_freshness"),
        ],
    )
    def test_the_lag_is_read_back_from_the_recorded_expectation(self, text, expected):
        assert parse_lag(text) == expected

    @pytest.mark.parametrize(
        ("newest", "today", "business", "age"),
        [
            # Wed 2021-12-29 -> Mon 2022-01-03: Wed, Thu and Fri (the end day is not counted)
            pytest.param(date(2021, 12, 29), date(2022, 1, 3), True, 3, id="business_days"),
            # the same span in calendar days
            pytest.param(date(2021, 12, 29), date(2022, 1, 3), False, 5, id="calendar_days"),
        ],
    )
    def test_age_counts_days_the_way_the_suite_does(self, newest, today, business, age):
        assert Lag(7, {}, business).age(newest, today) == age


@pytest.fixture(scope="module")
def status(demo_warehouse):
    with connect(demo_warehouse) as con:
        return warehouse_status(con, demo_warehouse, today=date(2022, 1, 5))


class TestWarehouseStatus:
    def test_the_newest_run_comes_first_and_says_synthetic(self, status):
        """Runs are newest first with their outcome and data_origin."""
        runs = [(r["run_id"], r["status"], r["data_origin"]) for r in status.runs]
        assert runs == [(LAST_RUN, "success", "synthetic"), ("run-old", "partial", "live")]
        assert status.last_run["window_end"] == date(2021, 12, 31)

    def test_each_raw_table_is_judged_against_its_own_publication_lag(self, status):
        """On Wed 2022-01-05: FRED's Wednesday 2021-12-29 is 5 business days old (allowed 7) but
        RRPONTSYD (2021-12-30, allowed 4) is 4: fresh; Yahoo's Friday bars are 5 calendar days
        old, over its 4; Binance has no recorded lag."""
        judged = {
            f.table: (f.streams, f.newest, f.age, f.allowed, f.state) for f in status.freshness
        }
        assert judged == {
            "raw.binance__klines": (9, date(2021, 12, 31), None, None, "unknown lag"),
            "raw.fred__observations": (4, date(2021, 12, 30), 4, 4, "fresh"),
            "raw.yahoo__chart": (4, date(2021, 12, 31), 5, 4, "STALE: IWM, SPY, ^GSPC, ^RUT"),
        }

    def test_only_the_last_runs_failures_are_listed(self, status):
        """The old run's failed freshness check is history; the last run's warning is shown."""
        assert [(f["suite"], f["stream"], f["rows_failed"]) for f in status.failures] == [
            ("raw.yahoo__chart", "IWM", 3)
        ]

    def test_the_file_size_is_the_published_files(self, status, demo_warehouse):
        assert status.size_bytes == demo_warehouse.stat().st_size > 1_000_000


class TestSetup:
    def test_a_setup_that_holds_prints_on_since_its_first_session(self):
        """The fixture's last session (2021-12-31) is the third of a run that began 2021-12-29."""
        with thesis_connection(is_setup_on=True) as con:
            lines = describe_setup(setup_state(con))
        assert lines == [
            "setup ON since 2021-12-29 (latest session 2021-12-31)",
            "liquidity: 13-week impulse +1.38% of WALCL (+120.0 USD bn, WALCL of 2021-12-29): "
            "expanding (above the threshold)",
            "R2K strong uptrend: ON (raw daily condition on, RUT close 2,245.00)",
        ]

    def test_a_setup_that_broke_prints_off_and_which_condition_failed(self):
        """Liquidity stopped expanding on the last session; the R2K uptrend still holds."""
        with thesis_connection(is_setup_on=False) as con:
            state = setup_state(con)
        assert state.setup_since_date is None
        assert describe_setup(state)[:2] == [
            "setup OFF at the latest session (2021-12-31)",
            "liquidity: 13-week impulse +0.23% of WALCL (+20.0 USD bn, WALCL of 2021-12-29): "
            "not expanding (not above the threshold)",
        ]

    def test_a_warehouse_without_the_mart_says_how_to_build_it(self):
        with duckdb.connect() as con:
            assert setup_state(con) is None
        assert describe_setup(None) == ["thesis marts not built yet - run `rotation run`"]

    def test_the_terminal_status_shows_the_setup_right_after_the_header(self, tmp_path):
        with thesis_connection() as con:
            setup = setup_state(con)
        status = WarehouseStatus(
            path=tmp_path / "rotation.duckdb",
            size_bytes=0,
            modified_at=datetime(2022, 1, 1, tzinfo=UTC),
            runs=[],
            freshness=[],
            failures=[],
            setup=setup,
        )
        console = Console(file=io.StringIO(), width=160)
        console.print(status_group(status))
        out = console.file.getvalue()
        assert "setup ON since 2021-12-29 (latest session 2021-12-31)" in out
        assert out.index("rotation status") < out.index("setup ON") < out.index("Last runs")
