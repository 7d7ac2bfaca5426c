"""Payload faults end to end: one incremental nightly run on top of a clean warehouse, with a
different spoiled payload planned for each of sixteen streams (``faulty_run.py``).

Every case must end one of two ways: the stream fails with a clear error (schema drift naming
the source and field, or a body that is not JSON) and its raw rows stay exactly as they were,
or the change is tolerated and the stream's raw rows equal the clean run's. Never a crash,
never a wrong value; the streams without a fault load as usual and the run publishes.
"""

from __future__ import annotations

import pytest

from tests.reliability.faulty_run import CASES, Case, FaultyRun
from warehouse.db import connect

pytestmark = pytest.mark.flow


def outcome(run: FaultyRun, case: Case) -> str:
    """What the run did with a case's stream, read from its summary."""
    if case.key in run.summary.fallbacks:
        return "fallback"
    message = run.summary.failed_streams.get(case.key)
    if message is None:
        return "tolerated"
    if message.startswith(f"{case.source}: unexpected payload shape at "):
        return "drift"
    if "not JSON" in message:
        return "not_json"
    return f"unexpected error: {message}"


class TestPayloadFaults:
    @pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}-{c.key}")
    def test_a_spoiled_payload_fails_clearly_or_is_tolerated(self, faulty_run, case):
        """The stream's outcome is one the case allows, and a drift error names the field."""
        seen = outcome(faulty_run, case)
        assert seen in case.outcomes
        if seen == "drift" and case.field:
            assert case.field in faulty_run.summary.failed_streams[case.key]

    @pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}-{c.key}")
    def test_a_spoiled_payload_never_changes_the_stream_s_raw_rows(self, faulty_run, case):
        """Failed or tolerated, the stream's raw rows equal the clean run's: nothing lost,
        nothing doubled, no wrong value (the incremental window re-reads identical data)."""
        assert faulty_run.after[case.key] == faulty_run.before[case.key]

    def test_the_streams_without_a_fault_load_and_the_run_publishes(self, faulty_run):
        """Only spoiled streams fail (FRED vintages share the spoiled FRED endpoint); every
        other stream loads; the run is partial, recorded and published."""
        summary = faulty_run.summary
        spoiled = {c.key for c in CASES} | {"fred_rates/DFF", "fred_rates/DGS10"}
        spoiled |= {f"fred_vintages/{c.stream}" for c in CASES if c.source == "fred"}
        assert set(summary.failed_streams) <= spoiled
        loaded = {f"{r.source}/{r.stream}" for r in summary.loads}
        assert {"binance/BNBUSDT", "binance/DOGEUSDT", "fred/DTB3", "fred/WDTGAL"} <= loaded
        assert summary.status == "partial"
        with connect(summary.warehouse, read_only=True) as con:
            status = con.execute(
                "select status from meta.runs where run_id = ?", [summary.run_id]
            ).fetchone()
        assert status == ("partial",)
