"""Binance archive: paged XML listings, header-less CSV zips, checksums, µs times from 2025."""

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
# Seven symbols, two of them delisted (LUNAUSDT, FTTUSDT): the archive keeps both.
SYMBOLS = ["ADAUSDT", "BNBUSDT", "BTCUSDT", "ETHUSDT", "FTTUSDT", "LUNAUSDT", "SOLUSDT"]
BTC_FOLDER = f"{MONTHLY}BTCUSDT/1d/"
BTC_MONTHS = ["2024-11", "2024-12", "2025-01"]
BUCKET = [
    *(f"{MONTHLY}{symbol}/1d/{symbol}-1d-2023-01.zip" for symbol in SYMBOLS),
    *(
        f"{BTC_FOLDER}BTCUSDT-1d-{month}.zip{tail}"
        for month in BTC_MONTHS
        for tail in ("", ".CHECKSUM")
    ),
    "data/spot/daily/klines/BTCUSDT/1d/BTCUSDT-1d-2025-02-01.zip",
    "data/spot/daily/klines/BTCUSDT/1d/BTCUSDT-1d-2025-02-02.zip",
]
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


@pytest.fixture
def bucket(httpserver: HTTPServer, base_url: str) -> str:
    """The bucket listing on the local server, three entries a page."""
    httpserver.expect_request("/data.binance.vision").respond_with_handler(
        routes.s3_listing(BUCKET, max_keys=3)
    )
    return f"{base_url}/data.binance.vision"


def serve_file(httpserver: HTTPServer, archive_file: ArchiveFile, body: bytes, checksum: str):
    httpserver.expect_request(f"/{archive_file.key}").respond_with_data(body)
    httpserver.expect_request(f"/{archive_file.key}.CHECKSUM").respond_with_data(checksum)


class TestListSymbols:
    def test_a_listing_over_three_pages_yields_every_symbol_following_next_marker(
        self, httpserver: HTTPServer, http, bucket
    ):
        """Seven symbol folders at three a page: pages of 3, 3 and 1, each after NextMarker."""
        symbols = list(binance_archive.list_symbols(http, bucket))

        assert symbols == SYMBOLS
        args = [request.args for request, _ in httpserver.log]
        assert [a.get("marker") for a in args] == [
            None,
            f"{MONTHLY}BTCUSDT/",
            f"{MONTHLY}LUNAUSDT/",
        ]
        assert {(a["prefix"], a["delimiter"]) for a in args} == {(MONTHLY, "/")}

    def test_max_keys_is_sent_when_given(self, httpserver: HTTPServer, http, bucket):
        """max_keys=2 asks S3 for two entries a page: 7 symbols take 4 requests."""
        symbols = list(binance_archive.list_symbols(http, bucket, max_keys=2))

        assert symbols == SYMBOLS
        assert [request.args["max-keys"] for request, _ in httpserver.log] == ["2"] * 4

    def test_a_truncated_page_without_next_marker_is_schema_drift(
        self, httpserver: HTTPServer, http, base_url
    ):
        """IsTruncated true and no NextMarker: drift naming NextMarker, not an endless loop."""
        body = wire.s3_listing(
            prefix=MONTHLY, marker="", max_keys=3, prefixes=[], keys=[], next_marker=None
        ).replace(b"<IsTruncated>false", b"<IsTruncated>true")
        httpserver.expect_request("/bucket").respond_with_data(body)

        with pytest.raises(SchemaDriftError) as info:
            list(binance_archive.list_symbols(http, f"{base_url}/bucket"))

        assert (info.value.source, info.value.field) == ("binance_archive", "NextMarker")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            # an HTML page from a proxy, not the bucket's XML
            pytest.param(b"<html><body>maintenance</body></html>", "ListBucketResult", id="html"),
            # not XML at all
            pytest.param(b'{"ok": true}', "ListBucketResult", id="json"),
            # the right element without its namespace
            pytest.param(
                b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
                "ListBucketResult",
                id="no_namespace",
            ),
            # IsTruncated missing
            pytest.param(
                f'<ListBucketResult xmlns="{wire.S3_NAMESPACE}"/>'.encode(),
                "IsTruncated",
                id="no_is_truncated",
            ),
        ],
    )
    def test_a_page_of_another_shape_is_schema_drift_naming_the_field(
        self, httpserver: HTTPServer, http, base_url, body, field
    ):
        """Anything but a namespaced ListBucketResult with IsTruncated raises, naming the field."""
        httpserver.expect_request("/bucket").respond_with_data(body)

        with pytest.raises(SchemaDriftError) as info:
            list(binance_archive.list_symbols(http, f"{base_url}/bucket"))

        assert info.value.field == field


class TestListFiles:
    def test_monthly_files_of_a_symbol_skip_checksums_and_carry_their_month(
        self, httpserver: HTTPServer, http, bucket
    ):
        """Four zips and three .CHECKSUMs over three pages: the four zips, oldest first."""
        files = list(binance_archive.list_files(http, bucket, "BTCUSDT"))

        assert [(f.key, f.period_start) for f in files] == [
            (f"{BTC_FOLDER}BTCUSDT-1d-2023-01.zip", date(2023, 1, 1)),
            (f"{BTC_FOLDER}BTCUSDT-1d-2024-11.zip", date(2024, 11, 1)),
            (f"{BTC_FOLDER}BTCUSDT-1d-2024-12.zip", date(2024, 12, 1)),
            (f"{BTC_FOLDER}BTCUSDT-1d-2025-01.zip", date(2025, 1, 1)),
        ]
        assert files[2] == DEC_FILE
        assert files[2].url("https://data.binance.vision/") == (
            f"https://data.binance.vision/{BTC_FOLDER}BTCUSDT-1d-2024-12.zip"
        )
        assert [request.args["prefix"] for request, _ in httpserver.log] == [BTC_FOLDER] * 3

    def test_daily_files_carry_their_day(self, http, bucket):
        """Daily keys end -YYYY-MM-DD.zip; each file starts on its day."""
        files = list(binance_archive.list_files(http, bucket, "BTCUSDT", period="daily"))

        assert [(f.name, f.period, f.period_start) for f in files] == [
            ("BTCUSDT-1d-2025-02-01.zip", "daily", date(2025, 2, 1)),
            ("BTCUSDT-1d-2025-02-02.zip", "daily", date(2025, 2, 2)),
        ]

    def test_a_symbol_the_archive_lacks_has_no_files(self, http, bucket):
        """An empty listing is no files, not an error: the symbol never traded."""
        assert list(binance_archive.list_files(http, bucket, "XYZUSDT")) == []

    def test_a_key_that_is_not_a_kline_file_name_is_schema_drift(
        self, httpserver: HTTPServer, http, base_url
    ):
        """A daily-style name in the monthly folder raises drift naming Contents.Key."""
        key = f"{BTC_FOLDER}BTCUSDT-1d-2024-12-01.zip"
        httpserver.expect_request("/bucket").respond_with_handler(
            routes.s3_listing([key], max_keys=3)
        )

        with pytest.raises(SchemaDriftError, match="2024-12-01") as info:
            list(binance_archive.list_files(http, f"{base_url}/bucket", "BTCUSDT"))

        assert info.value.field == "Contents.Key"


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
