"""Archive files: paged XML listings of symbols and zips, and which files a window reads."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import SchemaDriftError
from sources._archive_files import (
    ArchiveFile,
    files_for_window,
    list_files,
    list_symbols,
    next_uncovered_month,
    period_end,
)

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
DEC_FILE = ArchiveFile(
    f"{BTC_FOLDER}BTCUSDT-1d-2024-12.zip", "BTCUSDT", "monthly", date(2024, 12, 1)
)


@pytest.fixture
def bucket(httpserver: HTTPServer, base_url: str) -> str:
    """The bucket listing on the local server, three entries a page."""
    httpserver.expect_request("/data.binance.vision").respond_with_handler(
        routes.s3_listing(BUCKET, max_keys=3)
    )
    return f"{base_url}/data.binance.vision"


class TestListSymbols:
    def test_a_listing_over_three_pages_yields_every_symbol_following_next_marker(
        self, httpserver: HTTPServer, http, bucket
    ):
        """Seven symbol folders at three a page: pages of 3, 3 and 1, each after NextMarker."""
        symbols = list(list_symbols(http, bucket))

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
        symbols = list(list_symbols(http, bucket, max_keys=2))

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
            list(list_symbols(http, f"{base_url}/bucket"))

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
            list(list_symbols(http, f"{base_url}/bucket"))

        assert info.value.field == field


class TestListFiles:
    def test_monthly_files_of_a_symbol_skip_checksums_and_carry_their_month(
        self, httpserver: HTTPServer, http, bucket
    ):
        """Four zips and three .CHECKSUMs over three pages: the four zips, oldest first."""
        files = list(list_files(http, bucket, "BTCUSDT"))

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
        files = list(list_files(http, bucket, "BTCUSDT", period="daily"))

        assert [(f.name, f.period, f.period_start) for f in files] == [
            ("BTCUSDT-1d-2025-02-01.zip", "daily", date(2025, 2, 1)),
            ("BTCUSDT-1d-2025-02-02.zip", "daily", date(2025, 2, 2)),
        ]

    def test_a_symbol_the_archive_lacks_has_no_files(self, http, bucket):
        """An empty listing is no files, not an error: the symbol never traded."""
        assert list(list_files(http, bucket, "XYZUSDT")) == []

    def test_a_key_that_is_not_a_kline_file_name_is_schema_drift(
        self, httpserver: HTTPServer, http, base_url
    ):
        """A daily-style name in the monthly folder raises drift naming Contents.Key."""
        key = f"{BTC_FOLDER}BTCUSDT-1d-2024-12-01.zip"
        httpserver.expect_request("/bucket").respond_with_handler(
            routes.s3_listing([key], max_keys=3)
        )

        with pytest.raises(SchemaDriftError, match="2024-12-01") as info:
            list(list_files(http, f"{base_url}/bucket", "BTCUSDT"))

        assert info.value.field == "Contents.Key"


def _monthly(year: int, month: int) -> ArchiveFile:
    label = f"{year}-{month:02d}"
    key = f"data/spot/monthly/klines/FTTUSDT/1d/FTTUSDT-1d-{label}.zip"
    return ArchiveFile(key, "FTTUSDT", "monthly", date(year, month, 1))


def _daily(day: date) -> ArchiveFile:
    key = f"data/spot/daily/klines/FTTUSDT/1d/FTTUSDT-1d-{day.isoformat()}.zip"
    return ArchiveFile(key, "FTTUSDT", "daily", day)


def test_a_monthly_file_ends_on_the_last_day_of_its_month_and_a_daily_file_on_its_day():
    assert period_end(_monthly(2024, 2)) == date(2024, 2, 29)
    assert period_end(_monthly(2022, 12)) == date(2022, 12, 31)
    assert period_end(_daily(date(2022, 6, 5))) == date(2022, 6, 5)


def test_complete_months_are_read_from_monthly_files_and_the_current_month_from_daily_files():
    monthly = [_monthly(2022, 9), _monthly(2022, 10), _monthly(2022, 11)]
    daily = [_daily(date(2022, 11, d)) for d in range(1, 31)]
    daily += [_daily(date(2022, 12, d)) for d in range(1, 6)]

    chosen = files_for_window(monthly, daily, date(2022, 10, 28), date(2022, 12, 3))

    assert [f.name for f in chosen] == [
        "FTTUSDT-1d-2022-10.zip",
        "FTTUSDT-1d-2022-11.zip",
        "FTTUSDT-1d-2022-12-01.zip",
        "FTTUSDT-1d-2022-12-02.zip",
        "FTTUSDT-1d-2022-12-03.zip",
    ]


def test_daily_files_are_listed_from_the_first_month_without_a_monthly_file():
    monthly = [_monthly(2022, 10), _monthly(2022, 11)]

    assert next_uncovered_month(monthly, date(2022, 10, 28)) == date(2022, 12, 1)
    assert next_uncovered_month(monthly, date(2022, 12, 2)) == date(2022, 12, 1)
    assert next_uncovered_month([], date(2022, 10, 28)) == date(2022, 10, 1)
