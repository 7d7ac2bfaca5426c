"""The thesis chart: excess log return per leg with its 90% interval, one colour per horizon."""

from __future__ import annotations

import pytest

from rotation_analyst.thesis_charts import excess_chart, leg_rank
from tests.rotation_analyst.thesis_marts import thesis_connection


@pytest.fixture(scope="module")
def figure():
    with thesis_connection(count_episodes=10) as con:
        return excess_chart(con.sql("select * from marts.fct_thesis_test").pl())


class TestExcessChart:
    def test_one_trace_per_horizon_with_the_legs_in_reading_order(self, figure):
        assert [t.name for t in figure.data] == ["30 days", "60 days", "90 days", "180 days"]
        assert list(figure.data[2].x) == [
            "BTC vs R2K",
            "ETH vs BTC",
            "alts vs ETH",
            "BTC",
            "ETH",
            "alts",
        ]

    def test_the_error_bars_run_from_ci90_low_to_ci90_high(self, figure):
        """The fixture's interval is excess - 0.05 .. excess + 0.08 on every row."""
        bars = figure.data[2].error_y
        assert bars.symmetric is False
        assert bars.array == pytest.approx([0.08] * 6)
        assert bars.arrayminus == pytest.approx([0.05] * 6)
        # BTC vs R2K at 90 days: excess 0.10
        assert figure.data[2].y[0] == pytest.approx(0.10)

    def test_an_empty_test_table_still_draws_a_chart_saying_so(self):
        with thesis_connection() as con:
            empty = con.sql("select * from marts.fct_thesis_test limit 0").pl()
        fig = excess_chart(empty)
        assert fig.data == ()
        assert fig.layout.annotations[0].text == "no rows in this warehouse yet"

    def test_unknown_legs_sort_after_the_known_ones(self):
        assert [leg_rank(x) for x in ("btc_vs_rut", "alts", "sol")] == [0, 5, 6]
