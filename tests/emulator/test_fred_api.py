"""FRED series/observations on the emulator: keys, errors, missing values, paging, weekly dating."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.emulator.conftest import TODAY

BODY_KEYS = [
    "realtime_start", "realtime_end", "observation_start", "observation_end", "units",
    "output_type", "file_type", "order_by", "sort_order", "count", "offset", "limit",
    "observations",
]  # fmt: skip


class TestErrors:
    @pytest.mark.parametrize("key", [None, ""], ids=["missing_key", "empty_key"])
    def test_a_request_without_an_api_key_is_refused_with_fred_s_400_body(self, fred, key):
        """FRED's exact error JSON, HTTP 400."""
        response = fred(series_id="WALCL", api_key=key)
        assert response.status_code == 400
        assert response.json() == {
            "error_code": 400,
            "error_message": "Bad Request.  Variable api_key is not set. Read "
            "https://research.stlouisfed.org/docs/api/api_key.html for more information.",
        }

    def test_an_unknown_series_is_a_400_that_says_it_does_not_exist(self, fred):
        """FRED answers 400, not 404, for a series it does not know."""
        response = fred(series_id="NOPE")
        assert response.status_code == 400
        assert response.json() == {
            "error_code": 400,
            "error_message": "Bad Request.  The series does not exist.",
        }

    def test_a_limit_above_100000_is_refused(self, fred):
        """FRED caps limit at 100000."""
        response = fred(series_id="WALCL", limit=100_001)
        assert (response.status_code, response.json()["error_code"]) == (400, 400)

    def test_answers_are_served_as_application_json(self, fred):
        """Every answer is JSON."""
        assert fred(series_id="WALCL", limit=1).headers["Content-Type"] == "application/json"


class TestBody:
    def test_the_body_has_fred_s_keys_and_realtime_dates_of_today(self, fred):
        """Top-level keys in FRED's order; realtime_start/end and each observation's are today."""
        body = fred(series_id="WALCL", observation_start="2025-01-01").json()
        assert list(body) == BODY_KEYS
        assert (body["realtime_start"], body["realtime_end"]) == (TODAY.isoformat(),) * 2
        first = body["observations"][0]
        assert first == {
            "realtime_start": "2025-07-11",
            "realtime_end": "2025-07-11",
            "date": "2025-01-01",  # a Wednesday
            "value": first["value"],
        }
        assert first["value"].isdigit()  # USD mn, sent as a string without decimals

    def test_rrp_has_a_dot_on_holidays_and_three_decimals_on_business_days(self, fred):
        """Christmas and New Year's Day carry '.'; the days around them carry numbers."""
        body = fred(
            series_id="RRPONTSYD", observation_start="2024-12-24", observation_end="2025-01-02"
        ).json()
        values = {o["date"]: o["value"] for o in body["observations"]}
        assert values["2024-12-25"] == "."
        assert values["2025-01-01"] == "."
        assert "2024-12-28" not in values  # weekends have no row at all
        assert len(values["2024-12-24"].split(".")[1]) == 3
        assert float(values["2024-12-26"]) >= 0

    @pytest.mark.parametrize(
        "series_id", ["WALCL", "WSHOMCB", "WDTGAL", "WTREGEN"], ids=lambda s: s.lower()
    )
    def test_weekly_series_are_wednesdays_up_to_the_last_one_before_today(self, fred, series_id):
        """Today is Friday 2025-07-11, so the newest observation is Wednesday 2025-07-09."""
        body = fred(series_id=series_id, observation_start="2025-01-01").json()
        dates = [date.fromisoformat(o["date"]) for o in body["observations"]]
        assert {d.weekday() for d in dates} == {2}
        assert dates[-1] == date(2025, 7, 9)

    def test_wtregen_is_the_thursday_to_wednesday_average_of_wdtgal_style_closes(self, fred, dts):
        """WTREGEN on 2025-07-09 = mean of the 7 daily TGA closes (weekend/holiday carried)."""
        rows = dts(
            filter="record_date:gte:2025-07-02,record_date:lte:2025-07-09,"
            "account_type:eq:Treasury General Account (TGA) Closing Balance",
            **{"page[size]": 100},
        ).json()["data"]
        close = {r["record_date"]: float(r["open_today_bal"]) for r in rows}
        # Thu 07-03 .. Wed 07-09; Fri 07-04 (holiday), Sat and Sun carry Thursday's close.
        week = [close["2025-07-03"]] * 4 + [close[f"2025-07-0{d}"] for d in (7, 8, 9)]
        body = fred(series_id="WTREGEN", observation_start="2025-07-09").json()
        assert float(body["observations"][0]["value"]) == pytest.approx(sum(week) / 7, abs=0.5)


