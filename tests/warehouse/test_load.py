"""MERGE loads: idempotent, incremental, atomic per batch."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

import warehouse.bulk as bulk_mod
from rotation_kernel.errors import SchemaDriftError
from tests.warehouse.conftest import PRICES, frame, spooled
from warehouse.bulk import bulk_load
from warehouse.db import bootstrap, connect, table_checksum
from warehouse.load import LoadResult, load_stream, record_load
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
        history = con.execute(
            "select date, close, _load_id, _superseded_by from raw_history.test__prices"
        ).fetchall()
        assert history == [(D2, 2.0, "r1", "r2")]  # what the API said before, and who replaced it

    def test_reloading_unchanged_rows_writes_no_history(self, con, spool):
        rows = [("AAA", D1, 1.0), ("AAA", D2, 2.0)]
        load_stream(con, PRICES, spooled(spool, "AAA", rows), run_id="r1", window=W)
        load_stream(con, PRICES, spooled(spool, "AAA", rows), run_id="r2", window=W)
        assert con.execute("select count(*) from raw_history.test__prices").fetchone()[0] == 0

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

    def test_a_failed_commit_raises_its_own_error(self, con, spool):
        """A COMMIT that fails (here: a full disk, simulated after DuckDB ended the
        transaction) surfaces that error, not "cannot rollback - no transaction is active"."""

        class FullDisk:  # DuckDB's connection type cannot be patched; wrap it
            def __getattr__(self, name):
                return getattr(con, name)

            def execute(self, sql, *args):
                result = con.execute(sql, *args)
                if sql == "commit":
                    raise duckdb.IOException('Could not write file "x.wal": No space left')
                return result

        with pytest.raises(duckdb.IOException, match="No space left"):
            load_stream(
                FullDisk(), PRICES, spooled(spool, "AAA", [("AAA", D1, 1.0)]), run_id="r1", window=W
            )


class TestLoadRecords:
    """meta.load_results has one writer (warehouse.load.record_load), used by both paths."""

    def test_the_merge_and_the_bulk_path_record_the_same_row_for_the_same_pages(
        self, tmp_path, spool
    ):
        """Two new pages of AAA loaded into two fresh warehouses, one per path: both record
        run r1, window W, 3 rows in, 3 inserted, 0 updated, watermark D3."""
        pages = ([("AAA", D1, 1.0), ("AAA", D2, 2.0)], [("AAA", D3, 3.0)])
        recorded = []
        for name, load in (
            ("merge", lambda c, s: [load_stream(c, PRICES, s, run_id="r1", window=W)]),
            ("bulk", lambda c, s: bulk_load(c, PRICES, [s], run_id="r1", window=W)),
        ):
            con = connect(tmp_path / f"{name}.duckdb")
            bootstrap(con, [PRICES])
            load(con, spooled(spool, "AAA", *pages))
            recorded.append(con.execute("select * from meta.load_results").fetchall())
            con.close()

        expected = [("r1", "test", "prices", "AAA", *W, 3, 3, 0, D3)]
        assert recorded == [expected, expected]

    def test_a_second_record_of_a_run_and_stream_replaces_the_first(self, con):
        """A stream loaded again in the same run (a retried task) keeps one row: the latest."""
        first = LoadResult("test", "prices", "AAA", 2, 2, 0, D2)
        again = LoadResult("test", "prices", "AAA", 3, 1, 0, D3)

        record_load(con, first, run_id="r1", window=W)
        record_load(con, again, run_id="r1", window=W)

        assert con.execute(
            "select rows_in, rows_inserted, watermark from meta.load_results"
        ).fetchall() == [(3, 1, D3)]


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


class TestBulkLoad:
    """Long histories: groups of pages INSERTed straight, re-loads MERGEd, the gate decides."""

    def streams(self, spool, *names, days=(D1, D2, D3)):
        return [
            spooled(spool, name, [(name, d, float(i)) for i, d in enumerate(days)])
            for name in names
        ]

    def test_a_first_load_inserts_every_stream_in_groups(self, con, spool):
        """Two streams of one page each, one page per group: six rows, watermarks set."""
        results = bulk_load(
            con, PRICES, self.streams(spool, "AAA", "BBB"), run_id="r1", window=W, max_pages=1
        )

        assert [(r.stream, r.rows_inserted, r.watermark) for r in results] == [
            ("AAA", 3, D3),
            ("BBB", 3, D3),
        ]
        assert con.execute("select count(*) from raw.test__prices").fetchone()[0] == 6
        assert get_watermark(con, PRICES, "BBB") == D3

    def test_reloading_the_same_pages_merges_instead_of_doubling(self, con, spool):
        """The second load collides with the first, rolls back its INSERT and MERGEs: no row
        is doubled and nothing changed, so nothing is updated."""
        bulk_load(con, PRICES, self.streams(spool, "AAA"), run_id="r1", window=W)
        before = table_checksum(con, PRICES.table)

        (again,) = bulk_load(con, PRICES, self.streams(spool, "AAA"), run_id="r2", window=W)

        assert (again.rows_inserted, again.rows_updated) == (0, 0)
        assert table_checksum(con, PRICES.table) == before

    def test_a_stream_partly_merged_keeps_one_record_of_all_its_groups(self, con, spool):
        """Page 1 of AAA is new (INSERTed), page 2 was loaded before (its group collides and
        MERGEs). The run's load record counts both pages, not only the last group."""
        bulk_load(con, PRICES, [spooled(spool, "AAA", [("AAA", D2, 2.0)])], run_id="r1", window=W)
        stream = spooled(spool, "AAA", [("AAA", D1, 1.0)], [("AAA", D2, 5.0), ("AAA", D3, 3.0)])

        (result,) = bulk_load(
            con, PRICES, [stream], run_id="r2", window=W, max_pages=1, commit_pages=1
        )

        assert (result.rows_in, result.rows_inserted, result.rows_updated) == (3, 2, 1)
        recorded = con.execute(
            "select rows_in, rows_inserted, rows_updated, watermark from meta.load_results "
            "where run_id = 'r2' and stream = 'AAA'"
        ).fetchall()
        assert recorded == [(3, 2, 1, D3)]
        got = con.execute("select date, close from raw.test__prices order by date").fetchall()
        assert got == [(D1, 1.0), (D2, 5.0), (D3, 3.0)]

    def test_a_gate_that_refuses_a_group_leaves_nothing_behind(self, con, spool):
        """The gate sees the group's rows as Arrow; raising rolls them back."""
        seen = []

        def refuse(batch):
            seen.append(batch.num_rows)
            raise RuntimeError("blocked by validation")

        with pytest.raises(RuntimeError, match="blocked"):
            bulk_load(con, PRICES, self.streams(spool, "AAA"), run_id="r1", window=W, gate=refuse)

        assert seen == [3]
        assert con.execute("select count(*) from raw.test__prices").fetchone()[0] == 0
        assert get_watermark(con, PRICES, "AAA") is None

    def test_cached_blocks_are_dropped_between_groups_and_the_limit_restored(self, con, spool):
        """Between groups the memory limit is lowered for an instant (DuckDB then drops the
        blocks it cached), then DuckDB's default is back."""
        before = con.execute("select current_setting('memory_limit')").fetchone()[0]
        statements = []
        real = con.execute

        class Spy:  # DuckDB's connection type cannot be patched; wrap it
            def __getattr__(self, name):
                return getattr(con, name)

            def execute(self, sql, *args):
                statements.append(sql)
                return real(sql, *args)

        bulk_load(
            Spy(), PRICES, self.streams(spool, "AAA", "BBB"), run_id="r1", window=W, max_pages=1
        )

        evictions = [s for s in statements if s.startswith("set memory_limit")]
        assert evictions == [f"set memory_limit = '{bulk_mod.EVICT_TO}'"] * 2  # group, end
        assert statements.count("reset memory_limit") == 2
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == before

    def test_a_limit_the_caller_set_is_left_alone(self, con, spool):
        """Under a limit the caller set, DuckDB is bounded already: no eviction, same limit."""
        con.execute("set memory_limit = '1GB'")
        before = con.execute("select current_setting('memory_limit')").fetchone()[0]

        bulk_load(con, PRICES, self.streams(spool, "AAA"), run_id="r1", window=W)

        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == before

    def test_a_key_repeated_by_a_later_part_goes_the_merge_way(self, con, spool):
        """Part 2 repeats part 1's D2 with a new close, in one group: the group rolls back
        and MERGEs, the later page wins, and part 1 (already passed) is not checked again."""
        a = spooled(spool, "AAA", [("AAA", D1, 1.0), ("AAA", D2, 2.0)], [("AAA", D2, 5.0)])
        seen = []

        (result,) = bulk_load(
            con,
            PRICES,
            [a],
            run_id="r1",
            window=W,
            gate=lambda t: seen.append(t.num_rows),
            max_pages=1,
        )

        assert seen == [2, 1]
        assert (result.rows_in, result.watermark) == (3, D2)
        got = con.execute("select date, close from raw.test__prices order by date").fetchall()
        assert got == [(D1, 1.0), (D2, 5.0)]

    def test_a_gated_load_checks_each_group_once_and_keeps_the_later_page(self, con, spool):
        """Two parts of two pages in one group; BBB's second page repeats D1 with a new close.
        The gate sees every part's rows exactly once, one row per key, and the later page
        wins."""
        a = spooled(spool, "AAA", [("AAA", D1, 1.0), ("AAA", D2, 2.0)], [("AAA", D3, 3.0)])
        b = spooled(spool, "BBB", [("BBB", D1, 1.0)], [("BBB", D1, 9.0), ("BBB", D2, 2.0)])
        seen = []

        results = bulk_load(
            con,
            PRICES,
            [a, b],
            run_id="r1",
            window=W,
            gate=lambda t: seen.append(t.to_pylist()),
            max_pages=2,
        )

        assert [len(rows) for rows in seen] == [3, 2]  # parts: AAA (2 pages), BBB (2 pages)
        assert sorted(r["close"] for r in seen[1]) == [2.0, 9.0]
        assert {(r.stream, r.rows_inserted) for r in results} == {("AAA", 3), ("BBB", 2)}
        got = con.execute(
            "select symbol, date, close from raw.test__prices order by symbol, date"
        ).fetchall()
        assert got == [
            ("AAA", D1, 1.0),
            ("AAA", D2, 2.0),
            ("AAA", D3, 3.0),
            ("BBB", D1, 9.0),
            ("BBB", D2, 2.0),
        ]

    def test_the_gate_gets_a_part_in_one_chunk_per_column(self, con):
        """DuckDB returns a part's rows in a chunk per scan batch; pandas would copy them to
        concatenate (measured: the gate's memory per row 1.5x). 300,000 rows span three row
        groups; the gate's batch has one chunk per column, and every row."""
        at = bulk_mod._unique_now()
        con.execute(
            "insert into raw.test__prices select 'AAA', date '2000-01-01' + i::int, i, "
            "'r1', $at from range(300000) t(i)",
            {"at": at},
        )
        many = con.sql(
            "select symbol, date, close from raw.test__prices where _loaded_at = $at",
            params={"at": at},
        ).to_arrow_table()
        assert many.column(0).num_chunks > 1  # what DuckDB gives

        rows = bulk_mod._part_rows(con, PRICES, [bulk_mod._Piece(None, at)])

        assert [c.num_chunks for c in rows.columns] == [1, 1, 1]
        assert rows.num_rows == 300_000 and rows.column("close").to_pylist()[-1] == 299_999

    @pytest.mark.parametrize(
        ("commit_pages", "kept", "aaa_watermark"),
        [(bulk_mod.COMMIT_PAGES, [], None), (1, [("AAA",)], D3)],
        ids=["one-group", "a-group-each"],
    )
    def test_a_refused_part_rolls_back_its_group_only(
        self, con, spool, commit_pages, kept, aaa_watermark
    ):
        """One page per part, the second (BBB) refused, which stops the load. In one group
        of both parts neither stays; with a group each, AAA's committed before and stays."""
        calls = []

        def second_refused(batch):
            calls.append(batch.num_rows)
            if len(calls) == 2:
                raise RuntimeError("blocked by validation")

        with pytest.raises(RuntimeError, match="blocked"):
            bulk_load(
                con,
                PRICES,
                self.streams(spool, "AAA", "BBB"),
                run_id="r1",
                window=W,
                gate=second_refused,
                max_pages=1,
                commit_pages=commit_pages,
            )

        assert calls == [3, 3]
        assert con.execute("select distinct symbol from raw.test__prices").fetchall() == kept
        assert get_watermark(con, PRICES, "AAA") == aaa_watermark
        assert get_watermark(con, PRICES, "BBB") is None
