"""Injected failures for reliability tests: the next N matching requests misbehave.

A planned fault matches a request by path prefix (and optionally by query items, so one
concurrent stream can be singled out), and does one of four things:

- ``status``: answer an error status at once (429 with ``Retry-After`` in seconds or as an
  HTTP date, 5xx, Binance's 451 and 418 with their real bodies);
- ``stall``: wait ``delay_s`` before answering normally (a client read timeout fires first);
- ``reset``: close the connection without any answer (a TCP reset);
- ``payload``: answer normally, spoiled by a kind of ``payload_faults.PAYLOAD_FAULTS``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Literal

from emulator.payload_faults import checked_payload_kind
from emulator.reply import Reply

BAN_MS = 120_000  # how long the emulated 418 ban lasts, reported in its message
GEO_BLOCK_BODY = {
    "code": 0,
    "msg": "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error.",
}
FaultAction = Literal["status", "stall", "reset", "payload"]


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


def retry_after_header(retry_after: float | datetime | None) -> str | None:
    """The ``Retry-After`` value for seconds (``"7"``) or an instant (an HTTP date).

    Args:
        retry_after: seconds, an aware datetime, or None for no header.

    Returns:
        The header value, or None.

    Raises:
        ValueError: for a naive datetime (an HTTP date is always GMT).
    """
    if retry_after is None:
        return None
    if isinstance(retry_after, datetime):
        if retry_after.tzinfo is None:
            raise ValueError("retry_after as a datetime must be timezone-aware")
        return format_datetime(retry_after.astimezone(UTC), usegmt=True)
    return f"{retry_after:g}"


@dataclass(frozen=True)
class Fault:
    """What one planned fault does to a matching request (see the module docstring)."""

    action: FaultAction
    status: int = 200
    retry_after: str | None = None
    body: object | None = None
    delay_s: float = 0.0
    payload: str = ""

    def __post_init__(self) -> None:
        if self.action == "payload":
            checked_payload_kind(self.payload)
        if self.delay_s < 0:
            raise ValueError("delay_s must not be negative")

    def reply(self, now_ms: int) -> Reply:
        """The error reply of a ``status`` fault."""
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        body = default_body(self.status, now_ms) if self.body is None else self.body
        return Reply(self.status, body, headers)


@dataclass
class _Planned:
    prefix: str
    where: Mapping[str, str]
    fault: Fault
    remaining: int = field(default=1)

    def matches(self, path: str, query: Mapping[str, str]) -> bool:
        return path.startswith(self.prefix) and all(
            query.get(k) == v for k, v in self.where.items()
        )


class FaultPlan:
    """A thread-safe queue of planned faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: list[_Planned] = []

    def add(
        self,
        path_prefix: str,
        fault: Fault,
        times: int = 1,
        where: Mapping[str, str] | None = None,
    ) -> None:
        """Make the next ``times`` matching requests meet ``fault``.

        Args:
            path_prefix: e.g. ``"/fred/"`` or ``"/binance/api/v3/klines"``.
            fault: what happens to each matching request.
            times: how many matching requests meet the fault before normal answers resume;
                0 cancels every fault still planned for exactly this prefix.
            where: query items a request must carry to match (``{"series_id": "WALCL"}``).

        Raises:
            ValueError: when ``times`` is negative.
        """
        if times < 0:
            raise ValueError("times must not be negative")
        with self._lock:
            if times == 0:
                self._planned = [p for p in self._planned if p.prefix != path_prefix]
            else:
                self._planned.append(_Planned(path_prefix, dict(where or {}), fault, times))

    def clear(self) -> None:
        """Cancel every planned fault."""
        with self._lock:
            self._planned.clear()

    def take(self, path: str, query: Mapping[str, str] | None = None) -> Fault | None:
        """Consume one planned fault for a request, if any matches.

        Args:
            path: the decoded request path.
            query: the decoded query parameters.

        Returns:
            The fault, or None when the request should be answered normally.
        """
        with self._lock:
            for planned in self._planned:
                if planned.matches(path, query or {}):
                    planned.remaining -= 1
                    if planned.remaining == 0:
                        self._planned.remove(planned)
                    return planned.fault
        return None


class FaultSwitches:
    """The emulator's fault switches; the host class provides ``faults``, a :class:`FaultPlan`."""

    faults: FaultPlan

    def clear_faults(self) -> None:
        """Cancel every planned fault, whatever its prefix (a test's teardown)."""
        self.faults.clear()

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        times: int = 1,
        retry_after: float | datetime | None = None,
        body: object | None = None,
        where: Mapping[str, str] | None = None,
    ) -> None:
        """Make the next ``times`` requests under ``path_prefix`` answer ``status``.

        Args:
            path_prefix: request path prefix, e.g. ``"/fred/"``. Mind the trailing slash:
                ``"/binance"`` also matches ``"/binance-futures/..."``, ``"/binance/"`` does not.
            status: HTTP status of the injected failure; 451 and 418 carry Binance's real
                geo-block and IP-ban bodies unless ``body`` is given.
            times: number of matching requests that fail; 0 cancels every fault (of any
                kind) still planned for ``path_prefix``.
            retry_after: a ``Retry-After`` header: seconds, or an aware datetime sent as an
                HTTP date; None for no header.
            body: the JSON body of the failure, or None for the default one.
            where: query items a request must carry to match, e.g. ``{"symbol": "BTCUSDT"}``.

        Raises:
            ValueError: when ``times`` is negative or ``retry_after`` a naive datetime.
        """
        fault = Fault("status", status, retry_after_header(retry_after), body)
        self.faults.add(path_prefix, fault, times, where)

    def stall_next(
        self,
        path_prefix: str,
        delay_s: float,
        times: int = 1,
        where: Mapping[str, str] | None = None,
    ) -> None:
        """Make the next ``times`` matching requests wait ``delay_s`` before a normal answer.

        A client whose read timeout is shorter gives up first: a read timeout, without the
        test itself waiting long (keep ``delay_s`` to a fraction of a second).

        Args:
            path_prefix / times / where: as :meth:`fail_next`.
            delay_s: seconds to wait before answering.

        Raises:
            ValueError: when ``times`` or ``delay_s`` is negative.
        """
        self.faults.add(path_prefix, Fault("stall", delay_s=delay_s), times, where)

    def reset_next(
        self, path_prefix: str, times: int = 1, where: Mapping[str, str] | None = None
    ) -> None:
        """Make the next ``times`` matching requests meet a reset connection and no answer.

        Args:
            path_prefix / times / where: as :meth:`fail_next`.

        Raises:
            ValueError: when ``times`` is negative.
        """
        self.faults.add(path_prefix, Fault("reset"), times, where)

    def garble_next(
        self,
        path_prefix: str,
        kind: str,
        times: int = 1,
        where: Mapping[str, str] | None = None,
    ) -> None:
        """Make the next ``times`` matching requests get a spoiled version of the real answer.

        Args:
            path_prefix / times / where: as :meth:`fail_next`.
            kind: a key of ``payload_faults.PAYLOAD_FAULTS`` (truncated JSON, an HTML page
                with status 200, no records, schema drift, overlapping pages).

        Raises:
            ValueError: for an unknown kind or a negative ``times``.
        """
        self.faults.add(path_prefix, Fault("payload", payload=kind), times, where)
