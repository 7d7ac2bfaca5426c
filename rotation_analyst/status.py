"""What the published warehouse holds: the thesis setup, runs, watermarks, staleness, failures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from warehouse.db import list_tables

# The freshness expectation as meta.validation_results records it (expectations/attribution.py
# `describe`: the text is the same every run), e.g. "expect_newest_date_to_be_recent(...,
# max_lag_days=7, max_lag_days_by_group=[RRPONTSYD=4], business_days=True)". Reading the lags
# back from the last run keeps one definition (the suites) without importing GX (~5 s).
FRESHNESS = "expect_newest_date_to_be_recent"
_LAG = re.compile(r"max_lag_days=(\d+)")
_BY_GROUP = re.compile(r"max_lag_days_by_group=\[([^\]]*)\]")
SETUP_MART = "marts.fct_thesis_setup"
NOT_BUILT = "thesis marts not built yet - run `rotation run`"


@dataclass(frozen=True)
class Lag:
    """A source's publication lag: how old its newest date may be on a normal day."""

    days: int
    by_stream: dict[str, int] = field(default_factory=dict)
    business_days: bool = False

    def allowed(self, stream: str) -> int:
        return self.by_stream.get(stream, self.days)

    def age(self, newest: date, today: date) -> int:
        """Days (or Monday-Friday days) from ``newest`` to ``today``, as the suite counts them."""
        if self.business_days:
            return int(np.busday_count(newest, today))
        return (today - newest).days


@dataclass(frozen=True)
class Freshness:
    """One raw table's streams judged against its publication lag on ``today``."""

    table: str
    streams: int
    newest: date | None
    oldest: date | None
    age: int | None  # of the stalest stream, in the lag's unit
    allowed: int | None
    unit: str  # "days" or "business days"
    stale_streams: list[str]

    @property
    def state(self) -> str:
        if self.allowed is None:
            return "unknown lag"
        return "STALE: " + ", ".join(self.stale_streams) if self.stale_streams else "fresh"


@dataclass(frozen=True)
class SetupState:
    """The thesis setup at the latest session of marts.fct_thesis_setup, and its two conditions."""

    date: date
    is_setup: bool
    setup_since_date: date | None
    impulse_13w_pct_walcl: float | None  # percent of WALCL, as known at the end of ``date``
    impulse_13w_usd_bn: float | None
    walcl_observation_date: date | None
    is_liquidity_expanding: bool | None  # the mart's own threshold, applied: not repeated here
    is_r2k_strong_uptrend: bool | None  # the confirmed state
    is_r2k_condition: bool | None  # the raw daily condition behind it
    rut_close_usd: float | None


@dataclass
class WarehouseStatus:
    """Everything `rotation status` shows, read from one published file."""

    path: Path
    size_bytes: int
    modified_at: datetime
    runs: list[dict[str, Any]]
    freshness: list[Freshness]
    failures: list[dict[str, Any]]
    setup: SetupState | None = None  # None: the thesis marts are not built (or hold no session)

    @property
    def last_run(self) -> dict[str, Any] | None:
        return self.runs[0] if self.runs else None


