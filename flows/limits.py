"""Concurrency of extraction: per-API host slots, Prefect server limits and the task runner.

Each source's streams take slots of its API's limit (named by :func:`sources.catalog.source_limit`,
sized by :attr:`flows.policy.SourcePolicy.host_slots`): a semaphore in this process, and, when
the settings want it (``api_limits``), a Prefect global concurrency limit shared by every run on
the server. The runner the extraction tasks are submitted to is chosen here too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flows.policy import policy_for
from rotation_kernel.settings import Settings
from sources.catalog import source_limit

_local_slots: dict[str, threading.BoundedSemaphore] = {}
_local_guard = threading.Lock()


@contextmanager
def local_host_slot(host: str, slots: int) -> Iterator[None]:
    """The process's semaphore for a host's concurrency limit (see :func:`host_slot`)."""
    with _local_guard:
        semaphore = _local_slots.setdefault(host, threading.BoundedSemaphore(slots))
    with semaphore:
        yield


def _server_limits_wanted(settings: Settings) -> bool:
    """``api_limits``: server, local, or auto (server only for a deployment's run)."""
    if settings.api_limits != "auto":
        return settings.api_limits == "server"
    from prefect import runtime

    return runtime.deployment.id is not None


def ensure_host_limits(settings: Settings, sources: list[str]) -> bool:
    """Create (or resize) one Prefect global concurrency limit per API host, when the
    settings want the limits on the server (``api_limits``; by default, a deployment's run).

    Why not always: on a run's private temporary server the limits share nothing, and taking
    a slot there cost 1-7 s a stream (the server is busy writing the run's task states), 23 s
    of a 29 s warm incremental run; the process's semaphores give the same bound for free.

    Returns:
        True when the Prefect API holds the limits (tasks then take their slots there, so
        every run and worker sharing the server shares them); False when they are not wanted
        there or no API answered: tasks then use in-process semaphores only.
    """
    if not _server_limits_wanted(settings):
        return False
    from prefect.client.orchestration import get_client

    wanted: dict[str, int] = {}
    for source in sources:
        name = source_limit(source, settings)
        wanted[name] = max(wanted.get(name, 0), policy_for(source).host_slots)
    try:
        with get_client(sync_client=True) as client:
            for name, slots in wanted.items():
                client.upsert_global_concurrency_limit_by_name(name, slots)
    except Exception:  # no server, or an old one: the local fallback still limits this process
        return False
    return True


@contextmanager
def host_slot(source: str, settings: Settings, server_limits: bool) -> Iterator[None]:
    """Hold one of the source's API slots while a stream is extracted.

    The process's own semaphore is taken first, then (``server_limits``) the Prefect global
    limit of the same name and size. Asking the server only with a local slot in hand means a
    run never competes with itself there: the server is asked for at most ``host_slots`` at
    once, so it answers at once unless another run holds the API's slots. (Asked by every
    waiting thread, it answers 423 with a Retry-After that grows with the denied requests:
    measured, 23 s of a 29 s warm nightly run were spent polling.)
    """
    name = source_limit(source, settings)
    with local_host_slot(name, policy_for(source).host_slots):
        if server_limits:
            from prefect.concurrency.sync import concurrency

            with concurrency(name, occupy=1, strict=False):
                yield
        else:
            yield


def make_task_runner(settings: Settings) -> Any:
    """The runner extraction tasks are submitted to (a context manager).

    ``thread`` (default): a thread pool in the flow's process; extraction is I/O-bound.
    ``dask``: prefect-dask's DaskTaskRunner, on the scheduler at ``dask_address`` when set,
    else on a temporary local cluster of worker processes: the scale-out path when one
    machine's threads are not enough. Workers read the same ROTATION_* environment.
    """
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        from prefect.settings import PREFECT_API_URL

        # Local workers report their task runs to this run's API (else each would start
        # a temporary Prefect server of its own).
        api = PREFECT_API_URL.value()
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": 2,
                "threads_per_worker": 4,
                "env": {"PREFECT_API_URL": api} if api else {},
            }
        )
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=6)
