"""Data Docs land where they are asked to, and nothing at all lands in the home directory."""

from __future__ import annotations

import polars as pl
import pytest

from expectations import build_data_docs
from expectations.engine import reset_engine
from expectations.suites import MART_SUITES, RAW_SUITES
from sources import binance
from tests.expectations.conftest import klines, validate


@pytest.fixture
def fresh_engine():
    """A GX context built inside the test (and dropped after it, for the next user to rebuild)."""
    reset_engine()
    yield
    reset_engine()


class TestDataDocs:
    def test_docs_show_every_suite_and_the_batch_just_validated(self, tmp_path):
        frame = klines()
        validate(binance.CONTRACT, pl.concat([frame, frame.head(1)]))  # one duplicate bar

        index = build_data_docs(tmp_path / "docs")

        assert index == (tmp_path / "docs" / "index.html").resolve()
        suites = sorted(p.stem for p in (tmp_path / "docs" / "expectations").rglob("*.html"))
        # one page per suite: every raw table and every guarded mart
        assert suites == sorted(name.split(".", 1)[1] for name in (*RAW_SUITES, *MART_SUITES))
        pages = [
            p.read_text()
            for p in (tmp_path / "docs" / "validations" / "raw" / "binance__klines").rglob("*.html")
        ]
        failing = [page for page in pages if "2 unexpected values found" in page]
        assert len(failing) >= 1  # the duplicate: 2 rows share (symbol, open_time)
        assert "No two rows share a key" in failing[0]  # the sentence of ExpectKeyToBeUnique
        assert "no date appears twice" in failing[0]  # the sentence of a custom expectation

    def test_a_second_build_shows_only_the_batches_validated_since_the_first(self, tmp_path):
        """A process that runs many nightlies (a served worker) renders one run's validations
        per build, not every earlier one again."""
        validate(binance.CONTRACT, klines())
        build_data_docs(tmp_path / "first")
        validate(binance.CONTRACT, klines(("SOLUSDT",)))
        validate(binance.CONTRACT, klines(("ADAUSDT",)))

        build_data_docs(tmp_path / "second")

        def validation_pages(docs):
            return list((docs / "validations" / "raw" / "binance__klines").rglob("*.html"))

        assert len(validation_pages(tmp_path / "first")) >= 1
        assert len(validation_pages(tmp_path / "second")) == 2

    def test_suite_pages_are_rendered_again_only_when_a_suite_changed(self, tmp_path):
        docs = tmp_path / "docs"

        def suite_pages() -> dict[str, int]:
            pages = (docs / "expectations").rglob("*.html")
            return {p.name: p.stat().st_mtime_ns for p in pages}

        validate(binance.CONTRACT, klines())
        build_data_docs(docs)
        first = suite_pages()
        validate(binance.CONTRACT, klines(("SOLUSDT",)))
        build_data_docs(docs)

        assert suite_pages() == first  # same suites: the pages were kept, not rewritten
        index = (docs / "index.html").read_text()
        assert "binance__klines" in index and "fred__observations" in index
        assert len(list((docs / "validations").rglob("*.html"))) == 1  # this build's batch

        (docs / ".suites.sha256").write_text("rendered from other suites")
        build_data_docs(docs)
        again = suite_pages()
        assert again.keys() == first.keys()
        assert all(again[name] > first[name] for name in first)  # every page rewritten

    def test_a_rebuild_replaces_the_site_but_keeps_other_files(self, tmp_path):
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "README.txt").write_text("kept")
        (docs / "validations").mkdir()
        (docs / "validations" / "stale.html").write_text("from an earlier process")

        build_data_docs(docs)

        assert (docs / "README.txt").read_text() == "kept"
        assert not (docs / "validations" / "stale.html").exists()
        assert (docs / "index.html").stat().st_size > 1000


class TestHomeDirectory:
    def test_building_the_context_validating_and_writing_docs_leave_home_empty(
        self, tmp_path, monkeypatch, fresh_engine
    ):
        """No ~/.great_expectations, no ~/.gx, no usage-statistics id: nothing under HOME."""
        home = tmp_path / "home"
        home.mkdir()
        monkeypatch.setenv("HOME", str(home))

        result = validate(binance.CONTRACT, klines())
        build_data_docs(tmp_path / "docs")

        assert result.blocked_streams == {}
        assert sorted(p.name for p in home.rglob("*")) == []
