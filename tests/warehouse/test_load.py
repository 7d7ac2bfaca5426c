"""MERGE loads: idempotent, incremental, atomic per batch."""

from __future__ import annotations

from datetime import date

import pytest

from flows.errors import SchemaDriftError
from tests.warehouse.conftest import PRICES, frame, spooled
from warehouse.db import table_checksum
from warehouse.load import load_stream
from warehouse.state import get_watermark, incremental_start

W = (date(2024, 1, 1), date(2024, 1, 31))
D1, D2, D3 = date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)


class TestLoadStream:
    def test_first_load_inserts_every_row_and_sets_the_watermark(self, con, spool):
        """A first load inserts all rows and the watermark becomes the newest date."""
        s = spooled(spool, "AAA", [("AAA", D1, 1.0), ("AAA", D2, 2.0)])
        result = load_stream(con, PRICES, s, run_id="r1", window=W)
        assert (result.rows_in, result.rows_inserted, result.rows_updated) == (2, 2, 0)
        assert result.watermark == D2
        assert con.execute("select count(*) from raw.test__prices").fetchone()[0] == 2

    def test_reloading_the_same_batch_changes_nothing(self, con, spool):
        """Loading identical data twice leaves the table unchanged, load ids included."""
        rows = [("AAA", D1, 1.0), ("AAA", D2, 2.0)]
        load_stream(con, PRICES, spooled(spool, "AAA", rows), run_id="r1", window=W)
        before = table_checksum(con, PRICES.table)
        result = load_stream(con, PRICES, spooled(spool, "AAA", rows), run_id="r2", window=W)
        assert (result.rows_inserted, result.rows_updated) == (0, 0)
        assert table_checksum(con, PRICES.table) == before
        assert con.execute("select distinct _load_id from raw.test__prices").fetchall() == [("r1",)]

    def test_a_revised_value_updates_only_that_row(self, con, spool):
        """A revision upstream updates the changed row and stamps it with the new load id."""
        load_stream(
            con,
            PRICES,
            spooled(spool, "AAA", [("AAA", D1, 1.0), ("AAA", D2, 2.0)]),
            run_id="r1",
            window=W,
        )
        result = load_stream(
            con,
            PRICES,
            spooled(spool, "AAA", [("AAA", D2, 2.5), ("AAA", D3, 3.0)]),
            run_id="r2",
            window=W,
        )
        assert (result.rows_inserted, result.rows_updated) == (1, 1)
        got = con.execute(
            "select date, close, _load_id from raw.test__prices order by date"
        ).fetchall()
        assert got == [(D1, 1.0, "r1"), (D2, 2.5, "r2"), (D3, 3.0, "r2")]

    def test_a_duplicate_key_across_pages_keeps_the_later_page(self, con, spool):
        """When two pages carry the same key, the later page wins and only one row lands."""
        s = spooled(spool, "AAA", [("AAA", D1, 1.0)], [("AAA", D1, 9.0)])
        result = load_stream(con, PRICES, s, run_id="r1", window=W)
        assert result.rows_in == 2 and result.rows_inserted == 1
        assert con.execute("select close from raw.test__prices").fetchall() == [(9.0,)]

    def test_streams_keep_separate_watermarks(self, con, spool):
        """Each stream's watermark comes from its own rows only."""
        load_stream(con, PRICES, spooled(spool, "AAA", [("AAA", D3, 1.0)]), run_id="r1", window=W)
        load_stream(con, PRICES, spooled(spool, "BBB", [("BBB", D1, 1.0)]), run_id="r1", window=W)
        assert get_watermark(con, PRICES, "AAA") == D3
        assert get_watermark(con, PRICES, "BBB") == D1

    def test_a_narrow_backfill_never_moves_the_watermark_back(self, con, spool):
        """Loading an older window keeps the watermark at the newest date in the table."""
        load_stream(con, PRICES, spooled(spool, "AAA", [("AAA", D3, 1.0)]), run_id="r1", window=W)
        load_stream(con, PRICES, spooled(spool, "AAA", [("AAA", D1, 1.0)]), run_id="r2", window=W)
        assert get_watermark(con, PRICES, "AAA") == D3

    def test_an_empty_stream_commits_nothing_and_keeps_no_watermark(self, con, spool):
        """A window with no data inserts nothing and leaves the stream without a watermark."""
        result = load_stream(con, PRICES, spooled(spool, "AAA"), run_id="r1", window=W)
        assert (result.rows_in, result.rows_inserted, result.watermark) == (0, 0, None)

    def test_a_failing_batch_rolls_back_rows_and_watermark(self, con, spool, monkeypatch):
        """If the batch fails after the MERGE, neither its rows nor its watermark remain."""
        import warehouse.load as load_mod

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(load_mod, "advance_watermark", boom)
        with pytest.raises(RuntimeError, match="disk full"):
            load_stream(
                con, PRICES, spooled(spool, "AAA", [("AAA", D1, 1.0)]), run_id="r1", window=W
            )
        assert con.execute("select count(*) from raw.test__prices").fetchone()[0] == 0
        assert get_watermark(con, PRICES, "AAA") is None


class TestIncrementalStart:
    def test_starts_at_the_initial_value_on_an_empty_warehouse(self, con):
        """With no watermark, a stream starts at its contract's initial value."""
        assert incremental_start(con, PRICES, "AAA") == date(2015, 1, 1)

    def test_starts_lookback_days_before_the_watermark(self, con, spool):
        """Lookback 3 days: watermark 2024-01-04 gives a start of 2024-01-01."""
        load_stream(con, PRICES, spooled(spool, "AAA", [("AAA", D3, 1.0)]), run_id="r1", window=W)
        assert incremental_start(con, PRICES, "AAA") == date(2024, 1, 1)


class TestSpool:
    def test_a_frame_missing_a_contract_column_is_schema_drift(self, spool):
        """A parsed page without a contract column is refused before it reaches the warehouse."""
        s = spool.writer(PRICES, "AAA")
        with pytest.raises(SchemaDriftError, match="close"):
            spool.write(s, PRICES, frame([("AAA", D1, 1.0)]).drop("close"))
