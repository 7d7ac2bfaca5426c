"""Builders for payloads in each API's exact wire format (shapes only; every value is made up)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, date, datetime, time
from typing import Any

DAY_MS = 86_400_000

# --- FRED series/observations -------------------------------------------------------------

FRED_REALTIME = "2025-01-15"
FRED_NO_KEY_MESSAGE = (
    "Bad Request.  Variable api_key is not set. "
    "Read https://research.stlouisfed.org/docs/api/api_key.html for more information."
)
FRED_BAD_KEY_MESSAGE = (
    "Bad Request.  The value for variable api_key is not registered.  "
    "Read https://research.stlouisfed.org/docs/api/api_key.html for more information."
)


def fred_observation(
    day: date, value: str, *, realtime_start: str = FRED_REALTIME, realtime_end: str = FRED_REALTIME
) -> dict[str, str]:
    """One observation; ``value`` is a string as FRED sends it ("." when missing).

    With a real-time range in the request, each row is one vintage: the value and the
    real-time period it was the published one (``realtime_end`` 9999-12-31: still current).
    """
    return {
        "realtime_start": realtime_start,
        "realtime_end": realtime_end,
        "date": day.isoformat(),
        "value": value,
    }


def fred_page(
    observations: list[dict[str, str]],
    *,
    start: str = "2015-01-01",
    end: str = "9999-12-31",
    count: int | None = None,
    offset: int = 0,
    limit: int = 100_000,
) -> dict[str, Any]:
    """The observations envelope around ``observations`` (``count`` is the whole result's)."""
    return {
        "realtime_start": FRED_REALTIME,
        "realtime_end": FRED_REALTIME,
        "observation_start": start,
        "observation_end": end,
        "units": "lin",
        "output_type": 1,
        "file_type": "json",
        "order_by": "observation_date",
        "sort_order": "asc",
        "count": len(observations) if count is None else count,
        "offset": offset,
        "limit": limit,
        "observations": observations,
    }


def fred_error(message: str) -> dict[str, Any]:
    """FRED's error body (sent with HTTP 400)."""
    return {"error_code": 400, "error_message": message}


# --- Treasury Fiscal Data: DTS operating cash balance -------------------------------------

DTS_FIELDS = (
    "record_date",
    "account_type",
    "close_today_bal",
    "open_today_bal",
    "open_month_bal",
    "open_fiscal_year_bal",
    "table_nbr",
    "table_nm",
    "sub_table_name",
    "src_line_nbr",
    "record_fiscal_year",
    "record_fiscal_quarter",
    "record_calendar_year",
    "record_calendar_quarter",
    "record_calendar_month",
    "record_calendar_day",
)


def dts_row(
    record_date: date,
    account_type: str,
    *,
    close_today: str = "null",
    open_today: str = "null",
    open_month: str = "null",
    open_fiscal_year: str = "null",
    src_line_nbr: int = 1,
) -> dict[str, str]:
    """One row; every value is a string and a missing amount is the string "null"."""
    fiscal_year = record_date.year + (1 if record_date.month >= 10 else 0)
    return {
        "record_date": record_date.isoformat(),
        "account_type": account_type,
        "close_today_bal": close_today,
        "open_today_bal": open_today,
        "open_month_bal": open_month,
        "open_fiscal_year_bal": open_fiscal_year,
        "table_nbr": "I",
        "table_nm": "Operating Cash Balance",
        "sub_table_name": "Cash Balance Details",
        "src_line_nbr": str(src_line_nbr),
        "record_fiscal_year": str(fiscal_year),
        "record_fiscal_quarter": str((record_date.month + 2) % 12 // 3 + 1),
        "record_calendar_year": str(record_date.year),
        "record_calendar_quarter": str((record_date.month - 1) // 3 + 1),
        "record_calendar_month": f"{record_date.month:02d}",
        "record_calendar_day": f"{record_date.day:02d}",
    }


def dts_page(
    rows: list[dict[str, str]], *, page: int = 1, page_size: int = 10_000, total_count: int = -1
) -> dict[str, Any]:
    """The Fiscal Data envelope: ``data``, ``meta`` (with total-pages) and ``links``."""
    total = len(rows) if total_count < 0 else total_count
    total_pages = -(-total // page_size)
    link = "&page%5Bnumber%5D={}&page%5Bsize%5D=" + str(page_size)
    return {
        "data": rows,
        "meta": {
            "count": len(rows),
            "labels": {field: field.replace("_", " ").title() for field in DTS_FIELDS},
            "dataTypes": {field: "STRING" for field in DTS_FIELDS},
            "dataFormats": {field: "String" for field in DTS_FIELDS},
            "total-count": total,
            "total-pages": total_pages,
        },
        "links": {
            "self": link.format(page),
            "first": link.format(1),
            "prev": link.format(page - 1) if page > 1 else None,
            "next": link.format(page + 1) if page < total_pages else None,
            "last": link.format(max(total_pages, 1)),
        },
    }


def dts_error(message: str) -> dict[str, str]:
    """Fiscal Data's error body (sent with HTTP 400)."""
    return {"error": "Invalid Query Param", "message": message}


# --- Yahoo chart v8 ------------------------------------------------------------------------


def yahoo_chart(
    symbol: str,
    bars: list[tuple[int, Any, Any, Any, Any, Any]] | None,
    *,
    adjclose: list[Any] | None = None,
    timezone: str | None = "America/New_York",
    gmtoffset: int = -18000,
    currency: str = "USD",
) -> dict[str, Any]:
    """A chart response; ``bars`` are (ts, open, high, low, close, volume), None = no timestamps.

    ``adjclose`` None leaves the ``adjclose`` indicator out, as Yahoo does for some instruments.
    """
    meta: dict[str, Any] = {
        "currency": currency,
        "symbol": symbol,
        "exchangeName": "SNP",
        "instrumentType": "INDEX",
        "gmtoffset": gmtoffset,
        "timezone": "EST",
        "dataGranularity": "1d",
        "range": "",
    }
    if timezone is not None:
        meta["exchangeTimezoneName"] = timezone
    result: dict[str, Any] = {"meta": meta}
    if bars is None:
        # No trading day in range: no timestamp key and an empty quote object.
        result["indicators"] = {"quote": [{}]}
    else:
        columns = list(zip(*bars, strict=True)) if bars else [()] * 6
        ts, opens, highs, lows, closes, volumes = (list(c) for c in columns)
        result["timestamp"] = ts
        result["indicators"] = {
            "quote": [
                {"close": closes, "low": lows, "volume": volumes, "open": opens, "high": highs}
            ]
        }
        if adjclose is not None:
            result["indicators"]["adjclose"] = [{"adjclose": adjclose}]
    return {"chart": {"result": [result], "error": None}}


def yahoo_chart_error(
    code: str = "Not Found", description: str = "No data found, symbol may be delisted"
) -> dict[str, Any]:
    """Yahoo's error body (HTTP 404 for an unknown symbol)."""
    return {"chart": {"result": None, "error": {"code": code, "description": description}}}


def epoch_s(day: date, hour: int = 14, minute: int = 30) -> int:
    """Epoch seconds of ``day`` at hour:minute UTC (14:30 UTC is 09:30 New York in winter)."""
    return int(datetime.combine(day, time(hour, minute), tzinfo=UTC).timestamp())


# --- Binance klines ------------------------------------------------------------------------


def day_ms(day: date) -> int:
    """Epoch ms of ``day`` 00:00 UTC: a daily candle's open time."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp()) * 1000


def kline(day: date, close: float, *, trades: int = 1000) -> list[Any]:
    """One 12-field daily kline; prices and volumes are strings with 8 decimals."""
    open_time = day_ms(day)
    price = f"{close:.8f}"
    return [
        open_time,
        f"{close * 0.99:.8f}",
        f"{close * 1.02:.8f}",
        f"{close * 0.97:.8f}",
        price,
        "1234.50000000",
        open_time + DAY_MS - 1,
        f"{close * 1234.5:.8f}",
        trades,
        "600.25000000",
        f"{close * 600.25:.8f}",
        "0",
    ]


def binance_error(code: int = -1121, msg: str = "Invalid symbol.") -> dict[str, Any]:
    """Binance's error body (HTTP 400)."""
    return {"code": code, "msg": msg}


def binance_weight_headers(used: int) -> dict[str, str]:
    """The headers Binance adds to every answer: the IP's weight used this minute."""
    return {"X-MBX-USED-WEIGHT-1M": str(used), "X-MBX-USED-WEIGHT": str(used)}


# --- Binance USD-M futures -----------------------------------------------------------------


def funding(day: date, hour: int, rate: str, mark_price: str, *, late_ms: int = 0) -> dict:
    """One settled funding; rates and prices are strings, and old rows have markPrice ""."""
    return {
        "symbol": "BTCUSDT",
        "fundingTime": day_ms(day) + hour * 3_600_000 + late_ms,
        "fundingRate": rate,
        "markPrice": mark_price,
    }


def price_kline(day: date, close: float) -> list[Any]:
    """One 12-field daily mark/index price kline: prices as strings, volume fields "0"."""
    open_time = day_ms(day)
    return [
        open_time,
        f"{close * 0.99:.8f}",
        f"{close * 1.02:.8f}",
        f"{close * 0.97:.8f}",
        f"{close:.8f}",
        "0",
        open_time + DAY_MS - 1,
        "0",
        1440,  # the number of basic data points the candle was built from
        "0",
        "0",
        "0",
    ]


# --- Coinbase Exchange candles -------------------------------------------------------------


def coinbase_candle(day: date, close: float) -> list[Any]:
    """One daily candle ``[time, low, high, open, close, volume]``: numbers, not strings."""
    return [
        epoch_s(day, 0, 0),
        round(close * 0.97, 2),
        round(close * 1.02, 2),
        round(close * 0.99, 2),
        close,
        1234.56789012,
    ]


def coinbase_error(message: str) -> dict[str, str]:
    """Coinbase's error body (HTTP 400 or 404)."""
    return {"message": message}


# --- Kraken OHLC ---------------------------------------------------------------------------


def kraken_row(day: date, close: float, *, count: int = 25_000) -> list[Any]:
    """One daily OHLC row ``[time, open, high, low, close, vwap, volume, count]``."""
    return [
        epoch_s(day, 0, 0),
        f"{close * 0.99:.1f}",
        f"{close * 1.02:.1f}",
        f"{close * 0.97:.1f}",
        f"{close:.1f}",
        f"{close * 1.001:.1f}",
        "1393.73441254",
        count,
    ]


def kraken_ohlc(key: str, rows: list[list[Any]], last: str | int) -> dict[str, Any]:
    """The OHLC envelope: the candles under Kraken's own pair name, plus ``last``."""
    return {"error": [], "result": {key: rows, "last": last}}


def kraken_error(*messages: str) -> dict[str, Any]:
    """Kraken's error body, sent with HTTP 200."""
    return {"error": list(messages)}


# --- fredgraph.csv -------------------------------------------------------------------------


def fredgraph_csv(
    series_id: str, rows: list[tuple[date, str]], *, date_header: str = "observation_date"
) -> str:
    """The keyless CSV download: a header, then one ``date,value`` line per day."""
    lines = [f"{date_header},{series_id}", *(f"{day.isoformat()},{v}" for day, v in rows)]
    return "\n".join(lines) + "\n"


# --- Binance public data archive (data.binance.vision) -------------------------------------

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
ARCHIVE_BUCKET = "data.binance.vision"


def s3_listing(
    *,
    prefix: str,
    marker: str,
    max_keys: int,
    prefixes: list[str],
    keys: list[str],
    next_marker: str | None,
    delimiter: str = "/",
) -> bytes:
    """A ListObjects v1 page; truncated exactly when ``next_marker`` is given."""
    contents = "".join(
        f"<Contents><Key>{key}</Key><LastModified>2024-02-01T02:11:34.000Z</LastModified>"
        f'<ETag>"0f343b0931126a20f133d67c2b018a3b"</ETag><Size>{1024 + len(key)}</Size>'
        "<StorageClass>STANDARD</StorageClass></Contents>"
        for key in keys
    )
    folders = "".join(f"<CommonPrefixes><Prefix>{p}</Prefix></CommonPrefixes>" for p in prefixes)
    paging = f"<IsTruncated>{'true' if next_marker else 'false'}</IsTruncated>" + (
        f"<NextMarker>{next_marker}</NextMarker>" if next_marker else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ListBucketResult xmlns="{S3_NAMESPACE}"><Name>{ARCHIVE_BUCKET}</Name>'
        f"<Prefix>{prefix}</Prefix><Marker>{marker}</Marker><MaxKeys>{max_keys}</MaxKeys>"
        f"<Delimiter>{delimiter}</Delimiter>{paging}{contents}{folders}</ListBucketResult>"
    ).encode()


def s3_no_such_key(key: str) -> bytes:
    """S3's error body for a missing object (sent with HTTP 404)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        f"<Message>The specified key does not exist.</Message><Key>{key}</Key>"
        "<RequestId>4Q2QJ9WB0V1XH6FZ</RequestId><HostId>made-up-host-id=</HostId></Error>"
    ).encode()


def archive_kline(day: date, close: float, *, microseconds: bool = False) -> list[Any]:
    """One daily kline as an archive CSV row: the API's fields, times in µs when asked."""
    row = kline(day, close)
    if microseconds:  # spot files from 2025-01-01 on
        row[0], row[6] = row[0] * 1000, row[6] * 1000 + 999
    return row


def archive_zip(member: str, rows: list[list[Any]]) -> bytes:
    """A zip holding one header-less CSV named ``member``, one line per row."""
    text = "".join(",".join(str(value) for value in row) + "\n" for row in rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return buffer.getvalue()


def archive_checksum(body: bytes, name: str) -> str:
    """A ``.CHECKSUM`` file as ``sha256sum`` writes it: digest, two spaces, file name."""
    return f"{hashlib.sha256(body).hexdigest()}  {name}\n"
