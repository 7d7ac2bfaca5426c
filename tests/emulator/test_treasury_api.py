"""Fiscal Data DTS operating cash balance on the emulator: eras, values, filters, page paging."""

from __future__ import annotations

import math

import pytest

OPENING = "Treasury General Account (TGA) Opening Balance"
CLOSING = "Treasury General Account (TGA) Closing Balance"


def _day(dts, day: str) -> list[dict]:
    return dts(filter=f"record_date:eq:{day}").json()["data"]


class TestEras:
    @pytest.mark.parametrize(
        ("day", "accounts"),
        [
            pytest.param(
                "2021-09-30",
                [
                    "Federal Reserve Account",
                    "Tax and Loan Note Accounts",
                    "Total Operating Balance",
                ],
                id="dts_era_1_last_day",
            ),
            pytest.param(
                "2021-10-01",
                ["Treasury General Account (TGA)", "Total Operating Balance"],
                id="dts_era_2_first_day",
            ),
            pytest.param(
                "2022-04-15",  # Good Friday: the DTS is still published
                ["Treasury General Account (TGA)", "Total Operating Balance"],
                id="dts_era_2_last_day",
            ),
            pytest.param(
                "2022-04-18",
                [
                    OPENING,
                    "Total TGA Deposits (Table II)",
                    "Total TGA Withdrawals (Table II) (-)",
                    CLOSING,
                ],
                id="dts_era_3_first_day",
            ),
        ],
    )
    def test_account_rows_change_at_the_era_boundaries(self, dts, day, accounts):
        """Each era has its own account names, in source-line order."""
        rows = _day(dts, day)
        assert [r["account_type"] for r in rows] == accounts
        assert [r["src_line_nbr"] for r in rows] == [str(i) for i in range(1, len(accounts) + 1)]

    @pytest.mark.parametrize(
        ("day", "previous", "account"),
        [
            pytest.param("2021-09-30", "2021-09-29", "Federal Reserve Account", id="dts_era_1"),
            pytest.param(
                "2022-04-15", "2022-04-14", "Treasury General Account (TGA)", id="dts_era_2"
            ),
        ],
    )
    def test_before_2022_04_18_the_balance_is_in_close_today_bal(self, dts, day, previous, account):
        """The TGA row's close_today_bal is a number; open_today_bal is the day before's close."""
        row = next(r for r in _day(dts, day) if r["account_type"] == account)
        before = next(r for r in _day(dts, previous) if r["account_type"] == account)
        assert float(row["close_today_bal"]) >= 50_000
        assert row["open_today_bal"] == before["close_today_bal"]

    def test_from_2022_04_18_close_today_bal_is_the_string_null(self, dts):
        """All four rows send "null"; the closing balance is in open_today_bal, month, year."""
        rows = _day(dts, "2025-07-08")
        assert {r["close_today_bal"] for r in rows} == {"null"}
        closing = rows[3]
        balance = closing["open_today_bal"]
        assert float(balance) >= 50_000
        assert closing["open_month_bal"] == closing["open_fiscal_year_bal"] == balance

    def test_opening_plus_deposits_minus_withdrawals_is_the_closing_balance(self, dts):
        """The four era-3 rows add up, and tomorrow opens at today's close."""
        opening, deposits, withdrawals, closing = (
            float(r["open_today_bal"]) for r in _day(dts, "2025-07-08")
        )
        assert opening + deposits - withdrawals == closing
        assert float(_day(dts, "2025-07-09")[0]["open_today_bal"]) == closing

    def test_month_opening_is_the_close_of_the_last_business_day_before(self, dts):
        """open_month_bal on the July opening row = the 2025-06-30 close."""
        june_close = float(_day(dts, "2025-06-30")[3]["open_today_bal"])
        assert float(_day(dts, "2025-07-08")[0]["open_month_bal"]) == june_close

    def test_every_value_is_a_string(self, dts):
        """The wire sends strings only, as the real API does."""
        for row in _day(dts, "2021-09-30") + _day(dts, "2025-07-08"):
            assert all(isinstance(v, str) for v in row.values())


class TestCalendar:
    def test_only_business_days_before_today_have_statements(self, dts):
        """07-04 is a holiday, 07-05/06 a weekend, and today's (07-11) statement is not out."""
        rows = dts(filter="record_date:gte:2025-07-03", **{"page[size]": 1000}).json()["data"]
        assert sorted({r["record_date"] for r in rows}) == [
            "2025-07-03", "2025-07-07", "2025-07-08", "2025-07-09", "2025-07-10",
        ]  # fmt: skip


class TestQuery:
    def test_pages_walk_the_range_and_total_pages_matches(self, dts):
        """Pages of 7 over two weeks concatenate to the one-page answer; links step along."""
        flt = "record_date:gte:2022-04-11,record_date:lte:2022-04-22"
        whole = dts(filter=flt, sort="record_date", **{"page[size]": 10000}).json()
        total = whole["meta"]["total-count"]
        assert total == 5 * 2 + 5 * 4  # five era-2 days (2 rows), five era-3 days (4 rows)
        pages = math.ceil(total / 7)
        collected = []
        for number in range(1, pages + 1):
            page = dts(
                filter=flt, sort="record_date", **{"page[number]": number, "page[size]": 7}
            ).json()
            assert (page["meta"]["total-count"], page["meta"]["total-pages"]) == (total, pages)
            assert page["meta"]["count"] == len(page["data"])
            collected.extend(page["data"])
        assert collected == whole["data"]
        assert page["links"]["next"] is None
        assert page["links"]["last"] == f"&page%5Bnumber%5D={pages}&page%5Bsize%5D=7"

    def test_the_default_page_size_is_100_rows(self, dts):
        """Without page[size] a long range comes back 100 rows at a time."""
        body = dts(filter="record_date:gte:2020-01-01,record_date:lte:2020-12-31").json()
        assert body["meta"]["count"] == 100
        assert body["links"]["next"] == "&page%5Bnumber%5D=2&page%5Bsize%5D=100"

    def test_minus_record_date_sorts_the_newest_statement_first(self, dts):
        """sort=-record_date puts the newest statement first."""
        rows = dts(filter="record_date:gte:2025-07-01", sort="-record_date").json()["data"]
        assert rows[0]["record_date"] == "2025-07-10"

    def test_a_malformed_filter_is_a_400_invalid_query_param(self, dts):
        """The API's own error shape, naming the bad clause."""
        response = dts(filter="record_date:gte")
        assert response.status_code == 400
        assert response.json()["error"] == "Invalid Query Param"
        assert "record_date:gte" in response.json()["message"]

    def test_meta_labels_and_formats_match_the_real_api(self, dts):
        """Labels and formats for the balance columns, as Fiscal Data documents them."""
        meta = dts(filter="record_date:eq:2025-07-08").json()["meta"]
        assert meta["labels"]["open_today_bal"] == "Opening Balance Today"
        assert meta["dataTypes"]["close_today_bal"] == "CURRENCY0"
        assert meta["dataFormats"]["open_month_bal"] == "$1,000,000"
