"""The venue-fallback chain: when Binance will not serve a symbol, the next venue that lists
the asset stands in (Coinbase, then Kraken), for the same window and into its own raw table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rotation_kernel.errors import (
    PipelineError,
    SourceAPIError,
    SourceHTTPError,
    VenueUnavailableError,
)
from sources.catalog import FALLBACK_SOURCES

T = TypeVar("T")
Logger = logging.Logger | logging.LoggerAdapter
log = logging.getLogger("rotation.fallbacks")


def _stream_for(module: Any, asset: str) -> str | None:
    return next((stream for stream, code in module.ASSETS.items() if code == asset), None)


def fallbacks(source: str, stream: str) -> list[tuple[str, str]]:
    """The venues, in order, that can stand in for a stream.

    For a Binance spot symbol: Coinbase then Kraken (BTCUSDT -> BTC-USD, XBTUSD), skipping a
    venue that does not list the asset. Other sources have no stand-in.

    Returns:
        (source, stream) pairs, the first to try first.
    """
    if source != "binance":
        return []
    asset = stream.removesuffix("USDT")
    chain = [(name, _stream_for(module, asset)) for name, module in FALLBACK_SOURCES.items()]
    return [(name, stream) for name, stream in chain if stream]


def venue_is_down(exc: SourceHTTPError) -> bool:
    """A ban, a geo-block or exhausted HTTP retries: another venue may do.

    A 4xx answer with an error payload is our request's fault: every venue would refuse it.
    """
    return isinstance(exc, VenueUnavailableError) or not isinstance(exc, SourceAPIError)


def extract_with_fallbacks(
    source: str,
    stream: str,
    extract: Callable[[str, str], T],
    logger: Logger = log,
) -> tuple[str, T]:
    """``extract(source, stream)``, or, when the venue is down, the first fallback that works.

    Each venue is tried once: the HTTP layer has already retried every request.

    Args:
        extract: fetches (and keeps) one stream of one source; raises PipelineError.
        logger: where the fallbacks are logged (the flow passes its tagged run logger).

    Returns:
        (the source actually used, what ``extract`` returned for it).

    Raises:
        SourceHTTPError: the stream's own error when no fallback worked (or none applies).
        PipelineError: any other failure of the stream itself, unchanged.
    """
    try:
        return source, extract(source, stream)
    except SourceHTTPError as exc:
        if not venue_is_down(exc):
            raise
        for fb_source, fb_stream in fallbacks(source, stream):
            logger.warning("unavailable (%s); falling back to %s/%s", exc, fb_source, fb_stream)
            try:
                return fb_source, extract(fb_source, fb_stream)
            except PipelineError as fb_exc:
                logger.error("fallback %s/%s failed too: %s", fb_source, fb_stream, fb_exc)
        raise
