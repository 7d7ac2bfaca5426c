"""The backfill flow: chunking, equality with one full run, and resuming after an interruption."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import flows.backfill
from flows.backfill import backfill, split_chunks
from flows.nightly import nightly
from rotation_kernel.errors import ConfigError, PipelineError
from rotation_kernel.settings import settings_env
from tests.conftest import WITHOUT_ARCHIVE
from warehouse.db import connect, content_checksums


def today() -> date:
    return datetime.now(UTC).date()


class TestSplitChunks:
    @pytest.mark.parametrize(
        ("start", "end", "chunk", "expected"),
        [
            pytest.param(
                date(2015, 1, 1),
                date(2017, 3, 4),
                "year",
                [
                    (date(2015, 1, 1), date(2015, 12, 31)),
                    (date(2016, 1, 1), date(2016, 12, 31)),
                    (date(2017, 1, 1), date(2017, 3, 4)),
                ],
                id="years-ending-mid-year",
            ),
            pytest.param(
                date(2024, 2, 10),
                date(2024, 9, 1),
                "quarter",
                [
                    (date(2024, 2, 10), date(2024, 3, 31)),
                    (date(2024, 4, 1), date(2024, 6, 30)),
                    (date(2024, 7, 1), date(2024, 9, 1)),
                ],
                id="quarters-from-mid-quarter",
            ),
            pytest.param(
                date(2023, 12, 31),
                date(2024, 2, 1),
                "month",
                [
                    (date(2023, 12, 31), date(2023, 12, 31)),
                    (date(2024, 1, 1), date(2024, 1, 31)),
                    (date(2024, 2, 1), date(2024, 2, 1)),
                ],
                id="months-across-new-year",
            ),
            pytest.param(
                date(2024, 5, 5),
                date(2024, 5, 5),
                "year",
                [(date(2024, 5, 5), date(2024, 5, 5))],
                id="one-day",
            ),
        ],
    )
    def test_a_range_splits_at_calendar_boundaries_without_gaps_or_overlaps(
        self, start, end, chunk, expected
    ):
        assert split_chunks(start, end, chunk) == expected

    @pytest.mark.parametrize(
        ("start", "end", "chunk", "message"),
        [
            pytest.param(date(2024, 1, 2), date(2024, 1, 1), "year", "after end", id="reversed"),
            pytest.param(date(2024, 1, 1), date(2024, 2, 1), "week", "unknown chunk", id="week"),
        ],
    )
    def test_a_bad_range_or_chunk_is_a_config_error(self, start, end, chunk, message):
        with pytest.raises(ConfigError, match=message):
            split_chunks(start, end, chunk)


@pytest.fixture(scope="module")
def env_for(prefect_harness, emulator, tmp_path_factory):
    """Settings aimed at the emulator with a fresh warehouse per name; no retry waits."""
    base = {
        **emulator.settings_overrides(),
        **WITHOUT_ARCHIVE,
        "http_max_attempts": 2,
        "http_backoff_base_s": 0,
        "http_backoff_cap_s": 0,
        "task_retry_delay_s": 0,
    }

    def make(name: str):
        path = tmp_path_factory.mktemp(name) / "rotation.duckdb"
        return path, settings_env({**base, "warehouse": path})

    return make


def checksums(path):
    with connect(path, read_only=True) as con:
        return content_checksums(con)


def backfill_runs(path):
    with connect(path, read_only=True) as con:
        return con.execute(
            "select window_start, window_end, status from meta.runs "
            "where mode = 'backfill' order by finished_at"
        ).fetchall()


pytestmark = pytest.mark.flow


@pytest.mark.slow
class TestBackfillEqualsFullRun:
    START = date(2019, 1, 1)  # chunks on both sides of the DTS eras of 2021-10 and 2022-04

    def test_yearly_chunks_give_the_same_tables_as_one_full_run(self, env_for):
        """Every raw table, staging view and mart: same rows, same content hash."""
        full_path, full_env = env_for("full")
        with full_env:
            nightly(start=self.START, end=today(), mode="test")
        chunked_path, chunked_env = env_for("chunked")
        with chunked_env:
            summary = backfill(start=self.START, end=today(), chunk="year")
        assert len(summary.runs) == today().year - self.START.year + 1
        assert summary.skipped == []
        full, chunked = checksums(full_path), checksums(chunked_path)
        assert full["marts.fct_net_liquidity"][0] > 2500  # a row a day from 2019
        assert {k: v for k, v in chunked.items() if v != full.get(k)} == {}
        assert set(chunked) == set(full)


class TestResume:
    START = date(2023, 1, 1)

    def test_an_interrupted_backfill_resumes_after_the_last_published_chunk(
        self, env_for, monkeypatch
    ):
        """The 2nd chunk dies; the rerun skips chunk 1, redoes 2 and 3, and ends equal to a
        single full run over the same range."""
        path, env = env_for("resumed")
        chunks = split_chunks(self.START, today(), "year")
        calls = []

        def dies_on_second_chunk(**kwargs):
            calls.append((kwargs["start"], kwargs["end"]))
            if len(calls) == 2:
                raise PipelineError("worker lost between chunks")
            return nightly(**kwargs)

        with env:
            monkeypatch.setattr(flows.backfill, "nightly", dies_on_second_chunk)
            with pytest.raises(PipelineError, match="worker lost"):
                backfill(start=self.START, end=today(), chunk="year")
            assert backfill_runs(path) == [(*chunks[0], "success")]
            monkeypatch.setattr(flows.backfill, "nightly", nightly)
            resumed = backfill(start=self.START, end=today(), chunk="year")
        assert resumed.skipped == [chunks[0]]
        assert [(r.status) for r in resumed.runs] == ["success"] * (len(chunks) - 1)
        assert [(s, e) for s, e, _ in backfill_runs(path)] == chunks

        full_path, full_env = env_for("resume-reference")
        with full_env:
            nightly(start=self.START, end=today(), mode="test")
        full, resumed_sums = checksums(full_path), checksums(path)
        assert {k: v for k, v in resumed_sums.items() if v != full.get(k)} == {}
