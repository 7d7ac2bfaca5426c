"""The emulated Binance archive over real HTTP: paged listing, zips, checksums, delistings, 404s."""

from __future__ import annotations

import csv
import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import requests

from emulator import Emulator, serve_emulator
from emulator.coin_universe import archive_symbols
from tests.emulator.conftest import NOW, TODAY

NS = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
MONTHLY = "data/spot/monthly/klines/"
DAILY = "data/spot/daily/klines/"


@pytest.fixture(scope="module")
def archive() -> Iterator[Emulator]:
    """An emulator whose bucket listing pages at 3 names, so every listing walks pages."""
    with serve_emulator(today=TODAY, now=NOW, archive_max_keys=3) as running:
        yield running


def _page(emu: Emulator, **params: str) -> ET.Element:
    url = emu.base_urls["binance_archive_listing_url"]
    response = requests.get(url, params=params, timeout=10)
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/xml")
    return ET.fromstring(response.content)


def _walk(emu: Emulator, prefix: str, delimiter: str = "") -> tuple[list[str], list[ET.Element]]:
    """Every name (common prefixes and keys) across pages, and the pages themselves."""
    names, pages, marker = [], [], ""
    while True:
        root = _page(emu, prefix=prefix, delimiter=delimiter, marker=marker)
        pages.append(root)
        names += [e.text for e in root.findall("s3:CommonPrefixes/s3:Prefix", NS)]
        names += [e.text for e in root.findall("s3:Contents/s3:Key", NS)]
        if root.findtext("s3:IsTruncated", namespaces=NS) == "false":
            return names, pages
        marker = root.findtext("s3:NextMarker", namespaces=NS)


def _get(emu: Emulator, key: str) -> requests.Response:
    return requests.get(f"{emu.base_urls['binance_archive_base_url']}/{key}", timeout=10)


def _file(period: str, symbol: str, label: str) -> str:
    return f"data/spot/{period}/klines/{symbol}/1d/{symbol}-1d-{label}.zip"


def _rows(emu: Emulator, period: str, symbol: str, label: str) -> list[list[str]]:
    content = _get(emu, _file(period, symbol, label)).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.namelist() == [f"{symbol}-1d-{label}.csv"]
        text = archive.read(f"{symbol}-1d-{label}.csv").decode()
    return list(csv.reader(io.StringIO(text)))


def _day(open_time: str) -> date:
    scale = 1_000_000 if len(open_time) == 16 else 1000
    return datetime.fromtimestamp(int(open_time) / scale, UTC).date()


