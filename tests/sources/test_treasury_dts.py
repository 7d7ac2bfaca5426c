"""Treasury DTS operating cash balance: "null" strings, the three TGA eras, page-number paging."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from pytest_httpserver import HTTPServer

from rotation_kernel.errors import ConfigError, SchemaDriftError, SourceAPIError
from sources import treasury_dts as dts

from . import routes, wire
from .conftest import TREASURY_PREFIX
from .pages import typed_pages, typed_raw

OCB_PATH = TREASURY_PREFIX + dts.ENDPOINT


def split_era_day(day: date, close: int) -> list[dict[str, str]]:
    """The four rows a day has had since 2022-04-18; every close_today_bal is "null"."""
    return [
        wire.dts_row(day, dts.ACCOUNT_TGA_OPENING, open_today=str(close - 100), src_line_nbr=1),
        wire.dts_row(day, dts.ACCOUNT_TGA_DEPOSITS, open_today="40000", src_line_nbr=2),
        wire.dts_row(day, dts.ACCOUNT_TGA_WITHDRAWALS, open_today="39900", src_line_nbr=3),
        wire.dts_row(
            day,
            dts.ACCOUNT_TGA_CLOSING,
            open_today=str(close),
            open_month=str(close),
            open_fiscal_year=str(close),
            src_line_nbr=4,
        ),
    ]


def weekdays(first: date, count: int) -> list[date]:
    days = [first + timedelta(days=i) for i in range(count * 2)]
    return [d for d in days if d.weekday() < 5][:count]


class TestEras:
    def test_eras_follow_each_other_without_gap_or_overlap(self):
        """Each era starts the day after the previous one ends."""
        for earlier, later in zip(dts.ERAS, dts.ERAS[1:], strict=False):
            assert earlier.last_date + timedelta(days=1) == later.first_date

    @pytest.mark.parametrize(
        ("era", "account_type", "balance_field"),
        [
            pytest.param(0, "Federal Reserve Account", "close_today_bal", id="dts_era_1"),
            pytest.param(1, "Treasury General Account (TGA)", "close_today_bal", id="dts_era_2"),
            pytest.param(
                2,
                "Treasury General Account (TGA) Closing Balance",
                "open_today_bal",
                id="dts_era_3",
            ),
        ],
    )
    def test_each_era_names_where_the_closing_balance_sits(self, era, account_type, balance_field):
        """Staging reads the era table to stitch one daily TGA series."""
        assert dts.ERAS[era].account_type == account_type
        assert dts.ERAS[era].balance_field == balance_field


def typed(tmp_path, *pages):
    return typed_pages(dts.CONTRACT, dts.cash_balance_reader(), tmp_path, *pages)


class TestCashBalanceReader:
    def test_returns_exactly_the_contract_schema_in_usd_millions(self, tmp_path):
        """Amounts stay in USD millions as sent; src_line_nbr becomes an Int32."""
        frame = typed(tmp_path, wire.dts_page(split_era_day(date(2025, 7, 7), 332_482)))

        assert frame.schema == pl.Schema(dts.CONTRACT.schema)
        closing = frame.filter(pl.col("account_type") == dts.ACCOUNT_TGA_CLOSING)
        assert closing.row(0, named=True) == {
            "record_date": date(2025, 7, 7),
            "account_type": dts.ACCOUNT_TGA_CLOSING,
            "close_today_bal": None,
            "open_today_bal": 332_482.0,
            "open_month_bal": 332_482.0,
            "open_fiscal_year_bal": 332_482.0,
            "table_nbr": "I",
            "src_line_nbr": 4,
        }

    def test_the_string_null_becomes_null(self, tmp_path):
        """Fiscal Data's "null" string parses to a real null, other amounts to floats."""
        row = wire.dts_row(date(2025, 7, 7), dts.ACCOUNT_TGA_DEPOSITS, open_today="38702")

        frame = typed(tmp_path, wire.dts_page([row]))

        assert frame["close_today_bal"].to_list() == [None]
        assert frame["open_month_bal"].to_list() == [None]
        assert frame["open_today_bal"].to_list() == [38_702.0]

    def test_all_three_eras_are_kept_as_sent(self, tmp_path):
        """One row per old era plus the four split-era rows: six rows, nothing stitched."""
        rows = [
            wire.dts_row(
                date(2021, 9, 30), dts.ACCOUNT_FEDERAL_RESERVE, close_today="215000", src_line_nbr=1
            ),
            wire.dts_row(date(2021, 10, 1), dts.ACCOUNT_TGA, close_today="173000"),
            *split_era_day(date(2022, 4, 18), 935_000),
        ]

        frame = typed(tmp_path, wire.dts_page(rows))

        assert frame.select("record_date", "account_type", "close_today_bal").rows() == [
            (date(2021, 9, 30), "Federal Reserve Account", 215_000.0),
            (date(2021, 10, 1), "Treasury General Account (TGA)", 173_000.0),
            (date(2022, 4, 18), "Treasury General Account (TGA) Opening Balance", None),
            (date(2022, 4, 18), "Total TGA Deposits (Table II)", None),
            (date(2022, 4, 18), "Total TGA Withdrawals (Table II) (-)", None),
            (date(2022, 4, 18), "Treasury General Account (TGA) Closing Balance", None),
        ]
        assert frame["open_today_bal"].to_list()[-1] == 935_000.0

    def test_a_missing_field_is_schema_drift(self, tmp_path):
        """A row without open_today_bal raises SchemaDriftError naming it."""
        row = wire.dts_row(date(2025, 7, 7), dts.ACCOUNT_TGA_CLOSING, open_today="1")
        del row["open_today_bal"]

        with pytest.raises(SchemaDriftError, match="missing or null") as info:
            typed(tmp_path, wire.dts_page([row]))

        assert (info.value.source, info.value.field) == ("treasury", "data[].open_today_bal")

    def test_an_amount_with_thousands_separators_is_schema_drift(self, tmp_path):
        """ "332,482" is not the plain number the API promises: drift, not a null."""
        row = wire.dts_row(date(2025, 7, 7), dts.ACCOUNT_TGA_CLOSING, open_today="332,482")

        with pytest.raises(SchemaDriftError, match="332,482") as info:
            typed(tmp_path, wire.dts_page([row]))

        assert info.value.field == "data[].open_today_bal"

    def test_an_amount_sent_as_a_json_number_is_parsed_not_refused(self, tmp_path):
        """38702 (a number, not "38702") is still USD 38,702 million, never a wrong value."""
        row = wire.dts_row(date(2025, 7, 7), dts.ACCOUNT_TGA_DEPOSITS, open_today="1")
        row["open_today_bal"] = 38702

        frame = typed(tmp_path, wire.dts_page([row]))

        assert frame["open_today_bal"].to_list() == [38_702.0]

    def test_an_extra_field_is_ignored(self, tmp_path):
        """A new field upstream (here "transaction_type") does not stop the load."""
        row = wire.dts_row(date(2025, 7, 7), dts.ACCOUNT_TGA_DEPOSITS, open_today="38702")

        frame = typed(tmp_path, wire.dts_page([{**row, "transaction_type": "Deposits"}]))

        assert frame.columns == list(dts.CONTRACT.schema)
        assert frame["open_today_bal"].to_list() == [38_702.0]

    def test_a_renamed_field_is_schema_drift_naming_the_old_name(self, tmp_path):
        """record_date renamed to recordDate: the contract's field is missing."""
        row = wire.dts_row(date(2025, 7, 7), dts.ACCOUNT_TGA_DEPOSITS, open_today="38702")
        row["recordDate"] = row.pop("record_date")

        with pytest.raises(SchemaDriftError, match="missing or null") as info:
            typed(tmp_path, wire.dts_page([row]))

        assert info.value.field == "data[].record_date"

    def test_a_page_without_data_is_schema_drift(self, tmp_path):
        """An envelope without the data list raises SchemaDriftError naming data."""
        with pytest.raises(SchemaDriftError, match="'data'"):
            typed(tmp_path, {"meta": {"total-pages": 0}})


