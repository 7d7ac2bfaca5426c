"""Binance's public data archive (data.binance.vision): listings, verified zips, kline CSVs.

The source module: constants, the load contract, the checksum-verified download, the parser of
the header-less CSVs (ms before 2025, µs from then on) and ``extract``. Which files exist and
which ones a window needs (the listings, monthly vs daily files) is :mod:`sources._archive_files`.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import ChecksumMismatchError, SchemaDriftError
from sources import binance
from sources._archive_files import (
    SOURCE,
    ArchiveFile,
    files_for_window,
    list_files,
    list_symbols,
    next_uncovered_month,
)

if TYPE_CHECKING:
    from rotation_kernel.settings import Settings
    from sources._http import HttpClient

RESOURCE = "klines"
# The bucket's S3 listing (ListObjects v1) and the file downloads, as data.binance.vision's
# own browser uses them.
LISTING_URL = "https://s3-ap-northeast-1.amazonaws.com/data.binance.vision"
DOWNLOAD_URL = "https://data.binance.vision"

# The 12 header-less CSV columns, named as the binance-public-data README names them -> raw
# column (None: not kept). The same fields, in the same order, as /api/v3/klines.
FIELD_MAP: dict[str, str | None] = {
    "Open time": "open_time",
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Volume": "volume",
    "Close time": "close_time",
    "Quote asset volume": "quote_volume",
    "Number of trades": "trades",
    "Taker buy base asset volume": "taker_buy_base",
    "Taker buy quote asset volume": "taker_buy_quote",
    "Ignore": None,
}
CSV_COLUMNS = tuple(column or "ignore" for column in FIELD_MAP.values())
INTEGER_COLUMNS = frozenset({"open_time", "close_time", "trades"})

# binance-public-data README: "The timestamp for SPOT Data from January 1st 2025 onwards will
# be in microseconds." Earlier files (and the live API) stay in milliseconds.
MICROSECONDS_FROM = date(2025, 1, 1)
MICROSECONDS_FROM_MS = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()) * 1000  # 1735689600000
# Magnitudes of an epoch from 2001-09 to 2286: 13 digits in ms, 16 digits in µs.
MS_RANGE = (10**12, 10**13)
US_RANGE = (10**15, 10**16)

# The quotes whose pairs are loaded: every listed USDT and BTC pair (the marts decide
# exclusions; BTC volume is converted to USD there).
QUOTES = ("USDT", "BTC")
FETCH_THREADS = 4  # a symbol's zips downloaded at once (one stream, many small files)
CHECKSUM_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *]?(\S+)\s*")

STREAM = RESOURCE
CONTRACT = LoadContract(
    source=SOURCE,
    resource=RESOURCE,
    # The live API's typed candle, column for column, so the marts can union the two.
    schema=binance.CONTRACT.schema,
    primary_key=("symbol", "open_time"),
    disposition="merge",
    cursor="date",
    # One stream for the whole archive (the symbol listing is dynamic, the catalog's streams
    # are static): one watermark, and a bad file fails the stream, so nothing of it loads and
    # the next run reads the same window again.
    stream_key=None,
    initial_value=date(2017, 8, 17),  # Binance's first klines
    lookback_days=3,
    reason="monthly and daily files overlap and closed candles never change; 3 days re-reads "
    "a daily file published late",
)
STREAMS: tuple[str, ...] = (STREAM,)


def fetch_file(http: HttpClient, download_url: str, archive_file: ArchiveFile) -> bytes:
    """Download a zip and its ``.CHECKSUM``, and return the zip only if its sha256 matches.

    Args:
        http: the shared client.
        download_url: e.g. :data:`DOWNLOAD_URL`.
        archive_file: from :func:`list_files`.

    Returns:
        The zip's bytes, verified.

    Raises:
        SourceHTTPError: a request failed after retries, or at once for a missing key
            (HTTP 404 with S3's ``NoSuchKey`` error body).
        SchemaDriftError: the .CHECKSUM is not ``<64 hex digits>  <file name>``, or names
            another file.
        ChecksumMismatchError: the zip's sha256 differs from the published one.
    """
    url = archive_file.url(download_url)
    checksum = http.get(f"{url}.CHECKSUM").content.decode("utf-8", errors="replace")
    match = CHECKSUM_LINE.fullmatch(checksum)
    if match is None:
        raise SchemaDriftError(
            SOURCE, "CHECKSUM", f"expected '<sha256>  <file name>', got {checksum[:120]!r}"
        )
    expected, named = match.group(1).lower(), match.group(2)
    if named != archive_file.name:
        raise SchemaDriftError(
            SOURCE, "CHECKSUM", f"{archive_file.name}.CHECKSUM is for {named!r}, not this file"
        )
    body = http.get(url).content
    actual = hashlib.sha256(body).hexdigest()
    if actual != expected:
        raise ChecksumMismatchError(SOURCE, archive_file.name, expected, actual)
    return body


def parse_klines(zip_bytes: bytes, symbol: str) -> pl.DataFrame:
    """Type the candles of one archive zip: one header-less CSV of 12 columns.

    Args:
        zip_bytes: a verified zip from :func:`fetch_file`.
        symbol: the file's symbol (the CSV does not carry it).

    Returns:
        Exactly ``CONTRACT.schema``: prices and volumes as floats like the live API's, and
        ``open_time``/``close_time`` in epoch ms whatever unit the file used.

    Raises:
        SchemaDriftError: not a zip of one CSV, a column count other than 12, a missing or
            non-numeric value, or a time that is neither ms before 2025-01-01 nor µs after.
    """
    raw = _read_csv(zip_bytes)
    columns = {}
    for column in CSV_COLUMNS[:-1]:
        dtype = pl.Int64 if column in INTEGER_COLUMNS else pl.Float64
        columns[column] = _typed(raw[column], dtype)
    for column in ("open_time", "close_time"):
        columns[column] = _epoch_ms(columns[column])
    frame = pl.DataFrame(columns).with_columns(
        pl.lit(symbol, dtype=pl.Utf8).alias("symbol"),
        pl.from_epoch(pl.col("open_time"), time_unit="ms").dt.date().alias("date"),
    )
    return frame.select(list(CONTRACT.schema)).cast(dict(CONTRACT.schema))


def _read_csv(zip_bytes: bytes) -> pl.DataFrame:
    """The zip's one CSV as text columns named :data:`CSV_COLUMNS`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as exc:
        raise SchemaDriftError(SOURCE, "<zip>", f"not a zip archive: {exc}") from None
    members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
    if len(members) != 1:
        raise SchemaDriftError(SOURCE, "<zip>", f"expected one CSV member, got {members}")
    try:
        # Quirk: no header row; every field read as text, typed below with the field named.
        raw = pl.read_csv(archive.read(members[0]), has_header=False, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise SchemaDriftError(SOURCE, "<csv>", f"{members[0]} is empty") from None
    except pl.exceptions.ComputeError as exc:  # a row with more fields than the first
        raise SchemaDriftError(SOURCE, "<csv>", f"ragged rows in {members[0]}: {exc}") from None
    if raw.width != len(FIELD_MAP):
        raise SchemaDriftError(
            SOURCE, "<csv>", f"expected {len(FIELD_MAP)} columns, got {raw.width}"
        )
    return raw.rename(dict(zip(raw.columns, CSV_COLUMNS, strict=True)))


def _typed(text: pl.Series, dtype: type[pl.DataType]) -> pl.Series:
    """``text`` cast to ``dtype``; a missing or unparsable value is drift naming the column."""
    typed = text.str.strip_chars().cast(dtype, strict=False)
    bad = typed.is_null()
    if bad.any():
        row = int(bad.arg_max())
        value = text[row]
        detail = "missing" if value is None or not value.strip() else f"{value!r} is not {dtype}"
        raise SchemaDriftError(SOURCE, text.name, f"row {row + 1}: {detail}")
    return typed


def _epoch_ms(times: pl.Series) -> pl.Series:
    """Epoch ms from a column of ms (before 2025) or µs (from 2025 on) epochs.

    Each row is judged by its magnitude and checked against the switch date, so a µs time
    before 2025 or an ms time after it is drift rather than a silently wrong instant.
    """
    is_ms = times.is_between(*MS_RANGE, closed="left") & (times < MICROSECONDS_FROM_MS)
    is_us = times.is_between(*US_RANGE, closed="left") & (times // 1000 >= MICROSECONDS_FROM_MS)
    bad = ~(is_ms | is_us)
    if bad.any():
        row = int(bad.arg_max())
        raise SchemaDriftError(
            SOURCE,
            times.name,
            f"row {row + 1}: {times[row]} is neither epoch ms before {MICROSECONDS_FROM} nor "
            f"epoch µs from {MICROSECONDS_FROM} on",
        )
    return pl.select(
        pl.when(is_us).then(times // 1000).otherwise(times).alias(times.name)
    ).to_series()


def extract(
    http: HttpClient, settings: Settings, stream: str, start: date, end: date
) -> Iterator[pl.DataFrame]:
    """Fetch the daily candles of every listed USDT and BTC pair on ``[start, end]``.

    Each symbol's files (:func:`files_for_window`) are downloaded, verified and parsed, and
    yielded as one page: a frame of ``CONTRACT.schema`` (the spool writes it as Parquet).
    Candles outside the window that a monthly file carries are dropped.

    Args:
        http: the shared client.
        settings: supplies ``binance_archive_listing_url`` and ``binance_archive_base_url``.
        stream: :data:`STREAM`, the only one.
        start / end: inclusive UTC dates.

    Returns:
        An iterator of one frame per symbol with candles in the window; none for others.

    Raises:
        ChecksumMismatchError: a zip whose sha256 is not the published one; the whole stream
            fails, so nothing of this run's archive batch loads.
        SourceHTTPError / SchemaDriftError: as :func:`list_files` and :func:`fetch_file`.
    """
    if stream != STREAM:
        raise ValueError(f"{SOURCE} has one stream, {STREAM!r}; got {stream!r}")
    listing = settings.binance_archive_listing_url
    for symbol in list_symbols(http, listing):
        if not symbol.endswith(QUOTES):
            continue
        monthly = list(list_files(http, listing, symbol, "monthly", since=start))
        # Daily files only from the first month of the window no monthly file covers.
        first_daily = next_uncovered_month(monthly, start)
        daily = (
            []
            if first_daily > end
            else list(list_files(http, listing, symbol, "daily", since=first_daily))
        )
        files = files_for_window(monthly, daily, start, end)

        def fetched(archive_file: ArchiveFile, symbol: str = symbol) -> pl.DataFrame:
            body = fetch_file(http, settings.binance_archive_base_url, archive_file)
            return parse_klines(body, symbol)

        with ThreadPoolExecutor(FETCH_THREADS) as pool:  # small files: latency-bound
            frames = list(pool.map(fetched, files))
        # A monthly file also holds days before the window: the raw suite refuses those.
        page = pl.concat(frames).filter(pl.col("date").is_between(start, end)) if frames else None
        if page is not None and page.height:
            yield page
