"""Injected failures for reliability tests: the next N requests under a path prefix fail.

451 and 418 are Binance's own statuses (geo-block, IP ban) and get Binance's real bodies by
default; any other status gets a small generic JSON body. A caller may pass its own body.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flows.emulator.reply import Reply

BAN_MS = 120_000  # how long the emulated 418 ban lasts, reported in its message
GEO_BLOCK_BODY = {
    "code": 0,
    "msg": "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error.",
}


def default_body(status: int, now_ms: int) -> object:
    """The body an injected failure carries when the caller gave none.

    Args:
        status: the injected HTTP status.
        now_ms: the emulator's clock, epoch ms (a 418 reports when its ban ends).

    Returns:
        Binance's body for 451 and 418, else ``{"error": "injected fault", "status": ...}``.
    """
    if status == 451:
        return GEO_BLOCK_BODY
    if status == 418:
        return {
            "code": -1003,
            "msg": f"Way too much request weight used; IP banned until {now_ms + BAN_MS}. "
            "Please use the websocket for live updates to avoid bans.",
        }
    return {"error": "injected fault", "status": status}


@dataclass
class _Fault:
    prefix: str
    status: int
    remaining: int
    retry_after: str | None
    body: object | None


class FaultPlan:
    """A thread-safe queue of planned failures, consumed in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []

    def add(
        self,
        path_prefix: str,
        status: int,
        times: int,
        retry_after: float | None,
        body: object | None = None,
    ) -> None:
        """Make the next ``times`` requests whose path starts with ``path_prefix`` fail.

        Args:
            path_prefix: e.g. ``"/fred/"`` or ``"/binance/api/v3/klines"``.
            status: the HTTP status to answer with (429, 451, 418, 500, 503, ...).
            times: how many matching requests fail before normal answers resume; 0 cancels
                every failure still planned for exactly this prefix.
            retry_after: seconds to send in a ``Retry-After`` header, or None for no header.
            body: the JSON body to send, or None for :func:`default_body`.

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
                self._faults.append(_Fault(path_prefix, status, times, header, body))

    def take(self, path: str, now_ms: int = 0) -> Reply | None:
        """Consume one planned failure for ``path``, if any.

        Args:
            path: the decoded request path.
            now_ms: the emulator's clock, for bodies that report a time.

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
                    body = default_body(fault.status, now_ms) if fault.body is None else fault.body
                    return Reply(fault.status, body, headers)
        return None
