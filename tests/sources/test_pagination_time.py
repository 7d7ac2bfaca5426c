"""Time paging: fixed windows (Coinbase), the cursor on object rows (funding), epoch_s."""

from __future__ import annotations

from datetime import date

import pytest

from rotation_kernel.errors import SchemaDriftError
from sources._pagination import TimeCursorPaginator, TimeWindowPaginator, epoch_s, paginate

from .test_pagination import ScriptedHttp

DAY_S = 86_400
JAN_1_2024 = 1_704_067_200  # 2024-01-01 00:00:00 UTC


class TestEpochS:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            pytest.param(date(1970, 1, 2), DAY_S, id="one_day_after_the_epoch"),
            pytest.param(date(2024, 1, 1), JAN_1_2024, id="midnight_utc_not_local"),
        ],
    )
    def test_a_day_is_its_utc_midnight_in_seconds(self, day, expected):
        """The day's 00:00 UTC, whatever the machine's time zone."""
        assert epoch_s(day) == expected


class TestTimeWindowPaginator:
    def test_windows_cover_the_range_once_without_overlap(self):
        """7 days in 3-day windows: [1..3], [4..6], [7], each ending 1 s before the next."""
        http = ScriptedHttp([[]] * 3)
        paginator = TimeWindowPaginator(
            "coinbase", JAN_1_2024, JAN_1_2024 + 7 * DAY_S - 1, 3 * DAY_S
        )

        pages = list(paginate(http, "u", {"granularity": DAY_S}, paginator))

        assert len(pages) == 3
        assert [(p["start"], p["end"]) for _, p in http.requests] == [
            ("2024-01-01T00:00:00Z", "2024-01-03T23:59:59Z"),
            ("2024-01-04T00:00:00Z", "2024-01-06T23:59:59Z"),
            ("2024-01-07T00:00:00Z", "2024-01-07T23:59:59Z"),
        ]
        assert {p["granularity"] for _, p in http.requests} == {DAY_S}

    def test_an_empty_window_does_not_stop_the_walk(self):
        """No candles yet (before a listing) is not the end: the next window is still asked."""
        http = ScriptedHttp([[], [[JAN_1_2024 + 2 * DAY_S, 1, 2, 1, 2, 5]]])
        paginator = TimeWindowPaginator(
            "coinbase", JAN_1_2024, JAN_1_2024 + 4 * DAY_S - 1, 2 * DAY_S
        )

        pages = list(paginate(http, "u", {}, paginator))

        assert [len(page) for page in pages] == [0, 1]

    def test_a_page_that_is_not_an_array_is_schema_drift(self):
        """An error object where rows belong raises SchemaDriftError at <root>."""
        paginator = TimeWindowPaginator("coinbase", JAN_1_2024, JAN_1_2024 + DAY_S, DAY_S)

        with pytest.raises(SchemaDriftError, match="array of rows") as info:
            paginator.update_state({"message": "NotFound"})

        assert (info.value.source, info.value.field) == ("coinbase", "<root>")


class TestTimeCursorPaginatorOnObjects:
    def test_the_cursor_reads_the_named_field_of_object_rows(self):
        """time_key="fundingTime": the next startTime is the last row's fundingTime + 1 ms."""
        rows = [{"fundingTime": 1_000 + i} for i in range(2)]
        http = ScriptedHttp([rows, []])
        paginator = TimeCursorPaginator(
            "binance_futures", start_ms=0, end_ms=10_000, limit=2, time_key="fundingTime"
        )

        list(paginate(http, "u", {}, paginator))

        assert [p["startTime"] for _, p in http.requests] == [0, 1_002]

    def test_a_row_without_the_field_is_drift_naming_it(self):
        """A full page whose last row lacks fundingTime raises SchemaDriftError for fundingTime."""
        paginator = TimeCursorPaginator(
            "binance_futures", start_ms=0, end_ms=10_000, limit=1, time_key="fundingTime"
        )

        with pytest.raises(SchemaDriftError, match="epoch ms") as info:
            paginator.update_state([{"fundingRate": "0.0001"}])

        assert info.value.field == "fundingTime"