def parse_lag(expectation: str) -> Lag | None:
    """The publication lag in a recorded freshness expectation, or None if it has none.

    Args:
        expectation: the ``expectation`` text of a meta.validation_results row.

    Returns:
        The lag, or None when the text is not a freshness expectation.
    """
    days = _LAG.search(expectation)
    if not expectation.startswith(FRESHNESS) or not days:
        return None
    groups = _BY_GROUP.search(expectation)
    pairs = [p.split("=") for p in groups.group(1).split(", ") if "=" in p] if groups else []
    return Lag(
        days=int(days.group(1)),
        by_stream={k: int(v) for k, v in pairs},
        business_days="business_days=True" in expectation,
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[dict[str, Any]]:
    """The newest runs first: id, name, times, status, data_origin, mode, window, stale sources."""
    return _rows(
        con,
        "select run_id, flow_run_name, started_at, finished_at, status, data_origin, mode, "
        "window_start, window_end, rows_in, stale_sources, notes "
        "from meta.runs order by started_at desc limit ?",
        [limit],
    )


def source_lags(con: duckdb.DuckDBPyConnection) -> dict[str, Lag]:
    """Each raw table's publication lag, from the newest freshness result of its suite."""
    rows = con.execute(
        "select suite, expectation from meta.validation_results "
        f"where expectation like '{FRESHNESS}(%' "
        "qualify validated_at = max(validated_at) over (partition by suite)"
    ).fetchall()
    lags: dict[str, Lag] = {}
    for suite, text in rows:
        lag = parse_lag(text)
        if lag is None:
            continue
        known = lags.get(suite)  # FRED's liquidity and rate streams have one suite, two checks
        if known:
            lag = Lag(known.days, {**known.by_stream, **lag.by_stream}, known.business_days)
        lags[suite] = lag
    return lags


def freshness(con: duckdb.DuckDBPyConnection, today: date) -> list[Freshness]:
    """Every raw table's watermarks judged against its publication lag on ``today``.

    Args:
        con: a connection to the warehouse.
        today: the day staleness is judged on (normally today, UTC).

    Returns:
        One :class:`Freshness` per raw table with a watermark, in table order.
    """
    has_results = "meta.validation_results" in list_tables(con, ("meta",))
    lags = source_lags(con) if has_results else {}
    rows = con.execute(
        "select 'raw.' || source || '__' || resource, stream, watermark "
        "from meta.load_state where watermark is not null order by 1, 2"
    ).fetchall()
    by_table: dict[str, list[tuple[str, date]]] = {}
    for table, stream, watermark in rows:
        by_table.setdefault(table, []).append((stream, watermark))
    out = []
    for table, streams in by_table.items():
        lag = lags.get(table)
        newest = max(w for _, w in streams)
        oldest = min(w for _, w in streams)
        if lag is None:
            out.append(Freshness(table, len(streams), newest, oldest, None, None, "days", []))
            continue
        ages = {s: lag.age(w, today) for s, w in streams}
        stale = [s for s, age in ages.items() if age > lag.allowed(s)]
        worst = max(ages, key=lambda s: ages[s] - lag.allowed(s))
        unit = "business days" if lag.business_days else "days"
        out.append(
            Freshness(
                table, len(streams), newest, oldest, ages[worst], lag.allowed(worst), unit, stale
            )
        )
    return out


def failures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """The failed expectations of one run: suite, expectation, stream, severity, rows, reason."""
    if "meta.validation_results" not in list_tables(con, ("meta",)):
        return []
    return _rows(
        con,
        "select suite, expectation, stream, severity, rows_failed, reason "
        "from meta.validation_results where run_id = ? and not success "
        "order by severity, suite, expectation",
        [run_id],
    )


def setup_state(con: duckdb.DuckDBPyConnection) -> SetupState | None:
    """The thesis setup at the latest session, or None when the mart is missing or empty.

    Args:
        con: a connection to the warehouse.

    Returns:
        The :class:`SetupState` of the newest row of marts.fct_thesis_setup, or None.
    """
    if SETUP_MART not in list_tables(con, ("marts",)):
        return None
    fields = ", ".join(SetupState.__dataclass_fields__)
    rows = _rows(con, f"select {fields} from {SETUP_MART} order by date desc limit 1")
    return SetupState(**rows[0]) if rows else None


def describe_setup(state: SetupState | None) -> list[str]:
    """The setup in plain lines: ON since when, or OFF, then each condition with its value.

    Args:
        state: from :func:`setup_state`.

    Returns:
        Lines of text; one line saying the marts are not built when ``state`` is None.
    """
    if state is None:
        return [NOT_BUILT]
    day = state.date.isoformat()
    if state.is_setup:
        since = state.setup_since_date.isoformat() if state.setup_since_date else "unknown"
        head = f"setup ON since {since} (latest session {day})"
    else:
        head = f"setup OFF at the latest session ({day})"
    pct = "n/a" if state.impulse_13w_pct_walcl is None else f"{state.impulse_13w_pct_walcl:+.2f}%"
    usd = "n/a" if state.impulse_13w_usd_bn is None else f"{state.impulse_13w_usd_bn:+,.1f}"
    expanding = {
        True: "expanding (above the threshold)",
        False: "not expanding (not above the threshold)",
        None: "unknown",
    }[state.is_liquidity_expanding]
    walcl = state.walcl_observation_date.isoformat() if state.walcl_observation_date else "n/a"
    on_off = {True: "ON", False: "OFF", None: "unknown"}
    rut = "n/a" if state.rut_close_usd is None else f"{state.rut_close_usd:,.2f}"
    return [
        head,
        f"liquidity: 13-week impulse {pct} of WALCL ({usd} USD bn, WALCL of {walcl}): {expanding}",
        f"R2K strong uptrend: {on_off[state.is_r2k_strong_uptrend]} (raw daily condition "
        f"{on_off[state.is_r2k_condition].lower()}, RUT close {rut})",
    ]


def warehouse_status(
    con: duckdb.DuckDBPyConnection, path: Path, today: date | None = None
) -> WarehouseStatus:
    """Read the status of the published warehouse.

    Args:
        con: a read-only connection to ``path``.
        path: the published file (its size and modification time are reported).
        today: the day staleness is judged on; None = today (UTC).

    Returns:
        The :class:`WarehouseStatus`.
    """
    stat = path.stat()
    runs = recent_runs(con)
    return WarehouseStatus(
        path=path,
        size_bytes=stat.st_size,
        modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
        runs=runs,
        freshness=freshness(con, today or datetime.now(UTC).date()),
        failures=failures(con, runs[0]["run_id"]) if runs else [],
        setup=setup_state(con),
    )
