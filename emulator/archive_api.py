"""The Binance public data archive (data.binance.vision): its S3 bucket listing and 1d kline zips.

Keys: ``data/spot/{monthly,daily}/klines/{SYMBOL}/1d/{SYMBOL}-1d-{YYYY-MM[-DD]}.zip`` and the same
plus ``.CHECKSUM`` (``<sha256>  <zip name>\\n``). A daily file exists for every traded day up to
yesterday (as on the real archive, not only for the current month) and a monthly file for every
month that ended by yesterday. A zip holds one header-less 12-column CSV; its open and close
times are epoch ms before 2025-01-01 and epoch microseconds from then on (the archive's README:
"The timestamp for SPOT Data from January 1st 2025 onwards will be in microseconds"). Delisted
symbols stay, their files ending at the delisting day. Zips are built deterministically (fixed
member date), so a file's bytes and checksum never change.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache, partial
from xml.sax.saxutils import escape

import numpy as np

from emulator.archive_market import archive_candles, symbol_candles
from emulator.bad_data import checksum_with_bad_data
from emulator.coin_universe import archive_symbols
from emulator.crypto import DAY_MS
from emulator.reply import Reply, Snapshot

BUCKET = "data.binance.vision"
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
PERIODS = ("daily", "monthly")
INTERVAL = "1d"
MICROSECONDS_FROM = date(2025, 1, 1)  # spot archive times switch from ms to us on this day
DEFAULT_MAX_KEYS = 1000  # S3's own cap
KEY = re.compile(
    r"data/spot/(?P<period>daily|monthly)/klines/(?P<symbol>[A-Z0-9]+)/1d/"
    r"(?P=symbol)-1d-(?P<label>\d{4}-\d{2}(?:-\d{2})?)\.zip(?P<checksum>\.CHECKSUM)?"
)

MarketKey = tuple[int, str, float]


def _market_key(snap: Snapshot) -> MarketKey:
    return (snap.market.seed, snap.market.kind, snap.market.effect)


def symbol_dir(period: str, symbol: str) -> str:
    """The folder of one symbol's 1d files, e.g. ``data/spot/monthly/klines/BTCUSDT/1d/``."""
    return f"data/spot/{period}/klines/{symbol}/{INTERVAL}/"


@lru_cache(maxsize=512)
def _days(market: MarketKey, symbol: str) -> np.ndarray:
    """A symbol's traded days over the full horizon (every listing period)."""
    frame = symbol_candles(archive_candles(*market), symbol)
    return frame["date"].to_numpy() if frame.height else np.array([], dtype="datetime64[D]")


