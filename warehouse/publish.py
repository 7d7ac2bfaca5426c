"""Atomic publish: build ``<warehouse>.next``, checkpoint, close, ``os.replace`` it over the old.

A reader holding the published file open keeps its (old) file until it reconnects; a new
connection sees the new build; a failed run leaves the published file untouched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from rotation_kernel.errors import PublishError
from warehouse.db import connect


def next_path(published: Path) -> Path:
    return published.with_name(published.name + ".next")


def _discard(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + ".lock")


@contextmanager
def run_lock(published: Path) -> Iterator[None]:
    """Hold an exclusive lock so two runs never build the same warehouse at once.

    The lock is an ``flock`` on ``<warehouse>.lock``: the kernel drops it when the holder
    exits, however it dies (``kill -9`` included), so a stale lock never blocks a later run.
    The holder writes its pid into the file so that a refused run can name it.

    Raises:
        PublishError: when another run holds the lock; the message names its pid.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(published)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise PublishError(
                f"another run (pid {holder}) is building {published}; lock {path}"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def begin_build(published: Path) -> duckdb.DuckDBPyConnection:
    """Start a build: copy the published warehouse (if any) to ``.next`` and open it for writing.

    A leftover ``.next`` from a crashed run is discarded first.

    Raises:
        PublishError: when the copy cannot be written (e.g. the disk is full); the partial
            copy is deleted and the published file is untouched.
    """
    staging = next_path(published)
    _discard(staging)
    if published.exists():
        if published.with_name(published.name + ".wal").exists():
            # A writer outside the pipeline left un-checkpointed changes; fold them in first.
            with connect(published) as con:
                con.execute("checkpoint")
        try:
            shutil.copyfile(published, staging)
        except OSError as exc:
            _discard(staging)
            raise PublishError(f"could not start a build at {staging}: {exc}") from exc
    return connect(staging)


def publish(con: duckdb.DuckDBPyConnection, published: Path) -> Path:
    """Checkpoint and close the build, then atomically swap it in.

    Raises:
        PublishError: when the swap fails; the published file is then unchanged.
    """
    staging = next_path(published)
    try:
        con.execute("checkpoint")
        con.close()
        os.replace(staging, published)
    except (OSError, duckdb.Error) as exc:
        raise PublishError(f"could not publish {staging} over {published}: {exc}") from exc
    return published


def abandon(con: duckdb.DuckDBPyConnection | None, published: Path) -> None:
    """Close and delete a failed build; the published warehouse is not touched."""
    if con is not None:
        with suppress(duckdb.Error):
            con.close()
    _discard(next_path(published))
