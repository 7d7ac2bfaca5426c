"""The archive's kline files: their keys, the listings that find them, the ones a window needs.

data.binance.vision keeps one zip per symbol and month (``monthly``) and one per day
(``daily``); a month's zip appears only after the month ends. This module names those files,
lists them (S3's ``marker`` skips to a month, since keys sort by date) and picks the files
that cover an extraction window. :mod:`sources.binance_archive` downloads and parses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from rotation_kernel.errors import SchemaDriftError
from sources._s3_listing import list_pages

if TYPE_CHECKING:
    from sources._http import HttpClient

SOURCE = "binance_archive"  # the source these files belong to, named in drift errors
INTERVAL = "1d"
Period = Literal["monthly", "daily"]
PERIODS: tuple[Period, ...] = ("monthly", "daily")
SYMBOL = re.compile(r"[A-Z0-9]{2,20}")


@dataclass(frozen=True)
class ArchiveFile:
    """One kline zip in the archive.

    Attributes:
        key: the object key, e.g. ``data/spot/monthly/klines/BTCUSDT/1d/BTCUSDT-1d-2023-01.zip``.
        symbol: the Binance symbol the file belongs to.
        period: ``monthly`` or ``daily``.
        period_start: the first day the file covers (the 1st of the month for a monthly file).
    """

    key: str
    symbol: str
    period: Period
    period_start: date

    @property
    def name(self) -> str:
        """The file name, as the .CHECKSUM names it."""
        return self.key.rsplit("/", 1)[-1]

    def url(self, download_url: str) -> str:
        """The zip's download URL under ``download_url`` (e.g. ``https://data.binance.vision``)."""
        return f"{download_url.rstrip('/')}/{self.key}"


def symbols_prefix(period: Period = "monthly") -> str:
    """The listing prefix whose "folders" are the symbols, e.g. ``data/spot/monthly/klines/``."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")
    return f"data/spot/{period}/klines/"


def list_symbols(
    http: HttpClient,
    listing_url: str,
    period: Period = "monthly",
    *,
    max_keys: int | None = None,
) -> Iterator[str]:
    """Yield every symbol the archive holds kline files for, delisted ones included.

    Args:
        http: the shared client.
        listing_url: the bucket listing, e.g. :data:`sources.binance_archive.LISTING_URL`.
        period: whose folder to list, ``monthly`` or ``daily``.
        max_keys: entries a page (S3's default, 1000, when None).

    Returns:
        An iterator of symbols in listing (alphabetical) order, page by page.

    Raises:
        SourceHTTPError: a request failed after retries.
        SchemaDriftError: a page is not a ListBucketResult, or a prefix is not
            ``<prefix><SYMBOL>/``.
    """
    prefix = symbols_prefix(period)
    for page in list_pages(http, listing_url, _listing_params(prefix, max_keys), SOURCE):
        for folder in page.prefixes:
            symbol = folder.removeprefix(prefix).removesuffix("/")
            if not folder.startswith(prefix) or not SYMBOL.fullmatch(symbol):
                raise SchemaDriftError(
                    SOURCE, "CommonPrefixes.Prefix", f"expected {prefix}<SYMBOL>/, got {folder!r}"
                )
            yield symbol


def list_files(
    http: HttpClient,
    listing_url: str,
    symbol: str,
    period: Period = "monthly",
    *,
    interval: str = INTERVAL,
    max_keys: int | None = None,
    since: date | None = None,
) -> Iterator[ArchiveFile]:
    """Yield a symbol's kline zips, oldest first (their .CHECKSUM files are skipped).

    Args:
        http: the shared client.
        listing_url: the bucket listing, e.g. :data:`sources.binance_archive.LISTING_URL`.
        symbol: e.g. ``BTCUSDT``.
        period: ``monthly`` (``...-YYYY-MM.zip``) or ``daily`` (``...-YYYY-MM-DD.zip``).
        interval: the kline interval folder, ``1d`` by default.
        max_keys: entries a page (S3's default, 1000, when None).
        since: list only files of this month on (S3's ``marker``: keys sort by date), so
            an incremental run does not page through years of daily files.

    Returns:
        An iterator of :class:`ArchiveFile`; none for a symbol the archive does not hold.

    Raises:
        ValueError: a symbol that is not upper-case letters and digits (it goes into URLs).
        SourceHTTPError: a request failed after retries.
        SchemaDriftError: a page is not a ListBucketResult, or a key is not a kline file name.
    """
    if not SYMBOL.fullmatch(symbol):
        raise ValueError(f"a Binance symbol is upper-case letters and digits, got {symbol!r}")
    prefix = f"{symbols_prefix(period)}{symbol}/{interval}/"
    day = r"-(\d{2})" if period == "daily" else ""
    name = re.compile(rf"{symbol}-{re.escape(interval)}-(\d{{4}})-(\d{{2}}){day}\.zip")
    params = _listing_params(prefix, max_keys)
    if since is not None:  # every key of the month sorts after "<SYMBOL>-1d-YYYY-MM"
        params["marker"] = f"{prefix}{symbol}-{interval}-{since:%Y-%m}"
    for page in list_pages(http, listing_url, params, SOURCE):
        for key in page.keys:
            if key.endswith(".CHECKSUM"):
                continue
            match = name.fullmatch(key.removeprefix(prefix))
            if not key.startswith(prefix) or match is None:
                raise SchemaDriftError(
                    SOURCE, "Contents.Key", f"expected {prefix}{name.pattern}, got {key!r}"
                )
            year, month, *rest = (int(part) for part in match.groups() if part is not None)
            start = date(year, month, rest[0] if rest else 1)
            yield ArchiveFile(key=key, symbol=symbol, period=period, period_start=start)


def _listing_params(prefix: str, max_keys: int | None) -> dict[str, str | int]:
    # The delimiter rolls each symbol's files up into one CommonPrefixes entry.
    params: dict[str, str | int] = {"delimiter": "/", "prefix": prefix}
    if max_keys is not None:
        params["max-keys"] = max_keys
    return params


def period_end(archive_file: ArchiveFile) -> date:
    """The last day a file covers: its day, or the last day of its month."""
    start = archive_file.period_start
    if archive_file.period == "daily":
        return start
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def next_uncovered_month(monthly: list[ArchiveFile], start: date) -> date:
    """The first month from ``start``'s on that has no monthly file (files sorted by date)."""
    month = start.replace(day=1)
    for archive_file in monthly:
        if archive_file.period_start == month:
            month = period_end(archive_file) + timedelta(days=1)
    return month


def files_for_window(
    monthly: list[ArchiveFile], daily: list[ArchiveFile], start: date, end: date
) -> list[ArchiveFile]:
    """The files that cover ``[start, end]``: monthly zips where the month's zip exists,
    daily zips for the days of months without one (the current month, or a month whose zip
    is not published yet).

    Args:
        monthly: one symbol's monthly files (:func:`list_files`).
        daily: the same symbol's daily files.
        start / end: inclusive dates.

    Returns:
        The files overlapping the window, monthly first, each in date order.
    """
    chosen = [f for f in monthly if f.period_start <= end and period_end(f) >= start]
    covered = {f.period_start for f in monthly}
    return chosen + [
        f
        for f in daily
        if start <= f.period_start <= end and f.period_start.replace(day=1) not in covered
    ]