class TestFetchOperatingCashBalance:
    def test_pages_follow_total_pages(self, httpserver: HTTPServer, http):
        """Seven days of four rows with page[size]=10 come as pages of 10, 10 and 8."""
        rows = [r for d in weekdays(date(2025, 7, 7), 7) for r in split_era_day(d, 300_000)]
        httpserver.expect_request(OCB_PATH).respond_with_handler(
            routes.dts_operating_cash_balance(rows)
        )

        pages = list(
            dts.fetch_operating_cash_balance(
                http,
                httpserver.url_for(TREASURY_PREFIX),
                date(2025, 7, 1),
                date(2025, 7, 31),
                page_size=10,
            )
        )

        assert [len(page["data"]) for _, page in pages] == [10, 10, 8]
        assert [body[:10] for body, _ in pages] == [b'{"data": ['] * 3  # bytes as received
        args = [request.args for request, _ in httpserver.log]
        assert [a["page[number]"] for a in args] == ["1", "2", "3"]
        assert args[0]["filter"] == "record_date:gte:2025-07-01,record_date:lte:2025-07-31"
        assert args[0]["sort"] == "record_date"
        assert args[0]["page[size]"] == "10"


class TestExtract:
    def test_pages_hold_every_row_in_the_window(
        self, httpserver: HTTPServer, http, settings, tmp_path
    ):
        """The base URL's path prefix is kept and the 5-day window gives 20 rows."""
        rows = [r for d in weekdays(date(2025, 7, 7), 5) for r in split_era_day(d, 300_000)]
        httpserver.expect_request(OCB_PATH).respond_with_handler(
            routes.dts_operating_cash_balance(rows)
        )

        pages = list(dts.extract(http, settings, dts.RESOURCE, date(2025, 7, 7), date(2025, 7, 11)))
        frame = typed_raw(dts.CONTRACT, pages, tmp_path)

        assert [p.rows for p in pages] == [20]
        assert frame.height == 20
        assert frame["record_date"].n_unique() == 5

    def test_a_weekend_window_yields_nothing(self, httpserver: HTTPServer, http, settings):
        """No statement on Saturday and Sunday is not an error."""
        rows = split_era_day(date(2025, 7, 11), 300_000)
        httpserver.expect_request(OCB_PATH).respond_with_handler(
            routes.dts_operating_cash_balance(rows)
        )

        frames = list(
            dts.extract(http, settings, dts.RESOURCE, date(2025, 7, 12), date(2025, 7, 13))
        )

        assert frames == []

    def test_an_error_payload_raises_at_once(self, httpserver: HTTPServer, http, settings):
        """HTTP 400 {"error": "Invalid Query Param"} is SourceAPIError after one request."""
        httpserver.expect_request(OCB_PATH).respond_with_json(
            wire.dts_error("Invalid filter field 'record_dat'"), status=400
        )

        with pytest.raises(SourceAPIError, match="Invalid Query Param") as info:
            list(dts.extract(http, settings, dts.RESOURCE, date(2025, 7, 7), date(2025, 7, 11)))

        assert info.value.status == 400
        assert len(httpserver.log) == 1

    def test_an_unknown_stream_is_a_config_error(self, http, settings):
        """The endpoint has one stream; any other name is a configuration mistake."""
        with pytest.raises(ConfigError, match="'deposits_withdrawals'"):
            list(
                dts.extract(
                    http, settings, "deposits_withdrawals", date(2025, 7, 7), date(2025, 7, 11)
                )
            )
