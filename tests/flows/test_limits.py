"""Concurrency (flows.limits) without a flow run: host semaphores, server limits, slot order."""

from __future__ import annotations

import contextlib
import threading
from unittest import mock

from flows import limits
from flows.policy import policy_for
from rotation_kernel.settings import load_settings, settings_env
from sources.catalog import source_limit


class TestHostLimits:
    def test_auto_asks_the_server_in_a_deployments_run(self):
        with (
            settings_env({"api_limits": "auto"}),
            mock.patch("prefect.runtime.deployment.id", "d0c5"),
            mock.patch("prefect.client.orchestration.get_client") as client,
        ):
            assert limits.ensure_host_limits(load_settings(), ["fred", "fred_rates"])
        upserts = client.return_value.__enter__.return_value.upsert_global_concurrency_limit_by_name
        assert upserts.call_count == 1  # fred and fred_rates share the FRED API's limit

    def test_the_local_slot_is_taken_before_the_server_is_asked(self):
        """A run never asks the server for more slots than the API has: threads queue on the
        process's semaphore first, and only a slot holder asks the server."""
        settings = load_settings()
        name = source_limit("fred", settings)
        asked_while_holding = []

        @contextlib.contextmanager
        def server_slot(limit_name, occupy, strict):
            semaphore = limits._local_slots[name]
            asked_while_holding.append(semaphore._value < policy_for("fred").host_slots)
            yield

        with (
            mock.patch("prefect.concurrency.sync.concurrency", server_slot),
            limits.host_slot("fred", settings, server_limits=True),
        ):
            pass
        assert asked_while_holding == [True]

    def test_without_a_server_a_host_semaphore_holds_streams_back(self):
        """Two slots: the third stream waits until one of the first two leaves."""
        host = "example.test:443"
        inside, release, third_in = threading.Semaphore(0), threading.Event(), threading.Event()

        def hold():
            with limits.local_host_slot(host, 2):
                inside.release()
                release.wait(5)

        holders = [threading.Thread(target=hold) for _ in range(2)]
        for t in holders:
            t.start()
        inside.acquire(timeout=5)
        inside.acquire(timeout=5)

        def third():
            with limits.local_host_slot(host, 2):
                third_in.set()

        waiting = threading.Thread(target=third)
        waiting.start()
        assert not third_in.wait(0.05)
        release.set()
        assert third_in.wait(5)
        for t in [*holders, waiting]:
            t.join(5)
