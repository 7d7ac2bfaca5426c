"""Process faults: kill -9 in the middle of a load, two runs at once, and a full disk.

The killed run is a real nightly in a child process, stopped for good right after a stream's
MERGE into the build; the parent then tries a second run, kills the child, and reruns.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

import warehouse.publish as publish_module
from flows.nightly import nightly
from rotation_kernel.errors import PublishError
from rotation_kernel.settings import settings_env
from tests.conftest import FLOW_START, Baseline, base_tables
from tests.reliability.conftest import pipeline_overrides, today
from warehouse.db import connect, content_checksums, list_tables
from warehouse.publish import lock_path, next_path
from warehouse.runs import RunSummary

pytestmark = pytest.mark.flow

LOADS_BEFORE_KILL = 5  # streams merged into the build before the child stops for good


def wait_for(condition: Callable[[], bool], deadline_s: float, what: str) -> None:
    """Poll ``condition`` every 50 ms until it holds; fail naming ``what`` at the deadline.

    The condition is another process's progress (a lock, a build file): there is no event
    to wait on across processes, so the test polls with a deadline instead of sleeping blind.
    """
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out after {deadline_s:.0f}s waiting for {what}")
        time.sleep(0.05)


def child_env(overrides: dict[str, object]) -> dict[str, str]:
    """The environment of a child run: these settings and this session's Prefect API."""
    with settings_env(overrides):
        return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


@dataclass(frozen=True)
class KilledRun:
    pid: int
    published_before: bytes
    published_after_kill: bytes
    next_existed: bool
    refusal: str
    rerun: RunSummary
    raw: dict[str, tuple]
    marts: dict[str, tuple]


@pytest.fixture(scope="module")
def killed_run(baseline: Baseline, emulator, tmp_path_factory) -> Iterator[KilledRun]:
    """Kill a run mid-load on a copy of the baseline, try a run meanwhile, then rerun."""
    folder = tmp_path_factory.mktemp("killed")
    warehouse = folder / "rotation.duckdb"
    shutil.copyfile(baseline.warehouse, warehouse)
    before = warehouse.read_bytes()
    overrides = pipeline_overrides(emulator, warehouse)
    marker = folder / "paused"
    command = [sys.executable, "-m", "tests.reliability.run_child", "run"]
    command += [FLOW_START.isoformat(), today().isoformat()]
    command += ["--pause-after-loads", str(LOADS_BEFORE_KILL), "--marker", str(marker)]
    child = subprocess.Popen(command, env=child_env(overrides), stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: marker.exists() or child.poll() is not None, 240, "the child's loads")
        assert marker.read_text() == str(LOADS_BEFORE_KILL)
        with settings_env(overrides), pytest.raises(PublishError) as refused:
            nightly(start=None, end=today(), mode="test")
        next_existed = next_path(warehouse).exists()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    after_kill = warehouse.read_bytes()
    with settings_env(overrides):
        rerun = nightly(start=FLOW_START, end=today(), mode="test")
    with connect(warehouse, read_only=True) as con:
        raw = content_checksums(con, tables=list_tables(con, ("raw",)))
        marts = content_checksums(con, tables=base_tables(con, "marts"))
    yield KilledRun(
        child.pid, before, after_kill, next_existed, str(refused.value), rerun, raw, marts
    )


class TestKillDuringLoad:
    def test_kill_9_mid_load_leaves_the_published_warehouse_byte_identical(self, killed_run):
        """The child had merged streams into .next when it died; the published bytes did
        not change."""
        assert killed_run.next_existed
        assert killed_run.published_after_kill == killed_run.published_before

    def test_a_second_run_meanwhile_is_refused_naming_the_holder(self, killed_run):
        """While the child holds the lock, a run fails fast with PublishError and its pid."""
        assert f"another run (pid {killed_run.pid}) is building" in killed_run.refusal

    def test_the_killed_holder_s_lock_is_released_and_the_rerun_publishes(self, killed_run):
        """No stale lock: the rerun gets the lock, succeeds, and leaves no .next or pid."""
        warehouse = killed_run.rerun.warehouse
        assert killed_run.rerun.status == "success"
        assert not next_path(warehouse).exists()
        assert lock_path(warehouse).read_text() == ""

    def test_the_rerun_ends_with_checksums_identical_to_a_clean_run(self, killed_run, baseline):
        """Every raw and mart table equals the clean run's: nothing lost, nothing doubled."""
        assert killed_run.raw == baseline.raw
        assert killed_run.marts == baseline.marts


@pytest.fixture
def tiny_disk(tmp_path: Path, baseline: Baseline, monkeypatch) -> Iterator[Path]:
    """A tmpfs with room for the published warehouse but not for a second copy of it.

    Mounting needs root; elsewhere the same ENOSPC is injected into the build copy.
    """
    mount = tmp_path / "disk"
    mount.mkdir()
    size_kb = baseline.warehouse.stat().st_size * 13 // 10 // 1024
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:

        def disk_full(src, dst):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(publish_module.shutil, "copyfile", disk_full)
    try:
        yield mount
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(mount)], check=True)


class TestDiskFull:
    def test_a_full_disk_fails_the_run_cleanly_and_leaves_the_published_file(
        self, tiny_disk, baseline, emulator
    ):
        """No room for the build copy: PublishError naming ENOSPC, the published bytes
        unchanged, no partial .next left behind, the space given back."""
        warehouse = tiny_disk / "rotation.duckdb"
        shutil.copyfile(baseline.warehouse, warehouse)
        before = warehouse.read_bytes()
        free = shutil.disk_usage(tiny_disk).free
        full = pytest.raises(PublishError, match="No space left on device")
        with settings_env(pipeline_overrides(emulator, warehouse)), full:
            nightly(start=None, end=today(), mode="test")
        assert warehouse.read_bytes() == before
        assert not next_path(warehouse).exists()
        assert shutil.disk_usage(tiny_disk).free >= free - 64 * 1024  # only the lock file