class TestPaging:
    def test_offset_pages_concatenate_to_the_full_series(self, fred):
        """Pages of 250 walk the whole RRP history; count is the total on every page."""
        full = fred(series_id="RRPONTSYD").json()
        pages, offset = [], 0
        while True:
            page = fred(series_id="RRPONTSYD", limit=250, offset=offset).json()
            assert (page["count"], page["limit"], page["offset"]) == (full["count"], 250, offset)
            if not page["observations"]:
                break
            pages.extend(page["observations"])
            offset += 250
        assert pages == full["observations"]
        assert full["count"] == len(full["observations"]) > 2700

    def test_desc_order_reverses_the_rows(self, fred):
        """sort_order=desc returns the newest first."""
        asc = fred(series_id="WALCL", observation_start="2025-06-01").json()["observations"]
        desc = fred(series_id="WALCL", observation_start="2025-06-01", sort_order="desc").json()[
            "observations"
        ]
        assert desc == asc[::-1]


class TestRates:
    def test_dff_is_a_seven_day_series_without_missing_values(self, fred):
        """Every calendar day has a fed funds value, holidays and weekends included."""
        body = fred(series_id="DFF", observation_start="2024-12-21", observation_end="2025-01-05")
        rows = body.json()["observations"]
        assert [r["date"] for r in rows] == [
            str(date(2024, 12, 21) + timedelta(days=i)) for i in range(16)
        ]
        assert all(r["value"] != "." for r in rows)

    @pytest.mark.parametrize("series_id", ["DGS10", "DTB3"], ids=str.lower)
    def test_treasury_rates_are_weekdays_with_a_dot_on_holidays(self, fred, series_id):
        """Christmas 2024 is '.', weekends have no row, values carry two decimals."""
        rows = fred(
            series_id=series_id, observation_start="2024-12-23", observation_end="2024-12-29"
        ).json()["observations"]
        values = {r["date"]: r["value"] for r in rows}
        assert list(values) == ["2024-12-23", "2024-12-24", "2024-12-25", "2024-12-26",
                                "2024-12-27"]  # fmt: skip
        assert values["2024-12-25"] == "."
        assert len(values["2024-12-24"].split(".")[1]) == 2

    @pytest.mark.parametrize(
        ("day", "low", "high"),
        [
            # Zero bound after March 2020, the 5.25-5.50 range from July 2023, cuts from Sep 2024.
            pytest.param("2021-06-15", 0.0, 0.15, id="zero_bound"),
            pytest.param("2023-09-14", 5.25, 5.40, id="plateau"),
            pytest.param("2025-01-15", 4.25, 4.40, id="after_cuts"),
        ],
    )
    def test_fed_funds_follows_the_policy_path(self, fred, day, low, high):
        """DFF (percent) on a few dates of the 2015-2025-shaped path."""
        (row,) = fred(series_id="DFF", observation_start=day, observation_end=day).json()[
            "observations"
        ]
        assert low <= float(row["value"]) <= high

    def test_bills_price_the_2022_hikes_before_fed_funds_moves(self, fred):
        """On 2022-03-01, before liftoff, DTB3 is already above DFF."""
        day = {"observation_start": "2022-03-01", "observation_end": "2022-03-01"}
        dff = float(fred(series_id="DFF", **day).json()["observations"][0]["value"])
        dtb3 = float(fred(series_id="DTB3", **day).json()["observations"][0]["value"])
        assert dtb3 > dff + 0.1
