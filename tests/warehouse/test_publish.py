"""Atomic publish: readers keep working, new readers see the new build, failures change nothing."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap

import pytest

import warehouse.publish as publish_module
from rotation_kernel.errors import PublishError
from warehouse.db import connect
from warehouse.publish import abandon, begin_build, lock_path, next_path, publish, run_lock

READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from t").fetchone()[0], flush=True)
    sys.stdin.readline()  # the test says: the new build is published now
    print(con.execute("select count(*) from t").fetchone()[0], flush=True)
    """
)


def build(published, rows: int) -> None:
    con = begin_build(published)
    con.execute("create or replace table t as select range as i from range(?)", [rows])
    publish(con, published)


def count(path) -> int:
    with connect(path, read_only=True) as con:
        return con.execute("select count(*) from t").fetchone()[0]


class TestPublish:
    def test_a_new_build_replaces_the_published_file_and_leaves_no_next(self, tmp_path):
        """After publish the warehouse holds the new build and no .next file remains."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        build(published, 5)
        assert count(published) == 5
        assert not next_path(published).exists()

    def test_a_build_starts_from_the_published_data(self, tmp_path):
        """An incremental build sees what the last published build holds."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        con = begin_build(published)
        assert con.execute("select count(*) from t").fetchone()[0] == 3
        abandon(con, published)

    def test_a_reader_held_open_keeps_working_while_a_new_reader_sees_the_new_build(self, tmp_path):
        """A reader open across the publish keeps its snapshot; a new reader sees the new build."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(published)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert reader.stdout.readline().strip() == "3"
            build(published, 7)
            reader.stdin.write("go\n")
            reader.stdin.flush()
            assert reader.stdout.readline().strip() == "3"
            assert reader.wait(timeout=30) == 0
        finally:
            reader.kill()
        assert count(published) == 7

    def test_a_failed_build_leaves_the_published_file_untouched(self, tmp_path):
        """An abandoned build deletes .next and the published bytes stay identical."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        before = published.read_bytes()
        con = begin_build(published)
        con.execute("drop table t")
        abandon(con, published)
        assert published.read_bytes() == before
        assert not next_path(published).exists()

    def test_a_leftover_next_from_a_crash_is_discarded(self, tmp_path):
        """A stale .next from a crashed run does not leak into the next build."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        next_path(published).write_bytes(b"garbage from a crashed run")
        con = begin_build(published)
        assert con.execute("select count(*) from t").fetchone()[0] == 3
        abandon(con, published)


class TestRunLock:
    def test_a_second_run_is_refused_while_the_first_holds_the_lock(self, tmp_path):
        """Two concurrent runs on one warehouse: the second fails fast with PublishError."""
        published = tmp_path / "rotation.duckdb"
        with (
            run_lock(published),
            pytest.raises(PublishError, match="another run"),
            run_lock(published),
        ):
            pass

    def test_the_refusal_names_the_pid_of_the_holder(self, tmp_path):
        """The holder writes its pid into the lock file; the refused run's message quotes it."""
        published = tmp_path / "rotation.duckdb"
        with run_lock(published):
            assert lock_path(published).read_text() == f"{os.getpid()}\n"
            refused = pytest.raises(PublishError, match=rf"another run \(pid {os.getpid()}\)")
            with refused, run_lock(published):
                pass

    def test_a_released_lock_is_empty_and_can_be_taken_again(self, tmp_path):
        """After the holder leaves, the pid is gone and the next run gets the lock."""
        published = tmp_path / "rotation.duckdb"
        with run_lock(published):
            pass
        assert lock_path(published).read_text() == ""
        with run_lock(published):
            assert lock_path(published).read_text() == f"{os.getpid()}\n"


class TestBeginBuild:
    def test_a_copy_that_cannot_be_written_fails_cleanly(self, tmp_path, monkeypatch):
        """ENOSPC while copying to .next: PublishError, no partial .next, published untouched."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        before = published.read_bytes()

        def disk_full(src, dst):
            with open(dst, "wb") as handle:
                handle.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(publish_module.shutil, "copyfile", disk_full)
        with pytest.raises(PublishError, match="No space left on device"):
            begin_build(published)
        assert not next_path(published).exists()
        assert published.read_bytes() == before

    def test_a_swap_that_fails_raises_publish_error_and_keeps_the_old_file(
        self, tmp_path, monkeypatch
    ):
        """ENOSPC at the final os.replace: PublishError; the published bytes are unchanged."""
        published = tmp_path / "rotation.duckdb"
        build(published, 3)
        before = published.read_bytes()
        con = begin_build(published)
        con.execute("insert into t select 99")

        def disk_full(src, dst):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(publish_module.os, "replace", disk_full)
        with pytest.raises(PublishError, match="No space left on device"):
            publish(con, published)
        abandon(None, published)
        assert published.read_bytes() == before
        assert not next_path(published).exists()