class TestListing:
    def test_every_symbol_appears_exactly_once_across_pages_of_three(self, archive):
        """Paging by NextMarker/marker yields each symbol folder once, in key order."""
        names, pages = _walk(archive, MONTHLY, "/")
        assert names == [f"{MONTHLY}{symbol}/" for symbol in archive_symbols()]
        assert len(pages) == -(-len(names) // 3)  # ceil: pages of at most 3
        assert all(p.findtext("s3:MaxKeys", namespaces=NS) == "3" for p in pages)

    def test_a_truncated_page_names_its_last_entry_as_next_marker(self, archive):
        """IsTruncated true with NextMarker = the page's last prefix; the last page has none."""
        names, pages = _walk(archive, MONTHLY, "/")
        assert pages[0].findtext("s3:IsTruncated", namespaces=NS) == "true"
        assert pages[0].findtext("s3:NextMarker", namespaces=NS) == names[2]
        assert pages[-1].find("s3:NextMarker", NS) is None

    def test_a_symbols_files_come_with_their_checksums_up_to_last_month(self, archive):
        """FTTUSDT: every month 2019-10..2022-11, each zip followed by its .CHECKSUM."""
        names, _ = _walk(archive, f"{MONTHLY}FTTUSDT/1d/")
        months = [f"{y}-{m:02d}" for y in range(2019, 2023) for m in range(1, 13)]
        months = [m for m in months if "2019-10" <= m <= "2022-11"]
        keys = [_file("monthly", "FTTUSDT", m) for m in months]
        assert names == [k for key in keys for k in (key, key + ".CHECKSUM")]

    def test_daily_files_run_to_yesterday_and_monthly_to_the_last_full_month(self, archive):
        """Today is 2025-07-11: daily files end 2025-07-10, monthly ones with 2025-06."""
        daily, _ = _walk(archive, f"{DAILY}BTCUSDT/1d/BTCUSDT-1d-2025-07")
        monthly, _ = _walk(archive, f"{MONTHLY}BTCUSDT/1d/BTCUSDT-1d-2025")
        last_day = _file("daily", "BTCUSDT", "2025-07-10")
        assert len(daily) == 2 * 10 and daily[-2:] == [last_day, last_day + ".CHECKSUM"]
        assert monthly[-1] == _file("monthly", "BTCUSDT", "2025-06") + ".CHECKSUM"

    def test_the_excluded_kinds_are_listed_like_any_symbol(self, archive):
        """Stablecoins, fiat, leveraged and wrapped pairs are in the bucket listing."""
        names, _ = _walk(archive, MONTHLY, "/")
        excluded = ["USDCUSDT", "BUSDUSDT", "TUSDUSDT", "EURUSDT", "BTCUPUSDT", "BTCDOWNUSDT",
                    "WBTCUSDT", "PAXGUSDT"]  # fmt: skip
        assert all(f"{MONTHLY}{symbol}/" in names for symbol in excluded)

    def test_a_requested_max_keys_can_only_lower_the_page_size(self, archive):
        """max-keys=2 gives two names; max-keys=50 stays capped at the emulator's 3."""
        two = _page(archive, prefix=MONTHLY, delimiter="/", **{"max-keys": "2"})
        fifty = _page(archive, prefix=MONTHLY, delimiter="/", **{"max-keys": "50"})
        assert len(two.findall("s3:CommonPrefixes", NS)) == 2
        assert len(fifty.findall("s3:CommonPrefixes", NS)) == 3


class TestFiles:
    def test_a_zips_checksum_is_the_sha256_of_its_bytes(self, archive):
        """The .CHECKSUM reads '<sha256>  <zip name>' for the exact bytes served."""
        key = _file("monthly", "ETHUSDT", "2023-01")
        digest = hashlib.sha256(_get(archive, key).content).hexdigest()
        assert _get(archive, key + ".CHECKSUM").text == f"{digest}  ETHUSDT-1d-2023-01.zip\n"

    def test_the_same_file_has_the_same_bytes_in_another_emulator(self, archive):
        """Zips are deterministic (fixed member dates), so checksums are stable across runs."""
        key = _file("daily", "LUNAUSDT", "2022-05-12")
        with serve_emulator(today=date(2025, 1, 2)) as other:
            assert _get(other, key).content == _get(archive, key).content

    def test_the_csv_has_no_header_and_twelve_columns(self, archive):
        """February 2024: 29 rows of 12 fields, the first field of the first row a number."""
        rows = _rows(archive, "monthly", "BTCUSDT", "2024-02")
        assert len(rows) == 29 and {len(r) for r in rows} == {12}
        assert rows[0][0] == "1706745600000"  # 2024-02-01 00:00 UTC in ms

    @pytest.mark.parametrize(
        ("label", "digits", "day_length"),
        [
            pytest.param("2024-12", 13, 86_400_000, id="ms_in_2024"),
            pytest.param("2025-01", 16, 86_400_000_000, id="us_from_2025"),
        ],
    )
    def test_times_switch_from_ms_to_microseconds_in_2025(self, archive, label, digits, day_length):
        """Open/close times have 13 digits in 2024 and 16 from 2025; close = open + a day - 1."""
        rows = _rows(archive, "monthly", "SOLUSDT", label)
        assert {len(r[0]) for r in rows} == {digits} == {len(r[6]) for r in rows}
        assert all(int(r[6]) == int(r[0]) + day_length - 1 for r in rows)

    def test_an_archive_row_equals_the_live_klines_row(self, archive):
        """BTCUSDT 2024-03-05 from the zip and from /api/v3/klines: the same 12 fields."""
        row = next(r for r in _rows(archive, "daily", "BTCUSDT", "2024-03-05"))
        url = archive.base_urls["binance_base_url"] + "/api/v3/klines"
        params = {"symbol": "BTCUSDT", "interval": "1d", "startTime": row[0], "limit": 1}
        live = requests.get(url, params=params, timeout=10).json()[0]
        assert row == [str(v) for v in live]


class TestDelisting:
    def test_a_delisted_coins_last_file_ends_on_its_delisting_day(self, archive):
        """FTTUSDT's 2022-11 file stops at 2022-11-15; 2022-12 and 2022-11-16 are NoSuchKey."""
        rows = _rows(archive, "monthly", "FTTUSDT", "2022-11")
        assert (_day(rows[0][0]), _day(rows[-1][0])) == (date(2022, 11, 1), date(2022, 11, 15))
        for key in (
            _file("monthly", "FTTUSDT", "2022-12"),
            _file("daily", "FTTUSDT", "2022-11-16"),
        ):
            response = _get(archive, key)
            assert response.status_code == 404
            assert ET.fromstring(response.content).findtext("Code") == "NoSuchKey"

    def test_luna_appears_in_two_listing_periods(self, archive):
        """LUNAUSDT's 2022-05 file holds the old coin to the 13th and the new one from the 31st."""
        rows = _rows(archive, "monthly", "LUNAUSDT", "2022-05")
        days = [_day(r[0]).day for r in rows]
        assert days == [*range(1, 14), 31]
        assert float(rows[12][4]) < 0.001 < 1 < float(rows[13][1])  # dust, then a fresh coin

    @pytest.mark.parametrize(
        "symbol",
        [pytest.param("FTTUSDT", id="delisted"), pytest.param("LTCUSDT", id="archive_only")],
    )
    def test_the_live_api_refuses_a_coin_only_the_archive_has(self, archive, symbol):
        """/api/v3/klines answers 400 -1121 for a delisted coin and for an archive-only one."""
        url = archive.base_urls["binance_base_url"] + "/api/v3/klines"
        response = requests.get(url, params={"symbol": symbol, "interval": "1d"}, timeout=10)
        assert (response.status_code, response.json()) == (
            400,
            {"code": -1121, "msg": "Invalid symbol."},
        )


class TestBadChecksum:
    def test_the_bad_kind_spoils_only_that_files_checksum(self, archive):
        """archive_checksum_mismatch: FTTUSDT 2022-06's checksum is wrong, 2022-07's is right."""
        with serve_emulator(today=TODAY, now=NOW, bad_data=["archive_checksum_mismatch"]) as bad:
            for month, matches in (("2022-06", False), ("2022-07", True)):
                key = _file("monthly", "FTTUSDT", month)
                digest = hashlib.sha256(_get(bad, key).content).hexdigest()
                assert _get(bad, key + ".CHECKSUM").text.startswith(digest) is matches
                assert _get(bad, key).content == _get(archive, key).content


class TestTheRealClient:
    def test_the_archive_client_reads_a_delisted_coin_end_to_end(self, archive: Emulator) -> None:
        """sources.binance_archive pages the listing, verifies and parses FTT's last file."""
        from sources import binance_archive
        from sources._http import HttpClient

        http = HttpClient()
        listing = archive.base_urls["binance_archive_listing_url"]
        download = archive.base_urls["binance_archive_base_url"]
        symbols = list(binance_archive.list_symbols(http, listing))
        files = list(binance_archive.list_files(http, listing, "FTTUSDT"))
        frame = binance_archive.parse_klines(
            binance_archive.fetch_file(http, download, files[-1]), "FTTUSDT"
        )
        # every symbol once across pages of 3; FTT's files end with November 2022, its last
        # row on the delisting day
        assert sorted(symbols) == sorted(set(symbols)) == sorted(archive_symbols())
        assert files[-1].period_start == date(2022, 11, 1)
        assert frame["date"].max() == date(2022, 11, 15)
