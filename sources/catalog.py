"""The sources the nightly flow runs, by name, with their load contracts and fallback venues.

A "source" here is one raw table's extractor: a module (or object) with ``CONTRACT``,
``STREAMS`` and ``extract(http, settings, stream, start, end)``. The catalog also says which
API, base URL and host each source calls, and so the name of the concurrency limit its streams
take slots from (``flows/limits.py`` holds the slots themselves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import ConfigError
from rotation_kernel.settings import Settings
from sources import (
    binance,
    binance_archive,
    binance_futures,
    coinbase,
    fred,
    fred_vintages,
    fredgraph,
    kraken,
    treasury_dts,
    yahoo_chart,
)


@dataclass(frozen=True)
class Rates:
    """The FRED rate series (DFF, DGS10, DTB3): same client and raw table as the liquidity
    series, listed apart so a rates outage never marks the liquidity inputs stale."""

    CONTRACT: LoadContract = fred.CONTRACT
    STREAMS: tuple[str, ...] = fred.RATE_STREAMS
    extract: Callable[..., Iterator[Any]] = fred.extract


# Extracted on every run. Extraction runs concurrently; the order is only for display.
SOURCES: dict[str, Any] = {
    "fred": fred,
    "fred_rates": Rates(),
    "fred_vintages": fred_vintages,
    "treasury": treasury_dts,
    "yahoo": yahoo_chart,
    "binance": binance,
    "binance_futures_funding": binance_futures.FUNDING_RATE,
    "binance_futures_klines": binance_futures.PREMIUM_KLINES,
    # One stream, "klines": every listed USDT and BTC pair (the listing is dynamic).
    "binance_archive": binance_archive,
}
# Extracted only when Settings.binance_minute_klines is on (the backfill deployment).
OPTIONAL_SOURCES: dict[str, Any] = {"binance_klines_1m": binance.MINUTE_KLINES}
# Loaded the bulk way (warehouse.bulk): each stream's pages go straight into its raw table
# in parts, validated by the GX suite part by part as they land, rather than staged and
# validated whole first. The 1-minute klines are 1,440 rows a symbol a day: a backfill
# chunk of a year is 10M rows.
BULK_SOURCES = frozenset({"binance_klines_1m"})
# Extracted only to stand in for a Binance symbol the run could not get.
FALLBACK_SOURCES: dict[str, Any] = {"coinbase": coinbase, "kraken": kraken}
ALL_SOURCES: dict[str, Any] = {**SOURCES, **OPTIONAL_SOURCES, **FALLBACK_SOURCES}

# Sources that need FRED_API_KEY; without it "fred" reads fredgraph CSV instead (no vintages).
NEEDS_FRED_KEY = frozenset({"fred_vintages"})
FRED_SOURCES = frozenset({"fred", "fred_rates"})


def extractor(source: str, settings: Settings) -> Any:
    """The module that extracts ``source`` under these settings (FRED without a key: fredgraph)."""
    if source in FRED_SOURCES and not settings.has_fred_key:
        fredgraph.log_vintages_unavailable()
        return fredgraph
    return ALL_SOURCES[source]


def source_contracts() -> dict[str, LoadContract]:
    """Every source's load contract, by source name (fallback venues included)."""
    return {name: module.CONTRACT for name, module in ALL_SOURCES.items()}


def contracts() -> list[LoadContract]:
    """Every raw table's load contract, fallback venues included (each table once)."""
    unique = {module.CONTRACT.table: module.CONTRACT for module in ALL_SOURCES.values()}
    return list(unique.values())


BINANCE_SPOT_SOURCES = frozenset({"binance", "binance_klines_1m"})


def check_selection(settings: Settings) -> Settings:
    """Refuse a run selection that names what the catalog does not have.

    Args:
        settings: the run's settings.

    Returns:
        The same settings.

    Raises:
        ConfigError: ROTATION_SOURCES names an unknown source, or ROTATION_BINANCE_SYMBOLS a
            symbol the Binance source does not list; the message names the variable and the
            known values.
    """
    known = {*SOURCES, *OPTIONAL_SOURCES}  # an optional one still needs its own switch
    unknown = sorted(set(settings.sources) - known)
    if unknown:
        raise ConfigError(f"ROTATION_SOURCES: unknown source(s) {unknown}; known: {sorted(known)}")
    unlisted = sorted(set(settings.binance_symbols) - set(binance.STREAMS))
    if unlisted:
        raise ConfigError(
            f"ROTATION_BINANCE_SYMBOLS: unlisted symbol(s) {unlisted}; "
            f"listed: {list(binance.STREAMS)}"
        )
    return settings


