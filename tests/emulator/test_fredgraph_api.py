"""The keyless fredgraph CSV on the emulator: both header generations, blanks, bounds, errors."""

from __future__ import annotations

import pytest
import requests

from emulator import serve_emulator
from tests.emulator.conftest import NOW, TODAY


def _csv(response: requests.Response) -> list[list[str]]:
    return [line.split(",") for line in response.text.splitlines()]


class TestCurrentHeader:
    def test_the_header_is_observation_date_and_the_series_id(self, fredgraph):
        """text/csv, `observation_date,WALCL`, then one Wednesday per line."""
        response = fredgraph(id="WALCL", cosd="2025-06-01", coed="2025-06-30")
        assert response.headers["Content-Type"] == "text/csv"
        rows = _csv(response)
        assert rows[0] == ["observation_date", "WALCL"]
        assert [r[0] for r in rows[1:]] == ["2025-06-04", "2025-06-11", "2025-06-18", "2025-06-25"]

    def test_values_equal_the_api_s_current_values(self, fredgraph, fred):
        """The CSV is the latest vintage: the same strings as series/observations today."""
        rows = _csv(fredgraph(id="WSHOMCB", cosd="2024-01-01", coed="2025-07-11"))[1:]
        api = fred(series_id="WSHOMCB", observation_start="2024-01-01").json()["observations"]
        assert rows == [[o["date"], o["value"]] for o in api]

    def test_a_missing_value_is_an_empty_cell(self, fredgraph):
        """RRPONTSYD on Christmas 2024: FRED's '.' becomes '' in the current format."""
        rows = dict(_csv(fredgraph(id="RRPONTSYD", cosd="2024-12-24", coed="2024-12-26"))[1:])
        assert rows["2024-12-25"] == ""
        assert float(rows["2024-12-24"]) >= 0

    def test_cosd_and_coed_bound_the_dates_inclusively(self, fredgraph):
        """DFF from 2025-07-01 to 2025-07-03: three lines."""
        rows = _csv(fredgraph(id="DFF", cosd="2025-07-01", coed="2025-07-03"))[1:]
        assert [r[0] for r in rows] == ["2025-07-01", "2025-07-02", "2025-07-03"]

    def test_without_bounds_the_whole_published_history_comes_back(self, fredgraph):
        """WALCL from its first 2015 Wednesday to the last one before today (07-09)."""
        rows = _csv(fredgraph(id="WALCL"))
        assert (rows[1][0], rows[-1][0]) == ("2015-01-07", "2025-07-09")

    def test_several_ids_make_one_column_each_joined_on_the_date(self, fredgraph):
        """WALCL is weekly, DGS10 daily: WALCL cells are empty on the other days."""
        rows = _csv(fredgraph(id="WALCL,DGS10", cosd="2025-07-07", coed="2025-07-09"))
        assert rows[0] == ["observation_date", "WALCL", "DGS10"]
        assert [(r[0], r[1] != "") for r in rows[1:]] == [
            ("2025-07-07", False),
            ("2025-07-08", False),
            ("2025-07-09", True),
        ]


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "status"),
        [
            pytest.param({"id": "NOPE"}, 404, id="unknown_series"),
            pytest.param({}, 400, id="no_id"),
            pytest.param({"id": "WALCL", "cosd": "July"}, 400, id="bad_date"),
        ],
    )
    def test_bad_requests_are_plain_text_errors(self, fredgraph, params, status):
        """No JSON here: a short text body and the HTTP status."""
        response = fredgraph(**params)
        assert (response.status_code, response.headers["Content-Type"]) == (status, "text/plain")
        assert response.text.startswith("Error:")


class TestOlderHeader:
    def test_the_switch_serves_date_headers_and_dots(self):
        """emulator.fredgraph_header = "DATE": `DATE,RRPONTSYD`, and '.' for missing."""
        with serve_emulator(today=TODAY, now=NOW) as emu:
            emu.fredgraph_header = "DATE"
            url = emu.base_urls["fredgraph_base_url"] + "/graph/fredgraph.csv"
            params = {"id": "RRPONTSYD", "cosd": "2024-12-24", "coed": "2024-12-26"}
            rows = _csv(requests.get(url, params=params, timeout=5))
        assert rows[0] == ["DATE", "RRPONTSYD"]
        assert dict(rows[1:])["2024-12-25"] == "."

    def test_an_unknown_header_form_is_refused(self, emu):
        """Only the two real header generations exist."""
        with pytest.raises(ValueError, match="fredgraph_header"):
            emu.fredgraph_header = "date"
        assert emu.fredgraph_header == "observation_date"
