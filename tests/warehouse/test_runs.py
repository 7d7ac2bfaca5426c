"""Run records (warehouse.runs): the summary, the meta.runs row and the counts a run reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from expectations.results import ExpectationResult
from tests.warehouse.conftest import PRICES, spooled
from warehouse.gate import GateOutcome
from warehouse.load import LoadResult, load_stream
from warehouse.quarantine import ensure_tables, record_validation
from warehouse.runs import RunSummary, by_source, close_run, count_rows, covering, record_run

STARTED = datetime(2024, 7, 31, 2, 0, tzinfo=UTC)
FINISHED = datetime(2024, 7, 31, 2, 5, tzinfo=UTC)
W = (date(2024, 1, 1), date(2024, 1, 31))


def summary(**fields) -> RunSummary:
    return RunSummary("run-1", "running", Path("w.duckdb"), "synthetic", **fields)


def result(stream: str, rows_in: int, inserted: int, updated: int) -> LoadResult:
    return LoadResult("test", "prices", stream, rows_in, inserted, updated, date(2024, 1, 2))


def failure(run_id: str, stream: str) -> ExpectationResult:
    return ExpectationResult(
        run_id,
        "raw.test__prices",
        "expect_x",
        "close",
        stream,
        False,
        "[]",
        "block",
        5,
        2,
        "2 bad rows",
    )


def runs_row(con) -> tuple:
    return con.execute("select * exclude (started_at, finished_at) from meta.runs").fetchone()


class TestRunSummary:
    def test_stale_sources_are_those_with_a_failed_or_quarantined_stream(self):
        s = summary(
            failed_streams={"yahoo/^RUT": "503", "fred/DFF": "503"},
            quarantined={"fred/WALCL": 3, "treasury/cash": 1},
        )
        assert s.stale_sources == ["fred", "treasury", "yahoo"]  # sorted, each source once

    def test_absorb_prefixes_the_gates_streams_with_their_source(self):
        s = summary(warnings=["earlier"])
        outcome = GateOutcome(quarantined={"WALCL": 12}, failed={"DFF": "drift"}, warnings=["w"])
        s.absorb("fred", outcome)
        assert (s.quarantined, s.failed_streams) == ({"fred/WALCL": 12}, {"fred/DFF": "drift"})
        assert s.warnings == ["earlier", "w"]
        assert outcome.refused == {"WALCL", "DFF"}


class TestGrouping:
    def test_streams_are_grouped_by_source_in_first_seen_order(self, spool):
        a, b, c = (spooled(spool, s, [(s, date(2024, 1, 2), 1.0)]) for s in ("A", "B", "C"))
        grouped = by_source([("yahoo", a), ("fred", b), ("yahoo", c)])
        assert list(grouped) == ["yahoo", "fred"]
        assert [s.stream for s in grouped["yahoo"]] == ["A", "C"]

    def test_the_covering_window_runs_from_the_first_start_to_the_last_end(self):
        windows = [(date(2024, 3, 1), date(2024, 3, 9)), (date(2024, 1, 5), date(2024, 2, 1))]
        assert covering(windows) == (date(2024, 1, 5), date(2024, 3, 9))


class TestRecordRun:
    def test_the_row_sums_the_loads_and_notes_failures_quarantines_and_fallbacks(self, con):
        s = summary(
            loads=[result("A", 10, 7, 2), result("B", 5, 5, 0)],
            failed_streams={"yahoo/^RUT": "HTTP 503"},
            quarantined={"fred/WALCL": 4},
            fallbacks={"binance/BTCUSDT": "coinbase/BTC-USD"},
        )
        s.status = "partial"
        record_run(
            con,
            s,
            name="nightly-test",
            started_at=STARTED,
            mode="test",
            start=None,
            end=date(2024, 7, 31),
            finished_at=FINISHED,
        )
        assert runs_row(con) == (
            "run-1",
            "nightly-test",
            "partial",
            "synthetic",
            "test",
            None,  # incremental: no requested start
            date(2024, 7, 31),
            15,  # rows in: 10 + 5
            12,  # inserted: 7 + 5
            2,  # updated
            ["fred", "yahoo"],
            "failed yahoo/^RUT: HTTP 503; quarantined fred/WALCL: 4 rows; "
            "fell back binance/BTCUSDT -> coinbase/BTC-USD",
        )
        times = con.execute("select started_at, finished_at from meta.runs").fetchone()
        assert times == (STARTED, FINISHED)

    def test_a_clean_run_has_no_notes(self, con):
        s = summary()
        s.status = "success"
        record_run(con, s, name=None, started_at=STARTED, mode="run", start=W[0], end=W[1])
        # rows in, inserted, updated; no stale source; no notes
        assert runs_row(con)[-5:] == (0, 0, 0, [], None)


class TestCounts:
    def test_row_counts_name_every_raw_table_and_only_non_empty_quarantine_tables(self, con, spool):
        ensure_tables(con, [PRICES])
        a = spooled(spool, "A", [("A", date(2024, 1, 2), 1.0)])
        load_stream(con, PRICES, a, run_id="r", window=W)
        counts = count_rows(con)
        assert counts["raw.test__prices"] == 1
        assert not [name for name in counts if name.startswith("quarantine.")]

    def test_closing_a_run_sets_its_status_records_it_and_reads_counts_and_watermarks(
        self, con, spool
    ):
        """A quarantined stream makes the run partial; the row, counts and watermark follow."""
        a = spooled(spool, "A", [("A", date(2024, 1, 2), 1.0)])
        load_stream(con, PRICES, a, run_id="run-1", window=W)
        ensure_tables(con, [PRICES])
        record_validation(con, [failure("run-1", "B"), failure("run-0", "A")])
        s = summary(quarantined={"test/B": 2})
        close_run(con, s, name="n", started_at=STARTED, mode="test", start=W[0], end=W[1])
        assert s.status == "partial"
        assert con.execute("select status from meta.runs").fetchall() == [("partial",)]
        assert s.table_rows["raw.test__prices"] == 1
        assert s.watermarks_after == {"raw.test__prices/A": date(2024, 1, 2)}
        assert s.validation_failures == [  # this run's only
            ("raw.test__prices", "expect_x", "B", "block", 2, "2 bad rows")
        ]
