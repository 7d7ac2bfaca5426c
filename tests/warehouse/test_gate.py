"""The quality gate (warehouse.gate): what passes to the load, what goes to quarantine.

The GX suites themselves are tested in tests/expectations; here ``expectations.validate_batch``
is replaced by a verdict the test chooses, so each routing rule is seen alone.
"""

from __future__ import annotations

from datetime import date

import pytest

import expectations
import warehouse.gate
from expectations.results import BatchValidation, ExpectationResult
from rotation_kernel.errors import AuditError, SchemaDriftError
from tests.warehouse.conftest import PRICES, spooled
from warehouse.gate import gate_batch, gate_bulk_load, gate_marts_results
from warehouse.quarantine import ensure_tables

W = (date(2024, 1, 1), date(2024, 1, 31))
D1, D2 = date(2024, 1, 2), date(2024, 1, 3)


def result(stream: str | None, severity: str, success: bool = False) -> ExpectationResult:
    return ExpectationResult(
        "r1",
        "raw.test__prices",
        "expect_positive",
        "close",
        stream,
        success,
        "[-1]",
        severity,
        2,
        0 if success else 1,
        f"{stream}: close <= 0",
    )


def verdict(blocked: dict[str, list[str]], warned: list[ExpectationResult] = ()) -> BatchValidation:
    failed = [result(s, "block") for s in blocked]
    return BatchValidation("raw.test__prices", [*failed, *warned], blocked, list(warned))


@pytest.fixture
def gated(con, monkeypatch):
    """The connection with quarantine tables; ``set(verdict_for)`` picks what GX answers."""
    ensure_tables(con, [PRICES])
    calls = []

    def set_verdict(verdict_for):
        def validate_batch(contract, batch, *, run_id, run_date, window):
            calls.append((contract.table, batch.num_rows, window))
            return verdict_for(batch)

        monkeypatch.setattr(expectations, "validate_batch", validate_batch)
        return calls

    return set_verdict


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


class TestGateBatch:
    def test_a_blocked_stream_is_quarantined_and_the_others_are_left_to_load(
        self, con, spool, gated
    ):
        calls = gated(lambda batch: verdict({"BBB": ["expect_positive: close <= 0"]}))
        aaa = spooled(spool, "AAA", [("AAA", D1, 1.0), ("AAA", D2, 2.0)])
        bbb = spooled(spool, "BBB", [("BBB", D1, -1.0), ("BBB", D2, 3.0)])
        outcome = gate_batch(con, PRICES, [aaa, bbb], run_id="r1", run_date=D2, window=W)
        assert (outcome.quarantined, outcome.failed, outcome.refused) == ({"BBB": 2}, {}, {"BBB"})
        assert calls == [("raw.test__prices", 4, W)]  # both streams, validated as one batch
        assert count(con, "quarantine.test__prices") == 2
        assert count(con, "raw.test__prices") == 0  # the load step, not the gate, merges AAA
        assert count(con, "meta.validation_results") == 1

    def test_a_stream_whose_pages_do_not_type_fails_alone(self, con, spool, gated, monkeypatch):
        """Staging reports BBB's drift (as it does for a JSON page missing a field): BBB is
        refused with the drift's message, nothing of it quarantined; AAA is validated."""
        calls = gated(lambda batch: verdict({}))
        real_stage_group = warehouse.gate.stage_group

        def bbb_drifts(con, contract, group):
            batch, _ = real_stage_group(con, contract, [s for s in group if s.stream != "BBB"])
            return batch, {"BBB": SchemaDriftError("test", "close", "renamed")}

        monkeypatch.setattr(warehouse.gate, "stage_group", bbb_drifts)
        good = spooled(spool, "AAA", [("AAA", D1, 1.0)])
        bad = spooled(spool, "BBB", [("BBB", D1, 1.0)])
        outcome = gate_batch(con, PRICES, [good, bad], run_id="r1", run_date=D2, window=W)
        assert outcome.failed == {"BBB": "test: unexpected payload shape at 'close': renamed"}
        assert outcome.refused == {"BBB"} and outcome.quarantined == {}
        assert calls == [("raw.test__prices", 1, W)]

    def test_failed_warn_expectations_become_one_line_each(self, con, spool, gated):
        gated(lambda batch: verdict({}, [result("AAA", "warn")]))
        aaa = spooled(spool, "AAA", [("AAA", D1, 1.0)])
        outcome = gate_batch(con, PRICES, [aaa], run_id="r1", run_date=D2, window=W)
        assert outcome.warnings == ["raw.test__prices AAA AAA: close <= 0"]
        assert outcome.refused == set()


class TestGateBulkLoad:
    def test_a_blocked_stream_leaves_no_row_and_the_passed_one_commits(self, con, spool, gated):
        def blocks_bbb(batch):
            symbols = set(batch.column("symbol").to_pylist())
            return verdict({"BBB": ["expect_positive: close <= 0"]} if "BBB" in symbols else {})

        gated(blocks_bbb)
        aaa = spooled(spool, "AAA", [("AAA", D1, 1.0), ("AAA", D2, 2.0)])
        bbb = spooled(spool, "BBB", [("BBB", D1, -1.0)])
        windows = {"AAA": W, "BBB": W}
        loaded, outcome = gate_bulk_load(
            con, PRICES, [aaa, bbb], run_id="r1", run_date=D2, windows=windows
        )
        assert [(r.stream, r.rows_in) for r in loaded] == [("AAA", 2)]
        assert outcome.quarantined == {"BBB": 1}
        rows = con.execute("select symbol, count(*) from raw.test__prices group by all").fetchall()
        assert rows == [("AAA", 2)]
        assert count(con, "quarantine.test__prices") == 1

    def test_only_the_last_parts_warnings_are_kept(self, con, spool, gated):
        """Freshness is judged on a stream's newest rows: its last part's verdict."""
        parts = iter([verdict({}, [result("AAA", "warn")]), verdict({})])
        gated(lambda batch: next(parts))
        aaa = spooled(spool, "AAA", [("AAA", D1, 1.0)], [("AAA", D2, 2.0)])
        loaded, outcome = gate_bulk_load(
            con, PRICES, [aaa], run_id="r1", run_date=D2, windows={"AAA": W}, max_pages=1
        )
        assert outcome.warnings == [] and loaded[0].rows_in == 2


class TestGateMarts:
    def test_a_failed_block_expectation_stops_the_publish(self, con, monkeypatch):
        ensure_tables(con, [PRICES])
        failed = [result(None, "block"), result(None, "warn"), result(None, "block", True)]
        monkeypatch.setattr(expectations, "validate_marts", lambda con, **kw: failed)
        with pytest.raises(AuditError, match="expect_positive"):
            gate_marts_results(con, run_id="r1", run_date=D2)
        assert count(con, "meta.validation_results") == 3  # recorded before refusing

    def test_failed_warn_expectations_are_returned_as_lines(self, con, monkeypatch):
        ensure_tables(con, [PRICES])
        results = [result(None, "warn"), result(None, "block", True)]
        monkeypatch.setattr(expectations, "validate_marts", lambda con, **kw: results)
        lines = gate_marts_results(con, run_id="r1", run_date=D2)
        assert lines == ["raw.test__prices: None: close <= 0"]
