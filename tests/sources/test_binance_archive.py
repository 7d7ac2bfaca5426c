"""Binance archive: verified zips, header-less CSVs, µs times from 2025, the load contract."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
import pytest
from pydantic import ValidationError
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import ChecksumMismatchError, SchemaDriftError, SourceHTTPError
from rotation_kernel.settings import Settings
from sources import binance_archive
from sources.binance_archive import ArchiveFile

from . import routes, wire

MONTHLY = "data/spot/monthly/klines/"
BTC_FOLDER = f"{MONTHLY}BTCUSDT/1d/"
DEC_2024 = [
    wire.archive_kline(day, 95_000.0 + i)
    for i, day in enumerate(routes.days(date(2024, 12, 1), 31))
]
JAN_2025 = [
    wire.archive_kline(day, 94_000.0 + i, microseconds=True)
    for i, day in enumerate(routes.days(date(2025, 1, 1), 31))
]
DEC_FILE = ArchiveFile(
    f"{BTC_FOLDER}BTCUSDT-1d-2024-12.zip", "BTCUSDT", "monthly", date(2024, 12, 1)
)
DEC_ZIP = wire.archive_zip("BTCUSDT-1d-2024-12.csv", DEC_2024)


def serve_file(httpserver: HTTPServer, archive_file: ArchiveFile, body: bytes, checksum: str):
    httpserver.expect_request(f"/{archive_file.key}").respond_with_data(body)
    httpserver.expect_request(f"/{archive_file.key}.CHECKSUM").respond_with_data(checksum)


class TestFetchFile:
    def test_a_zip_whose_sha256_matches_its_checksum_is_returned(
        self, httpserver: HTTPServer, http, base_url
    ):
        """The zip and its .CHECKSUM are both fetched; the bytes come back unchanged."""
        serve_file(httpserver, DEC_FILE, DEC_ZIP, wire.archive_checksum(DEC_ZIP, DEC_FILE.name))

        assert binance_archive.fetch_file(http, base_url, DEC_FILE) == DEC_ZIP
        assert sorted(request.path for request, _ in httpserver.log) == [
            f"/{DEC_FILE.key}",
            f"/{DEC_FILE.key}.CHECKSUM",
        ]

    def test_a_checksum_mismatch_raises_naming_the_file_and_both_digests(
        self, httpserver: HTTPServer, http, base_url
    ):
        """A zip altered after its checksum was published is refused, nothing returned."""
        published = wire.archive_checksum(DEC_ZIP, DEC_FILE.name)
        corrupted = bytearray(DEC_ZIP)
        corrupted[40] ^= 0xFF  # one flipped byte inside the compressed CSV
        corrupted = bytes(corrupted)
        serve_file(httpserver, DEC_FILE, corrupted, published)
        received = []

        with pytest.raises(ChecksumMismatchError) as info:
            received.append(binance_archive.fetch_file(http, base_url, DEC_FILE))

        assert received == []
        error = info.value
        assert error.file == "BTCUSDT-1d-2024-12.zip"
        assert error.expected == hashlib.sha256(DEC_ZIP).hexdigest()
        assert error.actual == hashlib.sha256(corrupted).hexdigest()
        assert error.expected in str(error) and error.actual in str(error)
        assert "BTCUSDT-1d-2024-12.zip" in str(error)

    def test_a_checksum_that_names_another_file_is_schema_drift(
        self, httpserver: HTTPServer, http, base_url
    ):
        """The right digest under another file's name is not this file's checksum."""
        checksum = wire.archive_checksum(DEC_ZIP, "BTCUSDT-1d-2024-11.zip")
        serve_file(httpserver, DEC_FILE, DEC_ZIP, checksum)

        with pytest.raises(SchemaDriftError, match="2024-11") as info:
            binance_archive.fetch_file(http, base_url, DEC_FILE)

        assert info.value.field == "CHECKSUM"

    def test_a_missing_key_is_a_404_raised_at_once(
        self, httpserver: HTTPServer, http, base_url, sleeps
    ):
        """S3's 404 NoSuchKey is an error naming the key's URL, with no retry and no sleep."""
        httpserver.expect_request(f"/{DEC_FILE.key}.CHECKSUM").respond_with_data(
            wire.s3_no_such_key(f"{DEC_FILE.key}.CHECKSUM"),
            status=404,
            content_type="application/xml",
        )

        with pytest.raises(SourceHTTPError, match="NoSuchKey") as info:
            binance_archive.fetch_file(http, base_url, DEC_FILE)

        assert info.value.status == 404
        assert info.value.url == f"{base_url}/{DEC_FILE.key}.CHECKSUM"
        assert len(httpserver.log) == 1
        assert sleeps == []

    def test_a_503_then_success_is_retried_by_the_http_layer(
        self, httpserver: HTTPServer, http, base_url, sleeps
    ):
        """One 503 on the zip costs one backoff sleep, then the verified zip is returned."""
        checksum = wire.archive_checksum(DEC_ZIP, DEC_FILE.name)
        httpserver.expect_request(f"/{DEC_FILE.key}.CHECKSUM").respond_with_data(checksum)
        httpserver.expect_oneshot_request(f"/{DEC_FILE.key}").respond_with_data("busy", status=503)
        httpserver.expect_request(f"/{DEC_FILE.key}").respond_with_data(DEC_ZIP)

        assert binance_archive.fetch_file(http, base_url, DEC_FILE) == DEC_ZIP
        assert [request.path for request, _ in httpserver.log].count(f"/{DEC_FILE.key}") == 2
        assert len(sleeps) == 1
        assert 0.0 <= sleeps[0] <= 0.5  # attempt 1: full jitter in [0, 0.5 * 2**0]


class TestParseKlines:
    def test_a_header_less_csv_is_typed_to_the_contract_schema(self):
        """A 2024 file: 31 rows, prices as floats, ms times unchanged, the symbol added."""
        frame = binance_archive.parse_klines(DEC_ZIP, "BTCUSDT")

        assert frame.schema == pl.Schema(binance_archive.CONTRACT.schema)
        assert frame.height == 31
        first = frame.row(0, named=True)
        assert first["symbol"] == "BTCUSDT"
        assert first["open_time"] == wire.day_ms(date(2024, 12, 1))  # 1733011200000
        assert first["close_time"] == wire.day_ms(date(2024, 12, 2)) - 1
        assert first["date"] == date(2024, 12, 1)
        assert first["close"] == 95_000.0
        assert first["open"] == pytest.approx(94_050.0)  # the builder opens 1 % below close
        assert first["trades"] == 1000
        assert first["taker_buy_base"] == 600.25
        assert frame["date"][-1] == date(2024, 12, 31)

    def test_a_2025_file_in_microseconds_is_normalised_to_milliseconds(self):
        """1735689600000000 µs (2025-01-01) becomes 1735689600000 ms; close ends at .999 ms."""
        frame = binance_archive.parse_klines(
            wire.archive_zip("BTCUSDT-1d-2025-01.csv", JAN_2025), "BTCUSDT"
        )

        assert JAN_2025[0][0] == 1_735_689_600_000_000  # the file really holds 16 digits
        assert frame["open_time"][0] == 1_735_689_600_000
        assert frame["close_time"][0] == 1_735_775_999_999
        assert frame["date"].to_list() == routes.days(date(2025, 1, 1), 31)
        assert frame["open_time"].diff().drop_nulls().unique().to_list() == [86_400_000]

    @pytest.mark.parametrize(
        ("row", "field", "message"),
        [
            # a 2024 candle written in µs: the 16 digits say µs, the date says ms
            pytest.param(
                wire.archive_kline(date(2024, 12, 31), 1.0, microseconds=True),
                "open_time",
                "1735603200000000",
                id="microseconds_before_2025",
            ),
            # a 2025 candle left in ms after the switch
            pytest.param(
                wire.archive_kline(date(2025, 1, 2), 1.0),
                "open_time",
                "1735776000000",
                id="milliseconds_from_2025",
            ),
            # epoch seconds: neither magnitude
            pytest.param(
                [1_735_689_600, *wire.archive_kline(date(2025, 1, 1), 1.0)[1:]],
                "open_time",
                "1735689600 is neither",
                id="seconds",
            ),
        ],
    )
    def test_a_time_that_is_neither_ms_before_2025_nor_us_after_is_schema_drift(
        self, row, field, message
    ):
        """Magnitude and the 2025-01-01 switch must agree, else the instant would be wrong."""
        with pytest.raises(SchemaDriftError, match=message) as info:
            binance_archive.parse_klines(wire.archive_zip("X-1d.csv", [row]), "BTCUSDT")

        assert info.value.field == field

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            # the Ignore column dropped
            pytest.param([r[:11] for r in DEC_2024[:2]], "expected 12 columns, got 11", id="11"),
            # a thirteenth column appended
            pytest.param([[*r, "0"] for r in DEC_2024[:2]], "expected 12 columns, got 13", id="13"),
            # the second row longer than the first
            pytest.param([DEC_2024[0], [*DEC_2024[1], "0"]], "ragged rows", id="ragged"),
        ],
    )
    def test_an_unexpected_column_count_is_schema_drift(self, rows, message):
        """Only the 12 documented columns are accepted."""
        with pytest.raises(SchemaDriftError, match=message) as info:
            binance_archive.parse_klines(wire.archive_zip("X.csv", rows), "BTCUSDT")

        assert info.value.field == "<csv>"

    def test_a_header_row_is_schema_drift_naming_open_time(self):
        """The spot CSVs have no header: a text first row is drift, not a candle."""
        header = [column.lower().replace(" ", "_") for column in binance_archive.FIELD_MAP]

        with pytest.raises(SchemaDriftError, match="row 1: 'open_time'") as info:
            binance_archive.parse_klines(wire.archive_zip("X.csv", [header, *DEC_2024]), "BTCUSDT")

        assert info.value.field == "open_time"

    def test_a_missing_price_is_schema_drift_naming_the_column(self):
        """An empty close field on row 2 raises drift naming close, not a null price."""
        broken = list(DEC_2024[1])
        broken[4] = ""

        with pytest.raises(SchemaDriftError, match="row 2: missing") as info:
            binance_archive.parse_klines(wire.archive_zip("X.csv", [DEC_2024[0], broken]), "BTC")

        assert info.value.field == "close"

    def test_bytes_that_are_not_a_zip_are_schema_drift(self):
        """An HTML page saved as .zip is refused before any CSV is read."""
        with pytest.raises(SchemaDriftError, match="not a zip") as info:
            binance_archive.parse_klines(b"<html>gone</html>", "BTCUSDT")

        assert info.value.field == "<zip>"


class TestContract:
    def test_the_raw_table_merges_on_symbol_and_open_time(self):
        """raw.binance_archive__klines upserts on (symbol, open_time) with the live schema."""
        contract = binance_archive.CONTRACT

        assert contract.table == "raw.binance_archive__klines"
        assert (contract.primary_key, contract.disposition) == (("symbol", "open_time"), "merge")
        assert list(contract.schema) == list(binance_archive.binance.CONTRACT.schema)


class TestSettings:
    def test_archive_urls_default_to_the_real_archive(self):
        """The listing is the S3 bucket in ap-northeast-1; downloads go to data.binance.vision."""
        settings = Settings()

        assert settings.binance_archive_listing_url == binance_archive.LISTING_URL
        assert settings.binance_archive_base_url == binance_archive.DOWNLOAD_URL

    @pytest.mark.parametrize("field", ["binance_archive_listing_url", "binance_archive_base_url"])
    def test_an_archive_url_with_a_query_is_refused(self, field):
        """Both archive URLs get the base-URL validation: no query string may ride along."""
        with pytest.raises(ValidationError, match="query string"):
            Settings(**{field: "https://data.binance.vision?token=x"})
