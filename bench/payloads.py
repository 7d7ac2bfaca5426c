"""Deterministic API pages for the load benchmark, written to a folder in each API's wire format.

- Binance 1-minute klines: 12-field arrays with string prices, 1000 rows a page, per symbol.
  Prices follow a seeded random walk per symbol; the 12 fields are formatted once for a pool
  of ``POOL_MINUTES`` minutes a symbol and cycled, with every open/close time unique. (Python
  formatting 52M rows one by one would take longer than loading them.)
- FRED observations: ``series`` series of daily values, one page per series (FRED's limit is
  100,000 rows a page), "." on about 1% of days, as FRED sends holidays.
- Treasury DTS operating cash balance: pages of 10,000 rows (``accounts`` account lines per
  business day: the era's TGA close, as the real table has it, then made-up lines so that
  the pages fill up), amounts as strings with the "null" string on a third of them.

Layout: ``<root>/<dataset>/<stream>/page-00001.json`` - exactly what the spool holds after
extraction, so every load path reads the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson

from sources.treasury_dts import ERAS

KLINES_PAGE = 1000  # Binance's maximum `limit`
MINUTE_MS = 60_000
POOL_MINUTES = 5_000  # distinct minutes formatted per symbol, then cycled
DTS_PAGE = 10_000  # Fiscal Data's maximum `page[size]`
KLINES_START = date(2020, 1, 1)
FRED_START = date(2005, 1, 1)
DTS_START = date(2005, 1, 3)


@dataclass
class Dataset:
    """One dataset's pages, per stream, in page order."""

    name: str
    resource: str  # "klines_1m", "observations" or "operating_cash_balance"
    streams: dict[str, list[Path]] = field(default_factory=dict)
    rows: int = 0
    json_bytes: int = 0  # recorded once written (the pages are deleted after the run)

    @property
    def pages(self) -> int:
        return sum(len(files) for files in self.streams.values())

    @property
    def bytes(self) -> int:
        """The pages' size on disk (while they exist)."""
        return sum(p.stat().st_size for files in self.streams.values() for p in files)


def symbols(count: int) -> list[str]:
    """``count`` made-up USDT symbols (``S00USDT``...)."""
    return [f"S{i:02d}USDT" for i in range(count)]


TIME_DIGITS = 13  # every epoch-ms time from 2001 to 2286 has 13 digits
POOL_PAGES = POOL_MINUTES // KLINES_PAGE


@dataclass(frozen=True)
class PageTemplate:
    """One page of pool rows as bytes, with zeros where each row's two times go."""

    body: np.ndarray  # uint8
    open_at: np.ndarray  # where each row's openTime digits start
    close_at: np.ndarray  # where each row's closeTime digits start

    def render(self, open_times: np.ndarray) -> bytes:
        """The page with these open times (closeTime = open + 59,999 ms)."""
        body = self.body.copy()
        for at, times in ((self.open_at, open_times), (self.close_at, open_times + MINUTE_MS - 1)):
            digits = (times[:, None] // 10 ** np.arange(TIME_DIGITS - 1, -1, -1)) % 10 + 48
            body[at[:, None] + np.arange(TIME_DIGITS)] = digits
        return body.tobytes()


def _minute_pool(rng: np.random.Generator) -> list[tuple[bytes, bytes]]:
    """POOL_MINUTES formatted kline middles: the fields between openTime and closeTime, and
    those after closeTime, each as JSON text."""
    price = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, POOL_MINUTES)))
    spread = np.abs(rng.normal(0.0, 0.0005, POOL_MINUTES))
    opens = np.concatenate([[price[0]], price[:-1]])
    highs = np.maximum(opens, price) * (1 + spread)
    lows = np.minimum(opens, price) * (1 - spread)
    volume = rng.gamma(2.0, 5.0, POOL_MINUTES)
    trades = rng.integers(1, 900, POOL_MINUTES)
    pool = []
    for o, h, lo, c, v, n in zip(opens, highs, lows, price, volume, trades, strict=True):
        before = f'"{o:.8f}","{h:.8f}","{lo:.8f}","{c:.8f}","{v:.8f}"'.encode()
        after = f'"{v * c:.8f}",{n},"{v / 2:.8f}","{v * c / 2:.8f}","0"'.encode()
        pool.append((before, after))
    return pool


def _template(rows: list[tuple[bytes, bytes]]) -> PageTemplate:
    blank = b"0" * TIME_DIGITS
    parts, open_at, close_at, at = [b"["], [], [], 1
    for i, (before, after) in enumerate(rows):
        row = b"[%b,%b,%b,%b]" % (blank, before, blank, after)
        open_at.append(at + 1)
        close_at.append(at + 1 + TIME_DIGITS + 1 + len(before) + 1)
        parts.append(row if i == 0 else b"," + row)
        at += len(row) + (0 if i == 0 else 1)
        if i == 0:
            continue
        open_at[-1] += 1
        close_at[-1] += 1
    parts.append(b"]")
    body = np.frombuffer(b"".join(parts), dtype=np.uint8)
    return PageTemplate(body, np.array(open_at), np.array(close_at))


