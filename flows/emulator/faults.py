"""Injected failures for reliability tests: the next N requests under a path prefix fail."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flows.emulator.reply import Reply


@dataclass
class _Fault:
    prefix: str
    status: int
    remaining: int
    retry_after: str | None


class FaultPlan:
    """A thread-safe queue of planned failures, consumed in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []

    def add(self, path_prefix: str, status: int, times: int, retry_after: float | None) -> None:
        """Make the next ``times`` requests whose path starts with ``path_prefix`` fail.

        Args:
            path_prefix: e.g. ``"/fred/"`` or ``"/binance/api/v3/klines"``.
            status: the HTTP status to answer with (429, 500, 503, ...).
            times: how many matching requests fail before normal answers resume; 0 cancels
                every failure still planned for exactly this prefix.
            retry_after: seconds to send in a ``Retry-After`` header, or None for no header.

        Raises:
            ValueError: when ``times`` is negative.
        """
        if times < 0:
            raise ValueError("times must not be negative")
        header = None if retry_after is None else f"{retry_after:g}"
        with self._lock:
            if times == 0:
                self._faults = [f for f in self._faults if f.prefix != path_prefix]
            else:
                self._faults.append(_Fault(path_prefix, status, times, header))

    def take(self, path: str) -> Reply | None:
        """Consume one planned failure for ``path``, if any.

        Args:
            path: the decoded request path.

        Returns:
            The failure reply, or None when the request should be answered normally.
        """
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.prefix):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    body = {"error": "injected fault", "status": fault.status}
                    return Reply(fault.status, body, headers)
        return None
