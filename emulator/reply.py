"""What a route module receives (the market as of one moment) and what it returns (a JSON reply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from emulator.market import Market


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, a body and extra headers.

    A ``str`` body is sent as it is (CSV, plain text, XML), ``bytes`` too (a zip); anything else
    is serialised as JSON.
    """

    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass(frozen=True)
class Snapshot:
    """The synthetic market as served: cut at ``today``, clocked at ``now`` (UTC).

    ``bad_data`` holds the deliberately bad data kinds switched on (see ``bad_data.py``) and
    ``fredgraph_header`` the first header cell of fredgraph CSVs (``observation_date`` or the
    older ``DATE``); a request sees one consistent snapshot of both.
    """

    market: Market
    today: date
    now: datetime
    bad_data: frozenset[str] = frozenset()
    fredgraph_header: str = "observation_date"

    @property
    def yesterday(self) -> date:
        """The last day whose daily publications (FRED daily series, DTS) are out."""
        return self.today - timedelta(days=1)

    @property
    def now_ms(self) -> int:
        """``now`` as epoch milliseconds."""
        return int(self.now.timestamp() * 1000)


def make_snapshot(market: Market, today: date | None, now: datetime | None) -> Snapshot:
    """Resolve the emulator's clock.

    ``now`` defaults to the current UTC time; if that is not on ``today`` (a fixed test date),
    it becomes noon UTC of ``today``, so the unfinished Binance candle is always today's.
    ``today`` defaults to the UTC date of ``now``.

    Args:
        market: the synthetic market.
        today: the last day of history, or None.
        now: the current instant (naive values are read as UTC), or None.

    Returns:
        The resolved :class:`Snapshot`.
    """
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if now is None:
        now = datetime.now(UTC)
        if today is not None and now.date() != today:
            now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    return Snapshot(
        market=market, today=today or now.astimezone(UTC).date(), now=now.astimezone(UTC)
    )
