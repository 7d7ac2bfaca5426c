"""The five example queries answer the seed question on a demo-like warehouse."""

from __future__ import annotations

import polars as pl
import pytest

from rotation_analyst.example_queries import example_queries, question
from rotation_analyst.status import setup_state
from tests.rotation_analyst.thesis_marts import thesis_connection
from warehouse import connect

LADDER = ["BTC", "ETH", "ALTS"]


# Examples on the thesis marts run on hand-made tables (tests/rotation_analyst/thesis_marts.py):
# three episodes, the last one short of 180 days.
THESIS_EXAMPLES = (
    "02_forward_returns_when_risk_on",
    "03_breakout_excess_by_liquidity",
    "05_rotation_order_in_risk_on_episodes",
)


@pytest.fixture(scope="module")
def results(demo_warehouse) -> dict[str, pl.DataFrame]:
    with connect(demo_warehouse) as con:
        return {
            name: con.sql(sql).pl()
            for name, sql in example_queries().items()
            if name not in THESIS_EXAMPLES
        }


@pytest.fixture(scope="module")
def thesis_results() -> dict[str, pl.DataFrame]:
    con = thesis_connection(count_episodes=3)
    examples = example_queries()
    yield {name: con.sql(examples[name]).pl() for name in THESIS_EXAMPLES}
    con.close()


@pytest.fixture(scope="module")
def con(demo_warehouse):
    with connect(demo_warehouse) as connection:
        yield connection


class TestExamples:
    def test_there_are_five_each_stating_its_question(self):
        examples = example_queries()
        assert list(examples) == [
            "01_regime_now",
            "02_forward_returns_when_risk_on",
            "03_breakout_excess_by_liquidity",
            "04_lead_lag_ladder",
            "05_rotation_order_in_risk_on_episodes",
        ]
        assert all("?" in question(sql) for sql in examples.values())

    def test_regime_now_is_the_last_day_of_the_history(self, results, con):
        frame = results["01_regime_now"]
        last = con.execute("select max(date) from marts.fct_rotation_signal").fetchall()[0]
        assert frame.height == 1
        assert frame["date"][0] == last[0]
        assert frame["liquidity_state"][0] in {"expanding", "flat", "contracting"}
        assert -1 <= frame["rotation_score"][0] <= 1

    def test_regime_now_shows_the_setup_that_rotation_status_shows(self, results, con):
        frame = results["01_regime_now"]
        state = setup_state(con)
        assert state is not None  # the demo warehouse has the thesis marts
        assert frame.select("is_setup", "setup_since_date", "setup_session_date").row(0) == (
            state.is_setup,
            state.setup_since_date,
            state.date,
        )

    def test_forward_returns_count_episodes_not_overlapping_days(self, thesis_results):
        """Three episodes give n = 3 (not 3 x 90 days); the third has not reached 180 days."""
        frame = thesis_results["02_forward_returns_when_risk_on"]
        assert frame.height == 24  # 6 legs x horizons 30, 60, 90, 180
        counts = dict(zip(frame["horizon_days"], frame["count_episodes"], strict=False))
        assert counts == {30: 3, 60: 3, 90: 3, 180: 2}
        btc_rut = frame.filter(leg="btc_vs_rut").select(
            "horizon_days", "count_episodes_pending", "mean_log_ret", "median_log_ret"
        )
        # episode log returns at 90 d are 0.1 x (1, 2, 6): mean 0.3, median 0.2; at 180 d
        # 0.2 x (1, 2) with the third pending: mean = median = 0.3
        assert btc_rut.filter(horizon_days=90).row(0) == (90, 0, 0.3, 0.2)
        assert btc_rut.filter(horizon_days=180).row(0) == (180, 1, 0.3, 0.3)

    def test_the_thesis_test_example_shows_p_q_and_the_verdict_but_no_flag(self, thesis_results):
        """Under 8 episodes q is NULL and every verdict is 'insufficient'; no is_significant_*."""
        frame = thesis_results["03_breakout_excess_by_liquidity"]
        assert frame.height == 24
        assert not [c for c in frame.columns if "significant" in c]
        row = frame.filter(leg="btc_vs_rut", horizon_days=90).select(
            "count_episodes", "excess_log_ret", "p_value", "q_value", "verdict"
        )
        assert row.row(0) == (3, 0.1, 0.004, None, "insufficient")
        assert set(frame["verdict"]) == {"insufficient"}

    def test_lead_lag_ladder_shows_each_best_lag_with_its_test(self, results, con):
        """Every best lag comes with p, q, the verdict, the lag set and lag 4's own p."""
        frame = results["04_lead_lag_ladder"]
        assert frame.select("series_x", "series_y").rows() == [
            (x, y) for x in ("NET_LIQ_CHG_1W", "RUT") for y in LADDER
        ]
        rut_btc = con.execute(
            "select lag_weeks from marts.fct_lead_lag where window_kind = 'full_history' "
            "and series_x = 'RUT' and series_y = 'BTC' order by abs(corr) desc, abs(lag_weeks) "
            "limit 1"
        ).fetchall()[0][0]
        row = frame.filter(series_x="RUT", series_y="BTC").row(0, named=True)
        assert row["best_lag_weeks"] == rut_btc
        assert row["lag_set_min_weeks"] <= rut_btc <= row["lag_set_max_weeks"]
        # p never below its resolution 1 / (1 + rotations), q never below p (4-place rounding)
        assert 1 / (1 + row["count_null_shifts"]) - 5e-5 <= row["p_value_max_abs_corr"] <= 1
        assert row["q_value"] >= row["p_value_max_abs_corr"] - 1e-4
        detected = frame.filter("is_lead_detected")
        assert ((detected["q_value"] < 0.05) & (detected["best_lag_weeks"] > 0)).all()
        assert "is_x_leading" not in frame.columns

    def test_rotation_order_reads_peak_days_after_entry_and_the_ordering_test(self, thesis_results):
        """Peak days of the two elapsed episodes (btc_vs_rut 20 and 40, eth_vs_btc 50 and 30,
        alts_vs_eth 80 and 120); each follower carries its fct_thesis_ordering row."""
        frame = thesis_results["05_rotation_order_in_risk_on_episodes"]
        got = frame.select(
            "leg", "count_episodes", "count_episodes_pending", "median_peak_day", "min_peak_day"
        ).rows()
        assert got == [
            ("btc_vs_rut", 2, 1, 30.0, 20),
            ("eth_vs_btc", 2, 1, 40.0, 30),
            ("alts_vs_eth", 2, 1, 100.0, 80),
        ]
        assert frame.select("comparison", "excess_lag_days", "verdict").rows() == [
            (None, None, None),
            ("eth_btc_after_btc_rut", 20.0, "insufficient"),
            ("alts_eth_after_eth_btc", 50.0, "insufficient"),
        ]
        assert frame["min_peak_day"].min() >= 0  # nothing before day 0
