"""A tiny in-process observer for progress events: flows emit, the CLI (or nobody) listens.

The flow runs in the caller's process, so a callback is the whole transport. Event kinds emitted:

- ``stage``: ``name`` (extract, validate, load, transform, validate-marts, publish, docs, done) and
  optional counts such as ``streams``;
- ``page``: one page of a stream was spooled: ``source``, ``stream``, ``rows`` (so far) and
  ``pages`` (so far);
- ``chunk``: a backfill chunk starts: ``index`` (1-based), ``total``, ``start``, ``end``.

Listeners are called on the emitting thread (extraction runs on a thread pool), so they must be
thread-safe; an exception in a listener is swallowed, because progress must never break a run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


@contextmanager
def subscribe(listener: Listener) -> Iterator[Listener]:
    """Call ``listener(kind, fields)`` for every event emitted while the block runs.

    Args:
        listener: a thread-safe callable taking the event kind and its fields.

    Returns:
        A context manager yielding the listener; leaving it unsubscribes.
    """
    with _lock:
        _listeners.append(listener)
    try:
        yield listener
    finally:
        with _lock:
            _listeners.remove(listener)


def emit(kind: str, **fields: Any) -> None:
    """Tell every listener about an event; a no-op when nobody listens.

    Args:
        kind: the event kind (``stage``, ``page``, ``chunk``).
        **fields: the event's details.
    """
    if not _listeners:  # the common case (scheduled runs, tests): no lock, no work
        return
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        with suppress(Exception):
            listener(kind, fields)