@lru_cache(maxsize=512)
def _rows(market: MarketKey, symbol: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """A symbol's traded days and their CSV lines (every listing period, full horizon)."""
    frame = symbol_candles(archive_candles(*market), symbol)
    if frame.is_empty():
        return _days(market, symbol), ()
    switch = int(np.datetime64(MICROSECONDS_FROM, "D").astype(np.int64)) * DAY_MS
    lines = []
    for r in frame.iter_rows(named=True):
        scale = 1000 if r["open_time"] >= switch else 1  # ms -> us from 2025
        open_time = r["open_time"] * scale
        lines.append(
            f"{open_time},{r['open']:.8f},{r['high']:.8f},{r['low']:.8f},{r['close']:.8f},"
            f"{r['volume']:.8f},{open_time + DAY_MS * scale - 1},{r['quote_volume']:.8f},"
            f"{r['trades']},{r['taker_buy_base']:.8f},{r['taker_buy_quote']:.8f},0"
        )
    return frame["date"].to_numpy(), tuple(lines)


def file_labels(snap: Snapshot, period: str, symbol: str) -> list[str]:
    """The periods one symbol has files for as of the snapshot, oldest first.

    Args:
        snap: the market as of now (files run through yesterday).
        period: "daily" or "monthly".
        symbol: a Binance symbol.

    Returns:
        Labels such as ``"2023-01-05"`` (daily) or ``"2023-01"`` (monthly).
    """
    days = _days(_market_key(snap), symbol)
    days = days[days <= np.datetime64(snap.yesterday, "D")]
    if period == "daily":
        return [str(d) for d in days]
    months = np.unique(days.astype("datetime64[M]"))
    after = np.datetime64(snap.yesterday + timedelta(days=1), "D")
    return [str(m) for m in months if (m + 1).astype("datetime64[D]") <= after]


@lru_cache(maxsize=8192)
def zip_bytes(market: MarketKey, symbol: str, label: str) -> bytes:
    """One archive zip: a single header-less CSV named like the zip, fixed member date.

    Args:
        market: (seed, kind, effect) of the market.
        symbol: a Binance symbol.
        label: ``YYYY-MM`` or ``YYYY-MM-DD``.

    Returns:
        The zip file's bytes (the same for the same arguments, in every process).
    """
    days, lines = _rows(market, symbol)
    unit = "D" if len(label) == 10 else "M"
    picked = np.flatnonzero(days.astype(f"datetime64[{unit}]") == np.datetime64(label, unit))
    body = "".join(lines[i] + "\n" for i in picked)
    published = np.datetime64(label, unit) + 1  # the file appears once its period is over
    stamp = date.fromisoformat(str(published.astype("datetime64[D]")))
    member = zipfile.ZipInfo(
        f"{symbol}-1d-{label}.csv", (stamp.year, stamp.month, stamp.day, 0, 0, 0)
    )
    member.compress_type = zipfile.ZIP_DEFLATED
    member.external_attr = 0o644 << 16
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, body)
    return out.getvalue()


def checksum_text(snap: Snapshot, symbol: str, label: str) -> str:
    """The ``.CHECKSUM`` file of one zip: ``<sha256 hex>  <zip name>`` and a newline."""
    name = f"{symbol}-1d-{label}.zip"
    digest = hashlib.sha256(zip_bytes(_market_key(snap), symbol, label)).hexdigest()
    return f"{checksum_with_bad_data(snap, name, digest)}  {name}\n"


def no_such_key(key: str) -> Reply:
    """S3's 404 for a missing key, as XML."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        f"<Message>The specified key does not exist.</Message><Key>{escape(key)}</Key>"
        "<RequestId>EMULATOR</RequestId><HostId>emulator</HostId></Error>"
    )
    return Reply(404, body, content_type="application/xml")


def download(snap: Snapshot, key: str, query: dict[str, str]) -> Reply:
    """``GET {download base}/{key}``: a zip or its checksum, or 404 NoSuchKey.

    Args:
        snap: the market as of now.
        key: the object key, e.g. ``data/spot/monthly/klines/BTCUSDT/1d/BTCUSDT-1d-2023-01.zip``.
        query: ignored.

    Returns:
        200 with the zip bytes or the checksum text; 404 with S3's XML error otherwise.
    """
    match = KEY.fullmatch(key)
    if match is None:
        return no_such_key(key)
    period, symbol, label = match["period"], match["symbol"], match["label"]
    if (len(label) == 10) != (period == "daily") or label not in file_labels(snap, period, symbol):
        return no_such_key(key)
    if match["checksum"]:
        return Reply(200, checksum_text(snap, symbol, label), content_type="text/plain")
    return Reply(200, zip_bytes(_market_key(snap), symbol, label), content_type="application/zip")


def _metadata(snap: Snapshot, period: str, symbol: str, label: str, checksum: bool):
    """(LastModified, Size, ETag) of one object; S3's ETag of a one-part upload is its MD5."""
    if checksum:
        data = checksum_text(snap, symbol, label).encode()
    else:
        data = zip_bytes(_market_key(snap), symbol, label)
    unit = "D" if period == "daily" else "M"
    published = f"{(np.datetime64(label, unit) + 1).astype('datetime64[D]')}T00:14:09.000Z"
    return (published, len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())


