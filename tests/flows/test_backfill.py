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


START = date(2019, 1, 1)  # yearly chunks on both sides of the DTS eras of 2021-10 and 2022-04
DIES_ON_CHUNK = 3


@pytest.fixture(scope="module")
def full_run(env_for):
    """One nightly over the whole range: what the chunked backfill must equal."""
    path, env = env_for("full")
    with env:
        nightly(start=START, end=today(), mode="test")
    return checksums(path)


@pytest.fixture(scope="module")
def resumed(env_for):
    """A yearly backfill whose 3rd chunk dies, then the same backfill run again."""
    path, env = env_for("chunked")
    calls = []

    def dies_on_a_chunk(**kwargs):
        calls.append((kwargs["start"], kwargs["end"]))
        if len(calls) == DIES_ON_CHUNK:
            raise PipelineError("worker lost between chunks")
        return nightly(**kwargs)

    with env, pytest.MonkeyPatch.context() as patch:
        patch.setattr(flows.backfill, "nightly", dies_on_a_chunk)
        with pytest.raises(PipelineError, match="worker lost"):
            backfill(start=START, end=today(), chunk="year")
        after_failure = backfill_runs(path)
        patch.setattr(flows.backfill, "nightly", nightly)
        summary = backfill(start=START, end=today(), chunk="year")
    return path, after_failure, summary


@pytest.mark.slow
class TestInterruptedBackfill:
    def test_the_rerun_skips_the_published_chunks_and_redoes_the_rest(self, resumed):
        """Chunks 1-2 published before the 3rd died; the rerun skips them and runs 3 onwards."""
        path, after_failure, summary = resumed
        chunks = split_chunks(START, today(), "year")
        assert len(chunks) == today().year - START.year + 1
        assert after_failure == [(*chunk, "success") for chunk in chunks[: DIES_ON_CHUNK - 1]]
        assert summary.skipped == chunks[: DIES_ON_CHUNK - 1]
        assert [r.status for r in summary.runs] == ["success"] * (len(chunks) - DIES_ON_CHUNK + 1)
        assert [(s, e) for s, e, _ in backfill_runs(path)] == chunks

    def test_the_resumed_chunks_give_the_same_tables_as_one_full_run(self, resumed, full_run):
        """Every raw table, staging view and mart: same rows, same content hash."""
        chunked = checksums(resumed[0])
        assert full_run["marts.fct_net_liquidity"][0] > 2500  # a row a day from 2019
        assert {k: v for k, v in chunked.items() if v != full_run.get(k)} == {}
        assert set(chunked) == set(full_run)
