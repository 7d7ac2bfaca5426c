"""Binance request conventions shared by spot and USD-M futures: error bodies and time windows.

Both APIs answer bad requests with HTTP 400 ``{"code": <negative int>, "msg": ...}`` and select
rows the same way: ``startTime``/``endTime`` (epoch ms, inclusive) and ``limit``; with a
``startTime`` the page walks forward from it, otherwise it ends at ``endTime`` (or now).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.reply import Reply


def error_reply(code: int, msg: str) -> Reply:
    """A Binance error body.

    Args:
        code: Binance's error code, e.g. -1121.
        msg: its message.

    Returns:
        HTTP 400 with ``{"code": code, "msg": msg}``.
    """
    return Reply(400, {"code": code, "msg": msg})


def mandatory_reply(name: str) -> Reply:
    """The -1102 answer for a missing mandatory parameter.

    Args:
        name: the parameter's name.

    Returns:
        HTTP 400 with Binance's -1102 body.
    """
    return error_reply(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


@dataclass(frozen=True)
class TimeWindow:
    """Validated ``startTime``/``endTime``/``limit`` of one request."""

    start: int | None
    end: int | None
    limit: int

    def pick(self, times: np.ndarray) -> np.ndarray:
        """Positions of the rows to send, in ascending time order.

        Args:
            times: ascending row times (epoch ms).

        Returns:
            Indices into ``times``: the first ``limit`` from ``start``, or the last ``limit``
            up to ``end`` when there is no ``start``.
        """
        keep = np.ones(len(times), dtype=bool)
        if self.start is not None:
            keep &= times >= self.start
        if self.end is not None:
            keep &= times <= self.end
        chosen = np.flatnonzero(keep)
        return chosen[: self.limit] if self.start is not None else chosen[-self.limit :]


def time_window(query: dict[str, str], default_limit: int, max_limit: int) -> TimeWindow | Reply:
    """Parse ``startTime``, ``endTime`` and ``limit`` as Binance does.

    A limit above the maximum is lowered to it, not refused.

    Args:
        query: decoded query parameters.
        default_limit: the endpoint's default page size.
        max_limit: the endpoint's largest page size.

    Returns:
        The window, or the error reply (-1100 bad characters, -1130 bad limit,
        -1023 start after end).
    """
    values: dict[str, int | None] = {}
    for name in ("startTime", "endTime", "limit"):
        raw = query.get(name)
        if raw is not None and not raw.isdigit():
            return error_reply(
                -1100,
                f"Illegal characters found in parameter '{name}'; legal range is "
                "'^[0-9]{1,20}$'.",
            )
        values[name] = None if raw is None else int(raw)
    limit = values["limit"]
    if limit is not None and limit < 1:
        return error_reply(-1130, "Data sent for parameter 'limit' is not valid.")
    start, end = values["startTime"], values["endTime"]
    if start is not None and end is not None and start > end:
        return error_reply(-1023, "Start time is greater than end time.")
    return TimeWindow(start, end, min(limit or default_limit, max_limit))
