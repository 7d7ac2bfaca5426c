"""The five example queries answer the seed question on a demo-like warehouse."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from warehouse import connect
from warehouse.analyst.example_queries import example_queries, question

LADDER = ["BTC", "ETH", "ALTS"]


@pytest.fixture(scope="module")
def results(demo_warehouse) -> dict[str, pl.DataFrame]:
    with connect(demo_warehouse) as con:
        return {name: con.sql(sql).pl() for name, sql in example_queries().items()}


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

    def test_forward_returns_match_a_polars_recomputation(self, results, con):
        """BTC's mean 90-day forward return on risk-on days, recomputed from the ladder."""
        frame = results["02_forward_returns_when_risk_on"]
        assert frame.select("asset", "is_risk_on").rows() == [
            (a, on) for a in sorted(LADDER) for on in (True, False)
        ]
        levels = con.sql(
            "select date, price_level from marts.fct_risk_ladder where asset = 'BTC'"
        ).pl()
        later = levels.with_columns(pl.col("date") - timedelta(days=90)).rename(
            {"price_level": "later"}
        )
        risk_on = con.sql("select date from marts.fct_rotation_signal where is_risk_on").pl()
        fwd = levels.join(later, on="date").join(risk_on, on="date")
        want = (fwd["later"] / fwd["price_level"] - 1).mean()
        got = frame.filter(asset="BTC", is_risk_on=True)
        assert got["count_days"][0] == fwd.height > 50
        assert got["mean_fwd_ret_90d"][0] == pytest.approx(want, abs=5e-5)  # rounded to 4 places

    def test_breakout_excess_pairs_expanding_with_all_states(self, results):
        frame = results["03_breakout_excess_by_liquidity"]
        assert frame.height == 12  # 3 rungs x horizons 30, 60, 90, 180
        assert sorted(set(frame["horizon_days"])) == [30, 60, 90, 180]
        assert (frame["n_events_expanding"] <= frame["n_events_all"]).all()
        significant = frame.filter("is_significant_expanding")
        assert (significant["ci90_low_expanding"] > 0).all()

    def test_lead_lag_ladder_has_both_leaders_for_every_rung(self, results, con):
        frame = results["04_lead_lag_ladder"]
        assert frame.select("series_x", "series_y").rows() == [
            (x, y) for x in ("NET_LIQ_IMPULSE_13W", "RUT") for y in LADDER
        ]
        rut_btc = con.execute(
            "select lag_weeks from marts.fct_lead_lag where window_kind = 'full_history' "
            "and series_x = 'RUT' and series_y = 'BTC' order by abs(corr) desc, abs(lag_weeks) "
            "limit 1"
        ).fetchall()[0][0]
        assert frame.filter(series_x="RUT", series_y="BTC")["best_lag_weeks"][0] == rut_btc

    def test_rotation_order_counts_every_episode_for_every_rung(self, results):
        frame = results["05_rotation_order_in_risk_on_episodes"]
        assert frame["asset"].to_list() == LADDER
        episodes = frame["count_episodes"].to_list()
        assert episodes[0] == episodes[1] == episodes[2] > 0
        assert (frame["count_episodes_led"] <= frame["count_episodes"]).all()
        led = frame.drop_nulls("median_days_to_lead")
        assert led["min_days_to_lead"].min() >= 0
        assert led["max_days_to_lead"].max() <= 180
