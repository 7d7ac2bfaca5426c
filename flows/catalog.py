"""The sources the nightly flow runs, by name, with their load contracts."""

from __future__ import annotations

from types import ModuleType

from flows.sources import binance, fred, treasury_dts, yahoo_chart
from flows.sources._contract import LoadContract

# Order matters only for display; extraction runs concurrently.
SOURCES: dict[str, ModuleType] = {
    "fred": fred,
    "treasury": treasury_dts,
    "yahoo": yahoo_chart,
    "binance": binance,
}


def contracts() -> list[LoadContract]:
    """Every raw table's load contract."""
    return [module.CONTRACT for module in SOURCES.values()]


def streams() -> list[tuple[str, str]]:
    """Every (source name, stream) pair a full run extracts."""
    return [(name, stream) for name, module in SOURCES.items() for stream in module.STREAMS]


def fred_unit_rows() -> list[tuple[str, str, float, str]]:
    """The FRED unit registry as rows for ``meta.fred_series_units``."""
    return [
        (series_id, spec.unit, spec.usd_bn_per_unit, spec.description)
        for series_id, spec in fred.SERIES.items()
    ]
