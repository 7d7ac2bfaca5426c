"""One incremental nightly with a different fault planned for each of many streams.

The payload cases spoil sixteen streams' answers; two FRED rate streams carry the secret-key
faults (an error body echoing the key, and retries exhausted on a URL holding it). The run is
shared by the payload and security tests: every flow run costs seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emulator import Emulator
from flows.nightly import nightly
from rotation_kernel.settings import settings_env
from sources.catalog import ALL_SOURCES
from tests.reliability.conftest import pipeline_overrides, today
from warehouse.db import connect
from warehouse.runs import RunSummary

FOREVER = 10_000  # enough for every HTTP and task retry of one run
FRED = "/fred/fred/series/observations"
BINANCE = "/binance/api/v3/klines"
# Shaped like a real FRED key (32 characters) and found nowhere else in the project.
SECRET_KEY = "s3cr3tfr3dk3yf0rr3l1ab1l1tyt3st"
ECHO_BODY = {
    "error_code": 400,
    "error_message": "Bad Request.  The value for variable api_key is not registered: "
    + SECRET_KEY,
}


@dataclass(frozen=True)
class Case:
    """One spoiled stream and what the run may do about it."""

    source: str
    stream: str
    prefix: str
    kind: str
    outcomes: frozenset[str]  # "drift", "not_json", "tolerated", "fallback"
    field: str = ""  # the field a drift error must name

    @property
    def key(self) -> str:
        return f"{self.source}/{self.stream}"

    def where(self) -> dict[str, str]:
        param = {"fred": "series_id", "binance": "symbol"}.get(self.source)
        return {param: self.stream} if param else {}


def _case(source, stream, prefix, kind, *outcomes, field=""):
    return Case(source, stream, prefix, kind, frozenset(outcomes), field)


def _chart(symbol: str) -> str:
    return f"/yahoo/v8/finance/chart/{symbol}"


CASES = [
    _case("fred", "WALCL", FRED, "renamed_field", "drift", field="value"),
    _case("fred", "WDTGAL", FRED, "new_field", "tolerated"),
    _case("fred", "WSHOMCB", FRED, "number_as_string", "drift", "tolerated", field="count"),
    _case("fred", "WTREGEN", FRED, "empty_records", "tolerated"),
    _case("fred", "RRPONTSYD", FRED, "truncated_json", "not_json"),
    _case("treasury", "operating_cash_balance", "/treasury/", "html_error_page", "not_json"),
    _case("yahoo", "^RUT", _chart("^RUT"), "renamed_field", "drift", field="close"),
    _case("yahoo", "SPY", _chart("SPY"), "new_field", "tolerated"),
    _case("yahoo", "IWM", _chart("IWM"), "number_as_string", "drift", "tolerated"),
    _case("yahoo", "^GSPC", _chart("^GSPC"), "empty_records", "tolerated"),
    _case("binance", "BTCUSDT", BINANCE, "new_field", "drift", "tolerated"),
    _case("binance", "ETHUSDT", BINANCE, "number_as_string", "drift", "tolerated"),
    _case("binance", "SOLUSDT", BINANCE, "renamed_field", "drift"),
    _case("binance", "XRPUSDT", BINANCE, "empty_records", "tolerated"),
    _case("binance", "ADAUSDT", BINANCE, "truncated_json", "not_json", "fallback"),
    _case("binance", "AVAXUSDT", BINANCE, "overlapping_pages", "tolerated"),
]


@dataclass(frozen=True)
class FaultyRun:
    """What the faulty run did, and what it left behind.

    Attributes:
        summary: the run's summary.
        before / after: each case's stream checksum in the raw table before and after.
        log_text: every log record of the run at DEBUG, formatted, tracebacks included.
    """

    summary: RunSummary
    before: dict[str, tuple]
    after: dict[str, tuple]
    log_text: str


def stream_checksums(warehouse: Path, cases: list[Case]) -> dict[str, tuple]:
    """Row count and content hash of each case's stream in its raw table (load columns out)."""
    sums = {}
    with connect(warehouse, read_only=True) as con:
        for case in cases:
            contract = ALL_SOURCES[case.source].CONTRACT
            columns = ", ".join(contract.schema)
            where = f"where {contract.stream_key} = ?" if contract.stream_key else ""
            params = [case.stream] if contract.stream_key else []
            sums[case.key] = con.execute(
                f"select count(*), coalesce(sum(hash({columns})::hugeint), 0) "
                f"from {contract.table} {where}",
                params,
            ).fetchone()
    return sums


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log record of every logger at DEBUG (urllib3's request lines included)."""
    lines: list[str] = []
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(formatter.format(record))

    handler = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("", "prefect", "urllib3", "rotation")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def run_with_faults(emulator: Emulator, warehouse: Path) -> FaultyRun:
    """Plan every fault, run one incremental nightly on ``warehouse``, cancel the faults."""
    before = stream_checksums(warehouse, CASES)
    emulator.clear_faults()
    for case in CASES:
        emulator.garble_next(case.prefix, case.kind, times=FOREVER, where=case.where())
    emulator.fail_next(FRED, 400, times=FOREVER, body=ECHO_BODY, where={"series_id": "DGS10"})
    emulator.fail_next(FRED, 503, times=FOREVER, where={"series_id": "DFF"})
    overrides = pipeline_overrides(emulator, warehouse, fred_api_key=SECRET_KEY)
    try:
        with settings_env(overrides), captured_logs() as lines:
            summary = nightly(start=None, end=today(), mode="test")
    finally:
        emulator.clear_faults()
    return FaultyRun(summary, before, stream_checksums(warehouse, CASES), "\n".join(lines))