def streams(settings: Settings) -> list[tuple[str, str]]:
    """Every (source name, stream) pair a full run extracts under these settings.

    Raises:
        ConfigError: as :func:`check_selection`.
    """
    check_selection(settings)
    keyed = settings.has_fred_key
    chosen = dict(SOURCES)
    if settings.binance_minute_klines:
        chosen["binance_klines_1m"] = OPTIONAL_SOURCES["binance_klines_1m"]
    if settings.sources:  # ROTATION_SOURCES: run only these (validated against SOURCES)
        chosen = {name: module for name, module in chosen.items() if name in settings.sources}
    return [
        (name, stream)
        for name, module in chosen.items()
        if keyed or name not in NEEDS_FRED_KEY
        for stream in module.STREAMS
        if _symbol_selected(name, stream, settings)
    ]


def _symbol_selected(source: str, stream: str, settings: Settings) -> bool:
    """ROTATION_BINANCE_SYMBOLS narrows the Binance spot streams (daily and 1-minute)."""
    if not settings.binance_symbols or source not in BINANCE_SPOT_SOURCES:
        return True
    return stream in settings.binance_symbols


def fred_unit_rows() -> list[tuple[str, str, float | None, str]]:
    """The FRED unit registry as rows for ``meta.fred_series_units``."""
    return [
        (series_id, spec.unit, spec.usd_bn_per_unit, spec.description)
        for series_id, spec in fred.SERIES.items()
    ]


def api_host(base_url: str) -> str:
    """``host:port`` of a base URL, the unit of a concurrency limit."""
    parts = urlsplit(base_url)
    return parts.netloc or base_url


def limit_name(api: str, host: str) -> str:
    """The global concurrency limit of one API on one host (Prefect names: letters, digits, -).

    Keyed by API as well as host: live APIs each have their own host anyway, and the emulator,
    which serves them all from one loopback port, then gets the same limits as production.
    """
    return "api-" + "".join(ch if ch.isalnum() else "-" for ch in f"{api}-{host}")


# The settings field holding each source's base URL (keyless FRED reads fredgraph instead).
BASE_URL_FIELDS: dict[str, str] = {
    "fred": "fred_base_url",
    "fred_rates": "fred_base_url",
    "fred_vintages": "fred_base_url",
    "treasury": "treasury_base_url",
    "yahoo": "yahoo_base_url",
    "binance": "binance_base_url",
    "binance_klines_1m": "binance_base_url",
    "binance_futures_funding": "binance_futures_base_url",
    "binance_futures_klines": "binance_futures_base_url",
    # The downloads host; the bucket listing (binance_archive_listing_url) is the other one.
    "binance_archive": "binance_archive_base_url",
    "coinbase": "coinbase_base_url",
    "kraken": "kraken_base_url",
}


def api_of(source: str, settings: Settings) -> str:
    """The API a source calls (``fred``, ``binance_futures``...); keyless FRED calls fredgraph."""
    field = BASE_URL_FIELDS[source]
    if field == "fred_base_url" and not settings.has_fred_key:
        field = "fredgraph_base_url"
    return field.removesuffix("_base_url")


def base_url_for(source: str, settings: Settings) -> str:
    """The base URL a source's requests go to under these settings."""
    return getattr(settings, f"{api_of(source, settings)}_base_url")


def source_limit(source: str, settings: Settings) -> str:
    """The name of the concurrency limit a source's streams take slots from."""
    return limit_name(api_of(source, settings), api_host(base_url_for(source, settings)))


def interleave(keys: list[tuple[str, str]], settings: Settings) -> list[tuple[str, str]]:
    """(source, stream) keys reordered round-robin over their APIs, each API's in order.

    Submitted in this order, the runner's threads start streams of every API at once instead
    of queueing behind one API's slots (20 FRED series first, then Binance...).
    """
    by_api: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        by_api.setdefault(source_limit(key[0], settings), []).append(key)
    queues = list(by_api.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]
