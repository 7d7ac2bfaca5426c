"""The report's opening section: the verdict first, then episodes, the test, order, sensitivity."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import polars as pl
import pytest

from rotation_analyst.report import render_report
from rotation_analyst.thesis_report import (
    episodes_table,
    headline,
    is_insufficient,
    ordering_reading,
    sensitivity_grids,
    thesis_section,
    verdict_table,
)
from tests.rotation_analyst.thesis_marts import thesis_connection

INSUFFICIENT = (
    "Insufficient evidence: only 3 independent episodes since 2016-01-04; the thesis can be "
    "neither supported nor rejected. The episodes are listed one by one below."
)


@pytest.fixture(scope="module")
def few():
    """Three episodes: every verdict 'insufficient', q NULL."""
    con = thesis_connection(count_episodes=3)
    yield con
    con.close()


@pytest.fixture(scope="module")
def many():
    """Ten episodes: BTC vs R2K 'evidence for' and alts vs ETH 'evidence against' at 90 days."""
    con = thesis_connection(count_episodes=10)
    yield con
    con.close()


class TestHeadline:
    def test_the_page_opens_with_the_insufficient_message_when_every_row_is_insufficient(self, few):
        page = render_report(few)
        headline = re.search(
            r'<p class="headline insufficient" id="thesis-headline">(.*?)</p>', page
        )
        assert headline.group(1) == INSUFFICIENT
        assert page.index("The thesis, tested") < page.index('id="regime"')

    def test_enough_episodes_give_the_verdict_tally_and_no_insufficient_message(self, many):
        """24 tests: the two 90-day verdicts of the fixture, 22 'no evidence', none short of 8
        episodes (180 days has 9 of the 10)."""
        section = thesis_section(many)
        assert "Insufficient evidence" not in section
        headline = re.search(r'<p class="headline" id="thesis-headline">(.*?)</p>', section)
        assert headline.group(1) == (
            "10 independent episodes since 2016-01-04 (9 to 10 in each test: an episode counts "
            "once its horizon has elapsed and its leg has prices), 24 tests (leg x horizon): "
            "1 evidence for, 1 evidence against, 22 no evidence, 0 insufficient. "
            "Evidence for: BTC vs R2K at 90 days (excess +0.100, q 0.030). "
            "Evidence against: alts vs ETH at 90 days (excess -0.020, q 0.030)."
        )

    @pytest.mark.parametrize(
        ("counts", "said"),
        [
            pytest.param([10, 10], "", id="every_test_counts_every_episode"),
            pytest.param([9, 9], " (9 in each test", id="one_episode_not_yet_elapsed"),
            pytest.param([8, 10], " (8 to 10 in each test", id="legs_count_differently"),
        ],
    )
    def test_the_headline_says_when_tests_count_fewer_episodes_than_it_lists(
        self, counts: list[int], said: str
    ):
        test = pl.DataFrame(
            {
                "leg": ["btc_vs_rut"] * len(counts),
                "horizon_days": [90, 180][: len(counts)],
                "verdict": ["no evidence"] * len(counts),
                "count_episodes": counts,
                "excess_log_ret": [0.0] * len(counts),
                "q_value": [0.5] * len(counts),
            }
        )
        text = headline(test, 10, date(2016, 1, 4))
        start = "10 independent episodes since 2016-01-04"
        assert text.startswith(f"{start}{said}")
        assert text.startswith(f"{start}, 2 tests") == (said == "")

    @pytest.mark.parametrize(
        ("verdicts", "counts", "expected"),
        [
            pytest.param(["insufficient"] * 2, [3, 3], True, id="every_verdict_insufficient"),
            # a mart that still labelled rows although no row reaches 8 episodes
            pytest.param(["no evidence"] * 2, [7, 5], True, id="every_row_under_8_episodes"),
            pytest.param(["insufficient", "no evidence"], [7, 8], False, id="one_row_judged"),
            pytest.param([], [], True, id="no_rows"),
        ],
    )
    def test_insufficient_means_nothing_could_be_judged(self, verdicts, counts, expected):
        frame = pl.DataFrame(
            {"verdict": verdicts, "count_episodes": counts},
            schema={"verdict": pl.String, "count_episodes": pl.Int64},
        )
        assert is_insufficient(frame) is expected


class TestTables:
    def test_the_episode_table_has_one_row_per_episode_with_its_90_day_returns(self, few):
        episodes = few.sql("select * from marts.fct_thesis_episodes").pl()
        table = episodes_table(episodes)
        rows = re.findall(r"<tr><td>(\d+)</td><td>([\d-]+)</td><td>([\d-]+)</td>(.*?)</tr>", table)
        assert [r[:3] for r in rows] == [
            ("1", "2016-12-30", "2017-01-02"),
            ("2", "2017-07-18", "2017-07-21"),
            ("3", "2018-02-03", "2018-02-06"),
        ]
        # episode 3 (i = 2): impulse 1.0 + 0.25 i = 1.5% and 50 + 10 i = 70 USD bn;
        # BTC vs R2K over 90 days 0.1 x 6 = 0.600
        assert rows[2][3].startswith("<td>+1.50</td><td>+70</td><td>0.600</td>")
        assert "<th>alts vs ETH 90 d log return</th>" in table

    @pytest.mark.parametrize(
        ("last_session", "expected"),
        [
            # episode 1 entered 2017-01-02: 89 days later its 90-day return is still to come
            pytest.param(date(2017, 4, 1), "pending", id="not_elapsed"),
            # 90 days later a NULL return means a price is missing
            pytest.param(date(2017, 4, 2), "no data", id="elapsed_without_data"),
        ],
    )
    def test_a_missing_return_is_pending_only_until_90_days_have_passed(
        self, few, last_session, expected
    ):
        episodes = few.sql(
            "select * replace (null::double as btc_log_ret_90d) from marts.fct_thesis_episodes "
            "where episode_id = 1"
        ).pl()
        row = re.search(r"<tbody><tr>(.*?)</tr>", episodes_table(episodes, last_session))
        assert row.group(1).endswith(
            f"<td>-0.020</td><td>{expected}</td><td>0.250</td><td>0.230</td>"
        )

    def test_the_test_table_shows_p_q_fragility_and_the_verdict_in_words(self, many, few):
        table = verdict_table(many.sql("select * from marts.fct_thesis_test").pl())
        assert "<th>p</th><th>q</th><th>leave-one-out excess</th><th>fragile?</th>" in table
        assert (
            "<td>BTC vs R2K</td><td>90 days</td><td>10</td><td>+0.100</td><td>+0.050 .. +0.180</td>"
            "<td>0.004</td><td>0.030</td><td>+0.090 .. +0.110</td><td>robust</td>"
            '<td><span class="verdict-for">evidence for the thesis</span></td>'
        ) in table
        assert "<td>fragile</td><td>no evidence either way</td>" in table  # alts vs ETH, 30 d
        short = verdict_table(few.sql("select * from marts.fct_thesis_test").pl())
        assert "<td>n/a (&lt; 8 episodes)</td>" in short
        assert "insufficient: too few episodes to judge" in short

    def test_the_ordering_reads_in_one_line(self, many):
        rows = many.sql("select * from marts.fct_thesis_ordering").pl().to_dicts()
        assert ordering_reading(rows[1]) == (
            "alts/ETH peaks after ETH/BTC: median lag 50 days against 0 under the null "
            "(excess +50 days, p 0.010, q 0.020, 9 episodes): evidence for the thesis."
        )

    def test_each_leg_gets_a_sensitivity_grid_with_the_primary_setting_flagged(self, many):
        """3 thresholds x 2 confirmation settings per leg; primary = 1% and 10 sessions."""
        grids = sensitivity_grids(many.sql("select * from marts.fct_thesis_sensitivity").pl())
        assert re.findall(r"<h4>(.*?)</h4>", grids) == [
            "BTC vs R2K, 90 days",
            "ETH vs BTC, 90 days",
            "alts vs ETH, 90 days",
        ]
        assert grids.count("★ primary") == 3
        btc = grids.split("<h4>")[1]
        one_pct = re.search(r"<tr><td>1%</td><td>(.*?)</td><td>(.*?)</td></tr>", btc)
        # 10 sessions: n = 10 + 10 // 5 - 1 = 11, excess 0.10 + 1 / 100
        assert one_pct.group(2).startswith('<span class="primary" title="the primary setting">')
        assert "+0.110 (n 11, q 0.050)" in one_pct.group(2)
        assert "primary" not in one_pct.group(1)


class TestOlderWarehouse:
    def test_a_warehouse_without_the_thesis_marts_says_so_instead_of_crashing(self):
        with duckdb.connect() as con:
            section = thesis_section(con)
        assert "thesis marts not built yet - run <code>rotation run</code>" in section
        assert "marts.fct_thesis_test" in section

    def test_one_missing_mart_is_named(self):
        with thesis_connection() as con:
            con.execute("drop table marts.fct_thesis_sensitivity")
            section = thesis_section(con)
        assert "not built yet - run <code>rotation run</code> (marts.fct_thesis_sensitivity)." in (
            section
        )
