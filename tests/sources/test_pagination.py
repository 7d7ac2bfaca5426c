"""The three paginators and the paginate driver, against a scripted fake client."""

from __future__ import annotations

from typing import Any

import pytest

from rotation_kernel.errors import SchemaDriftError
from sources._pagination import (
    OffsetPaginator,
    PageNumberPaginator,
    TimeCursorPaginator,
    paginate,
)


class ScriptedHttp:
    """Answers get_json from a list of pages, recording a copy of each request's params."""

    def __init__(self, pages: list[Any]) -> None:
        self.pages = list(pages)
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def get_json(self, url: str, params: dict[str, Any]) -> Any:
        self.requests.append((url, dict(params)))
        return self.pages.pop(0)


def dts_meta(total_pages: int) -> dict[str, Any]:
    return {"data": [], "meta": {"count": 0, "total-pages": total_pages}}


class TestPageNumberPaginator:
    def test_pages_are_numbered_from_1_until_total_pages(self):
        """total-pages 3 means requests for pages 1, 2 and 3, each with the page size."""
        http = ScriptedHttp([dts_meta(3)] * 3)

        list(paginate(http, "u", {}, PageNumberPaginator("treasury", page_size=50)))

        assert [p["page[number]"] for _, p in http.requests] == [1, 2, 3]
        assert {p["page[size]"] for _, p in http.requests} == {50}

    def test_an_empty_result_with_zero_pages_stops_after_page_1(self):
        """total-pages 0 (no rows) still costs only the first request."""
        http = ScriptedHttp([dts_meta(0)])

        pages = list(paginate(http, "u", {}, PageNumberPaginator("treasury", page_size=50)))

        assert len(pages) == 1

    def test_missing_total_pages_is_schema_drift(self):
        """A page without meta.total-pages raises SchemaDriftError naming that field."""
        paginator = PageNumberPaginator("treasury", page_size=50)

        with pytest.raises(SchemaDriftError, match=r"meta\.total-pages") as info:
            paginator.update_state({"data": [], "meta": {"count": 0}})

        assert info.value.source == "treasury"


class TestOffsetPaginator:
    def test_offsets_step_by_limit_while_offset_plus_limit_is_below_count(self):
        """count 5, limit 2: offsets 0, 2, 4 and then stop."""
        http = ScriptedHttp([{"count": 5}] * 3)

        list(paginate(http, "u", {"series_id": "WALCL"}, OffsetPaginator("fred", limit=2)))

        assert [p["offset"] for _, p in http.requests] == [0, 2, 4]
        assert all(p["limit"] == 2 and p["series_id"] == "WALCL" for _, p in http.requests)

    def test_an_exact_multiple_of_the_limit_needs_no_extra_request(self):
        """count 4, limit 2: offsets 0 and 2 only."""
        http = ScriptedHttp([{"count": 4}] * 2)

        list(paginate(http, "u", {}, OffsetPaginator("fred", limit=2)))

        assert [p["offset"] for _, p in http.requests] == [0, 2]

    def test_a_string_count_is_schema_drift(self):
        """count must be an integer; "5" raises SchemaDriftError naming count."""
        with pytest.raises(SchemaDriftError, match="'count'"):
            OffsetPaginator("fred", limit=2).update_state({"count": "5"})


class TestTimeCursorPaginator:
    def test_next_start_is_the_last_open_time_plus_1_ms(self):
        """A full page moves startTime to the last row's open time + 1."""
        paginator = TimeCursorPaginator("binance", start_ms=0, end_ms=10_000, limit=2)

        paginator.update_state([[100, "1"], [200, "2"]])
        params: dict[str, Any] = {}
        paginator.update_request(params)

        assert params == {"startTime": 201, "limit": 2}
        assert paginator.has_next_page is True

    def test_a_short_page_is_the_last(self):
        """Fewer rows than limit means the range is exhausted."""
        paginator = TimeCursorPaginator("binance", start_ms=0, end_ms=10_000, limit=2)

        paginator.update_state([[100, "1"]])

        assert paginator.has_next_page is False

    def test_a_next_start_past_end_time_stops(self):
        """A full page whose last open time is endTime leaves nothing to ask for."""
        paginator = TimeCursorPaginator("binance", start_ms=0, end_ms=200, limit=2)

        paginator.update_state([[100, "1"], [200, "2"]])

        assert paginator.has_next_page is False

    def test_a_cursor_that_does_not_advance_is_schema_drift(self):
        """A server that ignores startTime would loop forever; it raises instead."""
        paginator = TimeCursorPaginator("binance", start_ms=500, end_ms=10_000, limit=2)

        with pytest.raises(SchemaDriftError, match="did not advance"):
            paginator.update_state([[100, "1"], [200, "2"]])

    def test_an_object_instead_of_an_array_is_schema_drift(self):
        """An error-shaped object where rows belong raises SchemaDriftError."""
        paginator = TimeCursorPaginator("binance", start_ms=0, end_ms=10_000, limit=2)

        with pytest.raises(SchemaDriftError, match="array of rows"):
            paginator.update_state({"code": -1, "msg": "?"})


class TestPaginate:
    def test_pages_are_fetched_lazily_one_request_per_page(self):
        """Taking only the first page makes only the first request."""
        http = ScriptedHttp([{"count": 6}] * 3)
        pages = paginate(http, "u", {}, OffsetPaginator("fred", limit=2))

        first = next(pages)

        assert first == {"count": 6}
        assert len(http.requests) == 1

    def test_shared_params_are_not_mutated(self):
        """The caller's params dict stays as given; paging lives in a copy."""
        params = {"series_id": "WALCL"}
        http = ScriptedHttp([{"count": 1}])

        list(paginate(http, "u", params, OffsetPaginator("fred", limit=2)))

        assert params == {"series_id": "WALCL"}
