"""Task policy: which layer retries what, how long a task may run, per-host slots and caching.

Each failure kind is retried in one layer only, so attempts never multiply:

* ``sources/_http.py`` retries one *request*: 429/5xx, connect and read timeouts, resets,
  a 2xx body that is not JSON; it honours ``Retry-After`` and tries at most
  ``http_max_attempts`` times with capped exponential backoff. What it gives up on
  (``SourceHTTPError`` and its kin) is final: the task does not retry it, a Binance symbol
  gets a venue fallback instead (:mod:`sources.fallbacks`).
* The extract *task* retries the whole *stream* (its spool restarts from page one) only for
  what the HTTP layer cannot see: the stream passing its time limit (``StreamTimeoutError``)
  and a wait for a lock or slot that timed out (any other ``TimeoutError``). Few retries,
  long jittered exponential delays.

Worst case per page: ``http_max_attempts`` requests (measured before this split: 15 a page,
~6 minutes, before a stream on an unreachable host was recorded as failed).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from prefect.tasks import exponential_backoff

from rotation_kernel.errors import SchemaDriftError, SourceHTTPError
from rotation_kernel.settings import Settings


@dataclass(frozen=True)
class SourcePolicy:
    """How one source's extract task is run.

    Attributes:
        retries: task-level retries of a whole stream after a time limit or a lock wait
            (never after an HTTP failure: ``sources/_http.py`` retried that already).
        timeout_s: the most one stream's extraction may take.
        host_slots: streams of this host extracted at once (across runs when a Prefect
            server holds the limit).
    """

    retries: int = 2
    timeout_s: float = 1800.0
    host_slots: int = 4


# Binance bans IPs that exceed their weight budget: fewer parallel streams; the long
# backfills (1-minute klines) get the longest timeout.
BINANCE_SPOT = SourcePolicy(retries=2, timeout_s=3600.0, host_slots=3)
POLICIES: dict[str, SourcePolicy] = {
    "binance": BINANCE_SPOT,
    "binance_klines_1m": BINANCE_SPOT,
    "binance_futures_funding": SourcePolicy(host_slots=3),
    "binance_futures_klines": SourcePolicy(host_slots=3),
    "fred_vintages": SourcePolicy(timeout_s=3600.0),
}
DEFAULT_POLICY = SourcePolicy()


def policy_for(source: str) -> SourcePolicy:
    return POLICIES.get(source, DEFAULT_POLICY)


def is_transient(exc: BaseException) -> bool:
    """True for the failures the task retries: the ones the HTTP layer cannot retry.

    A stream past its time limit (``StreamTimeoutError``), or a wait for a lock or a
    concurrency slot that timed out (Prefect raises ``TimeoutError`` subclasses), may pass
    on a later attempt. An HTTP failure (``SourceHTTPError``: retries exhausted, a 4xx, a ban
    or geo-block) was already retried, or must not be, by ``sources/_http.py``; schema drift
    and our own bugs would fail the same way again.
    """
    if isinstance(exc, SourceHTTPError | SchemaDriftError):
        return False
    return isinstance(exc, TimeoutError)


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry the stream only after :func:`is_transient`."""
    try:
        state.result()
    except BaseException as exc:  # the state's own exception, re-raised by result()
        return is_transient(exc)
    return False


def task_options(source: str, settings: Settings) -> dict[str, Any]:
    """Prefect options for one source's extract task (``Task.with_options`` keywords)."""
    policy = policy_for(source)
    return {
        "retries": policy.retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=settings.task_retry_delay_s),
        "retry_jitter_factor": 0.5,
        "retry_condition_fn": retry_transient,
    }


# Cached pages of a closed window are reused for this long (then fetched again).
CACHE_EXPIRATION = timedelta(days=30)


def window_is_closed(end: date, lookback_days: int, today: date | None = None) -> bool:
    """A window is closed when even the source's revision lookback no longer reaches it."""
    today = today or datetime.now(UTC).date()
    return end + timedelta(days=lookback_days) < today


def extraction_key(source: str, stream: str, start: date, end: date, base_url: str) -> str:
    """The cache key of one closed window: source, stream, window and the server it came from.

    The base URL is part of the key so the emulator's synthetic pages never answer for a live
    API (or another emulator) with the same window.
    """
    raw = f"{source}|{stream}|{start.isoformat()}|{end.isoformat()}|{base_url}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    safe_stream = "".join(ch if ch.isalnum() else "_" for ch in stream)
    return f"extract-{source}-{safe_stream}-{start:%Y%m%d}-{end:%Y%m%d}-{digest}"


def api_host(base_url: str) -> str:
    """``host:port`` of a base URL, the unit of a concurrency limit."""
    parts = urlsplit(base_url)
    return parts.netloc or base_url


def limit_name(api: str, host: str) -> str:
    """The global concurrency limit of one API on one host (Prefect names: letters, digits, -).

    Keyed by API as well as host: live APIs each have their own host anyway, and the emulator,
    which serves them all from one loopback port, then gets the same limits as production.
    """
    return "api-" + "".join(ch if ch.isalnum() else "-" for ch in f"{api}-{host}")


_local_slots: dict[str, threading.BoundedSemaphore] = {}
_local_guard = threading.Lock()


@contextmanager
def local_host_slot(host: str, slots: int) -> Iterator[None]:
    """The process's semaphore for a host's concurrency limit (see :func:`host_slot`)."""
    with _local_guard:
        semaphore = _local_slots.setdefault(host, threading.BoundedSemaphore(slots))
    with semaphore:
        yield


# The settings field holding each source's base URL (keyless FRED reads fredgraph instead).
BASE_URL_FIELDS: dict[str, str] = {
    "fred": "fred_base_url",
    "fred_rates": "fred_base_url",
    "fred_vintages": "fred_base_url",
    "treasury": "treasury_base_url",
    "yahoo": "yahoo_base_url",
    "binance": "binance_base_url",
    "binance_klines_1m": "binance_base_url",
    "binance_futures_funding": "binance_futures_base_url",
    "binance_futures_klines": "binance_futures_base_url",
    # The downloads host; the bucket listing (binance_archive_listing_url) is the other one.
    "binance_archive": "binance_archive_base_url",
    "coinbase": "coinbase_base_url",
    "kraken": "kraken_base_url",
}


def api_of(source: str, settings: Settings) -> str:
    """The API a source calls (``fred``, ``binance_futures``...); keyless FRED calls fredgraph."""
    field = BASE_URL_FIELDS[source]
    if field == "fred_base_url" and not settings.has_fred_key:
        field = "fredgraph_base_url"
    return field.removesuffix("_base_url")


def base_url_for(source: str, settings: Settings) -> str:
    """The base URL a source's requests go to under these settings."""
    return getattr(settings, f"{api_of(source, settings)}_base_url")


def source_limit(source: str, settings: Settings) -> str:
    """The name of the concurrency limit a source's streams take slots from."""
    return limit_name(api_of(source, settings), api_host(base_url_for(source, settings)))


def interleave(keys: list[tuple[str, str]], settings: Settings) -> list[tuple[str, str]]:
    """(source, stream) keys reordered round-robin over their APIs, each API's in order.

    Submitted in this order, the runner's threads start streams of every API at once instead
    of queueing behind one API's slots (20 FRED series first, then Binance...).
    """
    by_api: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        by_api.setdefault(source_limit(key[0], settings), []).append(key)
    queues = list(by_api.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


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
