"""Shared pieces of the fault matrix: the session emulator without leftover faults, clients on
a fake clock, and a warehouse comparison that ignores load bookkeeping."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from emulator import Emulator
from rotation_kernel.settings import Settings, load_settings
from sources._http import HttpClient
from tests.conftest import Baseline
from tests.conftest import pipeline_overrides as flow_overrides
from tests.sources.conftest import FakeClock

# A quarter of daily candles: one page of klines, a dozen H.4.1 Wednesdays, ~60 DTS days.
WINDOW = (date(2024, 1, 1), date(2024, 3, 31))


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator; every fault a test planned is cancelled when it ends."""
    emulator.clear_faults()
    yield emulator
    emulator.clear_faults()


@pytest.fixture
def emu_settings(emu: Emulator) -> Settings:
    """Settings aimed at the emulator (its FRED key included)."""
    return load_settings(**emu.settings_overrides())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> Callable[..., HttpClient]:
    """Build an HttpClient that waits on the fake clock: every wait is recorded, none is slept.

    Three attempts, a 0.5 s backoff base and a 30 s cap, as a production client would use,
    with a read timeout that a test may shorten.
    """

    def build(read_timeout_s: float = 5.0, secrets: list[str] | None = None) -> HttpClient:
        return HttpClient(
            connect_timeout_s=2.0,
            read_timeout_s=read_timeout_s,
            max_attempts=3,
            backoff_base_s=0.5,
            backoff_cap_s=30.0,
            secrets=secrets or [],
            sleep=clock.sleep,
            clock=clock,
        )

    return build


def pipeline_overrides(emulator: Emulator, warehouse: Path, **extra: object) -> dict[str, object]:
    """Settings for a flow run against ``emulator`` into ``warehouse``, retrying without waits.

    Args:
        emulator: the running emulator.
        warehouse: the published warehouse path.
        **extra: more settings (e.g. ``fred_api_key``).

    Returns:
        The overrides for :func:`rotation_kernel.settings.settings_env`.
    """
    return {**flow_overrides(emulator, warehouse), **extra}


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def copied_warehouse(baseline: Baseline, tmp_path: Path) -> Path:
    """A private copy of the baseline warehouse, as a published file to run on top of."""
    warehouse = tmp_path / "rotation.duckdb"
    shutil.copyfile(baseline.warehouse, warehouse)
    return warehouse


@pytest.fixture(scope="session")
def faulty_run(baseline: Baseline, emulator: Emulator, tmp_path_factory):
    """The shared run with a fault on many streams (see ``faulty_run.py``)."""
    from tests.reliability.faulty_run import run_with_faults

    warehouse = tmp_path_factory.mktemp("faulty") / "rotation.duckdb"
    shutil.copyfile(baseline.warehouse, warehouse)
    return run_with_faults(emulator, warehouse)
