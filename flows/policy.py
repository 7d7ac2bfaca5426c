"""Task policy: which layer retries what, how long a task may run, and caching.

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

How many streams of one API run at once (host slots, server limits, the task runner) is
:mod:`flows.limits`; which API and host a source calls is :mod:`sources.catalog`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

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