def write_klines(root: Path, name: str, n_symbols: int, days: int, seed: int = 8) -> Dataset:
    """Write 1-minute kline pages for ``n_symbols`` symbols over ``days`` days.

    Args:
        root: the benchmark's payload folder.
        name: the dataset's folder name.
        n_symbols: how many symbols (20 in the issue).
        days: history length from KLINES_START.
        seed: the random walk's seed.

    Returns:
        The dataset: ``n_symbols * days * 1440`` rows.
    """
    dataset = Dataset(name, "klines_1m")
    first_ms = int(datetime(KLINES_START.year, 1, 1, tzinfo=UTC).timestamp()) * 1000
    minutes = days * 1440
    for s, symbol in enumerate(symbols(n_symbols)):
        pool = _minute_pool(np.random.default_rng(seed * 1000 + s))
        templates = [
            _template(pool[k * KLINES_PAGE : (k + 1) * KLINES_PAGE]) for k in range(POOL_PAGES)
        ]
        folder = root / name / symbol
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for page, start in enumerate(range(0, minutes, KLINES_PAGE), start=1):
            count = min(KLINES_PAGE, minutes - start)
            k = (page - 1) % POOL_PAGES
            template = templates[k]
            if count < KLINES_PAGE:  # the last, short page
                template = _template(pool[k * KLINES_PAGE : k * KLINES_PAGE + count])
            times = first_ms + (start + np.arange(count, dtype=np.int64)) * MINUTE_MS
            path = folder / f"page-{page:05d}.json"
            path.write_bytes(template.render(times))
            files.append(path)
        dataset.streams[symbol] = files
        dataset.rows += minutes
    return dataset


def write_fred(root: Path, name: str, n_series: int, years: int, seed: int = 8) -> Dataset:
    """Write one observations page per series: daily values over ``years`` years.

    Returns:
        The dataset (series ids ``B00``, ``B01``...: the loader does not check the registry).
    """
    rng = np.random.default_rng(seed)
    dataset = Dataset(name, "observations")
    days = [FRED_START + timedelta(days=i) for i in range(int(years * 365.25))]
    stamps = [d.isoformat() for d in days]
    for s in range(n_series):
        series = f"B{s:02d}"
        level = 1000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, len(days))))
        holiday = rng.random(len(days)) < 0.01
        observations = [
            {
                "realtime_start": "2025-01-15",
                "realtime_end": "2025-01-15",
                "date": stamp,
                "value": "." if gap else f"{value:.3f}",
            }
            for stamp, value, gap in zip(stamps, level, holiday, strict=True)
        ]
        page = {
            "realtime_start": "2025-01-15",
            "realtime_end": "2025-01-15",
            "observation_start": stamps[0],
            "observation_end": stamps[-1],
            "units": "lin",
            "output_type": 1,
            "file_type": "json",
            "order_by": "observation_date",
            "sort_order": "asc",
            "count": len(observations),
            "offset": 0,
            "limit": 100_000,
            "observations": observations,
        }
        folder = root / name / series
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "page-00001.json"
        path.write_bytes(orjson.dumps(page))
        dataset.streams[series] = [path]
        dataset.rows += len(observations)
    return dataset


def write_dts(root: Path, name: str, years: int, accounts: int, seed: int = 8) -> Dataset:
    """Write operating cash balance pages of DTS_PAGE rows over ``years`` of business days.

    Returns:
        The dataset: one stream, ``operating_cash_balance``.
    """
    rng = np.random.default_rng(seed)
    dataset = Dataset(name, "operating_cash_balance")
    days = [DTS_START + timedelta(days=i) for i in range(int(years * 365.25))]
    business = [d.isoformat() for d in days if d.weekday() < 5]
    rows = []
    for day in business:
        amounts = rng.integers(1_000, 900_000, (accounts, 4))
        nulls = rng.random((accounts, 4)) < 0.33
        nulls[0] = False  # line 0 is the era's TGA close: its balance is always there
        close_account = next(
            era.account_type
            for era in ERAS
            if (era.first_date is None or era.first_date.isoformat() <= day)
            and (era.last_date is None or day <= era.last_date.isoformat())
        )
        for a in range(accounts):
            values = ["null" if nulls[a, k] else str(amounts[a, k]) for k in range(4)]
            rows.append(
                {
                    "record_date": day,
                    "account_type": close_account if a == 0 else f"Account line {a:03d}",
                    "close_today_bal": values[0],
                    "open_today_bal": values[1],
                    "open_month_bal": values[2],
                    "open_fiscal_year_bal": values[3],
                    "table_nbr": "I",
                    "src_line_nbr": str(a + 1),
                    "record_fiscal_year": day[:4],
                }
            )
    folder = root / name / "operating_cash_balance"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    pages = -(-len(rows) // DTS_PAGE)
    for number in range(1, pages + 1):
        chunk = rows[(number - 1) * DTS_PAGE : number * DTS_PAGE]
        page = {
            "data": chunk,
            "meta": {"count": len(chunk), "total-count": len(rows), "total-pages": pages},
            "links": {"self": f"&page%5Bnumber%5D={number}&page%5Bsize%5D={DTS_PAGE}"},
        }
        path = folder / f"page-{number:05d}.json"
        path.write_bytes(orjson.dumps(page))
        files.append(path)
    dataset.streams["operating_cash_balance"] = files
    dataset.rows = len(rows)
    return dataset