def _files(snap: Snapshot, period: str, symbol: str) -> list[tuple[str, Callable[[], tuple]]]:
    """(key, metadata thunk) of every object in one symbol's folder, in key order.

    The metadata needs the object's bytes, so it is computed only for the keys a listing page
    returns: a symbol's daily folder holds thousands of files.
    """
    out = []
    for label in file_labels(snap, period, symbol):
        name = f"{symbol_dir(period, symbol)}{symbol}-1d-{label}.zip"
        for key, checksum in ((name, False), (name + ".CHECKSUM", True)):
            out.append((key, partial(_metadata, snap, period, symbol, label, checksum)))
    return out


def _entries(snap: Snapshot, prefix: str, delimiter: str) -> list[tuple[str, tuple | None]]:
    """Every listed name under ``prefix``, sorted: (common prefix, None) or (key, metadata)."""
    found: dict[str, tuple | None] = {}
    for period in PERIODS:
        for symbol in archive_symbols():
            folder = symbol_dir(period, symbol)
            if not (folder.startswith(prefix) or prefix.startswith(folder)):
                continue
            rest = folder[len(prefix) :] if folder.startswith(prefix) else ""
            if delimiter and delimiter in rest:
                if file_labels(snap, period, symbol):
                    found[prefix + rest[: rest.index(delimiter) + len(delimiter)]] = None
                continue
            for key, meta in _files(snap, period, symbol):
                if key.startswith(prefix):
                    found[key] = meta
    return sorted(found.items())


def _xml(query: dict[str, str], page: list, limit: int, next_marker: str | None) -> str:
    """The ListBucketResult document of one page."""
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="{S3_NAMESPACE}">',
        f"<Name>{BUCKET}</Name><Prefix>{escape(query.get('prefix', ''))}</Prefix>",
        f"<Marker>{escape(query.get('marker', ''))}</Marker>",
        f"<NextMarker>{escape(next_marker)}</NextMarker>" if next_marker else "",
        f"<MaxKeys>{limit}</MaxKeys>",
        f"<Delimiter>{escape(query['delimiter'])}</Delimiter>" if query.get("delimiter") else "",
        f"<IsTruncated>{'true' if next_marker else 'false'}</IsTruncated>",
    ]
    for name, meta in page:
        if meta is not None:
            modified, size, etag = meta
            parts.append(
                f"<Contents><Key>{escape(name)}</Key><LastModified>{modified}</LastModified>"
                f"<ETag>&quot;{etag}&quot;</ETag><Size>{size}</Size>"
                "<StorageClass>STANDARD</StorageClass></Contents>"
            )
    parts += [
        f"<CommonPrefixes><Prefix>{escape(name)}</Prefix></CommonPrefixes>"
        for name, meta in page
        if meta is None
    ]
    return "".join(parts) + "</ListBucketResult>"


def listing_route(max_keys: int = DEFAULT_MAX_KEYS) -> Callable[[Snapshot, dict[str, str]], Reply]:
    """Build the bucket listing route (S3 ListObjects v1), paging at most ``max_keys`` names.

    Args:
        max_keys: the page size cap (S3: 1000); a request's ``max-keys`` may only lower it.

    Returns:
        A route ``(snapshot, query) -> Reply`` answering ``?prefix=&delimiter=&marker=&max-keys=``.
    """

    def listing(snap: Snapshot, query: dict[str, str]) -> Reply:
        asked = query.get("max-keys", "")
        if asked and not asked.isdigit():
            return Reply(
                400, "<Error><Code>InvalidArgument</Code></Error>", content_type="application/xml"
            )
        limit = min(max_keys, int(asked)) if asked else max_keys
        marker = query.get("marker", "")
        entries = [
            (name, meta)
            for name, meta in _entries(snap, query.get("prefix", ""), query.get("delimiter", ""))
            if name > marker and not (meta is None and marker.startswith(name))
        ]
        page = [(name, meta() if meta is not None else None) for name, meta in entries[:limit]]
        next_marker = page[-1][0] if len(entries) > limit and page else None
        return Reply(200, _xml(query, page, limit, next_marker), content_type="application/xml")

    return listing
