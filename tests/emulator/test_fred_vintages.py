"""FRED real-time periods on the emulator: first prints, revisions, clipping, by-vintage tables."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import requests

from emulator import serve_emulator
from tests.emulator.conftest import TODAY

EVER = {"realtime_start": "2015-01-01", "realtime_end": "9999-12-31"}


def _rows(fred, series_id: str = "WALCL", **params) -> list[dict]:
    body = fred(series_id=series_id, **params).json()
    return body["observations"]


def _revised_dates(fred, series_id: str, start: str) -> list[str]:
    """Observation dates since ``start`` that carry two real-time periods."""
    counts = Counter(r["date"] for r in _rows(fred, series_id, observation_start=start, **EVER))
    return sorted(d for d, n in counts.items() if n == 2)


class TestFirstPublication:
    def test_a_wednesday_walcl_appears_on_the_thursday_after(self, fred):
        """As known on Wed 2025-07-02 the last WALCL is 06-25; on Thu 07-03 it is 07-02."""
        on_wednesday = _rows(fred, realtime_start="2025-07-02", realtime_end="2025-07-02")
        on_thursday = _rows(fred, realtime_start="2025-07-03", realtime_end="2025-07-03")
        assert on_wednesday[-1]["date"] == "2025-06-25"
        assert on_thursday[-1]["date"] == "2025-07-02"
        assert on_thursday[-1]["realtime_start"] == "2025-07-03"

    def test_a_daily_rate_appears_the_next_day(self, fred):
        """DGS10 as known on 2025-07-08 ends with Monday 07-07."""
        rows = _rows(fred, "DGS10", realtime_start="2025-07-08", realtime_end="2025-07-08")
        assert rows[-1]["date"] == "2025-07-07"

    def test_an_unrevised_observation_has_one_period_open_to_9999(self, fred):
        """Over all real time, a never-revised WDTGAL row runs from its Thursday to 9999-12-31."""
        rows = _rows(fred, "WDTGAL", observation_start="2025-06-04", observation_end="2025-06-04",
                     **EVER)  # fmt: skip
        assert [(r["realtime_start"], r["realtime_end"]) for r in rows] == [
            ("2025-06-05", "9999-12-31")
        ]


class TestRevisions:
    def test_a_revised_observation_is_two_rows_with_adjacent_periods(self, fred):
        """First print from Thursday W+1 to W+7, the correction from W+8 on, values differ."""
        day = _revised_dates(fred, "WALCL", "2024-01-01")[0]
        first, second = _rows(fred, observation_start=day, observation_end=day, **EVER)
        wednesday = date.fromisoformat(day)
        assert (first["realtime_start"], first["realtime_end"]) == (
            str(wednesday + timedelta(days=1)),
            str(wednesday + timedelta(days=7)),
        )
        assert (second["realtime_start"], second["realtime_end"]) == (
            str(wednesday + timedelta(days=8)),
            "9999-12-31",
        )
        assert first["value"] != second["value"]
        today = _rows(fred, observation_start=day, observation_end=day)
        assert today[0]["value"] == second["value"]  # the default answer is the corrected one

    def test_a_small_share_of_balance_sheet_weeks_is_revised(self, fred):
        """WALCL and WSHOMCB: 2-12% of weeks since 2015 revised; the TGA series never."""
        for series_id in ("WALCL", "WSHOMCB"):
            weeks = len(_rows(fred, series_id))
            assert 0.02 < len(_revised_dates(fred, series_id, "2015-01-01")) / weeks < 0.12
        for series_id in ("WDTGAL", "WTREGEN", "RRPONTSYD"):
            assert _revised_dates(fred, series_id, "2015-01-01") == []

    def test_before_the_correction_the_default_answer_is_the_first_print(self, fred):
        """An emulator whose today falls between W+1 and W+8 still serves the first value."""
        day = _revised_dates(fred, "WALCL", "2024-01-01")[0]
        (first, _) = _rows(fred, observation_start=day, observation_end=day, **EVER)
        early_today = date.fromisoformat(day) + timedelta(days=3)
        with serve_emulator(today=early_today) as early:
            url = early.base_urls["fred_base_url"] + "/fred/series/observations"
            params = {"series_id": "WALCL", "api_key": "k", "observation_start": day,
                      "observation_end": day}  # fmt: skip
            (row,) = requests.get(url, params=params, timeout=5).json()["observations"]
        assert row["value"] == first["value"]

    def test_periods_are_clipped_to_the_requested_window(self, fred):
        """A 2023 observation asked about over 2024-H1 shows exactly that window."""
        rows = _rows(fred, observation_start="2023-06-07", observation_end="2023-06-07",
                     realtime_start="2024-01-01", realtime_end="2024-06-30")  # fmt: skip
        assert [(r["realtime_start"], r["realtime_end"]) for r in rows] == [
            ("2024-01-01", "2024-06-30")
        ]


class TestByVintage:
    def test_output_type_2_has_one_column_per_vintage_with_dots_before_publication(self, fred):
        """June 2025: one WALCL_YYYYMMDD column per vintage, starting with the one in force."""
        body = fred(series_id="WALCL", output_type=2, observation_start="2025-05-21",
                    realtime_start="2025-06-01", realtime_end="2025-06-30").json()  # fmt: skip
        assert body["output_type"] == 2
        rows = body["observations"]
        names = [k for k in rows[0] if k != "date"]
        assert names == ["WALCL_20250529", "WALCL_20250605", "WALCL_20250612", "WALCL_20250619",
                         "WALCL_20250626"]  # fmt: skip
        assert [r["date"] for r in rows] == ["2025-05-21", "2025-05-28", "2025-06-04",
                                             "2025-06-11", "2025-06-18", "2025-06-25"]  # fmt: skip
        last = rows[-1]  # 2025-06-25, first published 2025-06-26
        assert [last[n] for n in names[:-1]] == ["."] * 4 and last[names[-1]].isdigit()

    def test_a_revision_shows_as_a_changed_value_in_a_later_vintage(self, fred):
        """The revised week's value differs between its first and its correcting vintage."""
        day = _revised_dates(fred, "WALCL", "2024-01-01")[0]
        wednesday = date.fromisoformat(day)
        body = fred(series_id="WALCL", output_type=2, observation_start=day, observation_end=day,
                    realtime_start=str(wednesday + timedelta(days=1)),
                    realtime_end=str(wednesday + timedelta(days=8))).json()  # fmt: skip
        ((_, first), (_, corrected)) = list(body["observations"][0].items())[1:3]
        assert first != corrected

    def test_too_many_vintages_are_refused(self, fred):
        """DFF over ten years of real time would need thousands of columns: a 400."""
        response = fred(series_id="DFF", output_type=2, realtime_start="2015-01-01")
        assert response.status_code == 400
        assert "2000 vintage dates" in response.json()["error_message"]


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "fragment"),
        [
            pytest.param({"realtime_start": "2025-02-01", "realtime_end": "2025-01-01"},
                         "realtime_start date must be before", id="reversed_window"),
            pytest.param({"realtime_start": "2025-13-01"}, "not a valid YYYY-MM-DD",
                         id="bad_date"),
            pytest.param({"output_type": 9}, "one of the values: 1, 2, 3, 4", id="output_type_9"),
            pytest.param({"output_type": 3}, "output_type 1 and 2 only", id="unserved_type"),
        ],
    )  # fmt: skip
    def test_bad_real_time_parameters_are_fred_400s(self, fred, params, fragment):
        """Each bad parameter answers FRED's 400 body naming the problem."""
        response = fred(series_id="WALCL", **params)
        assert response.status_code == 400
        assert fragment in response.json()["error_message"]

    def test_the_default_window_is_today(self, fred):
        """Without realtime parameters the body echoes today for both ends."""
        body = fred(series_id="DFF", observation_start="2025-07-01").json()
        assert (body["realtime_start"], body["realtime_end"]) == (TODAY.isoformat(),) * 2
