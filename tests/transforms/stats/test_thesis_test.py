"""The thesis test's verdicts: BY q-values over the family, fragility and 'insufficient'."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from transforms.stats.random_starts import RowTest
from transforms.stats.thesis_params import ThesisParams, load_params
from transforms.stats.thesis_test import ThesisInputs, find_episodes, judge

# BY over a family of three: the harmonic factor is 1 + 1/2 + 1/3 = 11/6.
C3 = 11 / 6


@pytest.fixture
def params() -> ThesisParams:
    """The real parameters with min_episodes 3 and q_threshold 0.10."""
    return replace(load_params(), min_episodes=3, q_threshold=0.10)


def row(
    p: float,
    excess: float,
    count: int = 4,
    loo_excess: list[float] | None = None,
    loo_p: list[float] | None = None,
) -> RowTest:
    """A hand-made RowTest; by default every LOO keeps the excess's sign and the row's p."""
    loo_e = np.full(count, excess) if loo_excess is None else np.array(loo_excess)
    loo_pv = np.full(count, p) if loo_p is None else np.array(loo_p)
    return RowTest(count, excess, 0.0, excess, p, excess - 1, excess + 1, loo_e, loo_pv)


def family(first: RowTest) -> list[tuple[tuple[str, int], RowTest]]:
    """``first`` with a negative row, a null row and a row with too few episodes."""
    return [
        (("btc_vs_rut", 30), first),
        (("eth_vs_btc", 30), row(0.02, -0.3)),
        (("alts_vs_eth", 30), row(0.5, 0.1)),
        (("btc", 30), row(0.001, 0.9, count=2)),  # 2 < min_episodes 3
    ]


class TestJudge:
    def test_q_values_are_by_over_the_rows_with_enough_episodes_only(
        self, params: ThesisParams
    ) -> None:
        """p 0.01, 0.02, 0.5 in a family of 3 (the 2-episode row is left out)."""
        judged = judge(family(row(0.01, 0.5)), params)

        # sorted p x 3 x 11/6 / rank: 0.01 -> 0.055, 0.02 -> 0.055, 0.5 -> 0.9167;
        # the running minimum from the top changes nothing
        assert [j.q_value for j in judged[:3]] == pytest.approx(
            [0.01 * 3 * C3, 0.02 * 3 * C3 / 2, 0.5 * C3]
        )
        # were the 2-episode row in (m = 4), the first q would be 0.01 x 4 x 25/12 / 2 = 0.083
        assert judged[0].q_value == pytest.approx(0.055)
        assert [j.key for j in judged] == [k for k, _ in family(row(0.01, 0.5))]

    def test_below_min_episodes_is_insufficient_with_no_q_value(self, params: ThesisParams) -> None:
        """The 2-episode row has p = 0.001 yet no q and verdict 'insufficient'."""
        last = judge(family(row(0.01, 0.5)), params)[3]
        assert last.q_value is None
        assert last.verdict == "insufficient"

    def test_a_small_q_robust_row_is_evidence_for_or_against_by_its_excess_sign(
        self, params: ThesisParams
    ) -> None:
        """q 0.055 < 0.10, LOO stable: +excess 'evidence for', -excess 'evidence against'."""
        judged = judge(family(row(0.01, 0.5)), params)
        assert [(j.verdict, j.is_fragile) for j in judged[:3]] == [
            ("evidence for", False),
            ("evidence against", False),
            ("no evidence", False),  # q 0.9167 >= 0.10
        ]

    def test_a_leave_one_out_excess_of_the_other_sign_makes_the_row_fragile(
        self, params: ThesisParams
    ) -> None:
        """Excess +0.5 with one LOO excess -0.1: fragile, so 'no evidence' at q 0.055."""
        first = row(0.01, 0.5, loo_excess=[0.4, -0.1, 0.6, 0.5])
        judged = judge(family(first), params)[0]
        assert judged.q_value == pytest.approx(0.055)
        assert (judged.is_fragile, judged.verdict) == (True, "no evidence")

    def test_a_leave_one_out_p_that_lifts_q_above_the_threshold_makes_the_row_fragile(
        self, params: ThesisParams
    ) -> None:
        """A LOO p of 0.08 in place of 0.01: family 0.08, 0.02, 0.5 -> q 0.22 > 0.10."""
        # sorted 0.02, 0.08, 0.5: 0.02 x 5.5 = 0.11, 0.08 x 5.5 / 2 = 0.22, 0.5 x 5.5 / 3
        first = row(0.01, 0.5, loo_p=[0.01, 0.01, 0.08, 0.01])
        judged = judge(family(first), params)[0]
        assert (judged.is_fragile, judged.verdict) == (True, "no evidence")

    def test_a_leave_one_out_p_that_keeps_q_below_the_threshold_is_not_fragile(
        self, params: ThesisParams
    ) -> None:
        """A LOO p of 0.015: family 0.015, 0.02, 0.5 -> q min(0.0825, 0.055) = 0.055."""
        first = row(0.01, 0.5, loo_p=[0.015, 0.01, 0.01, 0.01])
        judged = judge(family(first), params)[0]
        assert (judged.is_fragile, judged.verdict) == (False, "evidence for")

    def test_a_zero_excess_is_never_evidence(self, params: ThesisParams) -> None:
        """q 0.055 but excess 0 (LOO 0 too): 'no evidence'."""
        judged = judge(family(row(0.01, 0.0)), params)[0]
        assert judged.q_value == pytest.approx(0.055)
        assert judged.verdict == "no evidence"

    def test_a_family_with_no_row_above_min_episodes_is_all_insufficient(
        self, params: ThesisParams
    ) -> None:
        """Every row below min_episodes: every q None, every verdict 'insufficient'."""
        rows = [(("btc", h), row(0.001, 1.0, count=2)) for h in (30, 60)]
        judged = judge(rows, params)
        assert [(j.q_value, j.verdict, j.is_fragile) for j in judged] == [
            (None, "insufficient", False),
            (None, "insufficient", False),
        ]


class TestFindEpisodes:
    def test_episodes_start_once_the_uptrend_is_confirmed_then_every_cooldown(
        self, params: ThesisParams
    ) -> None:
        """Daily sessions 0..199, setup from the 10th: episodes on days 9, 99 and 189."""
        sessions = np.arange(200)
        impulse = np.full(200, 2.0)  # above the 1.0% threshold throughout
        impulse[150:160] = np.nan  # unknown liquidity: no setup, the cooldown clock still runs
        inputs = ThesisInputs(sessions, impulse, np.ones(200, dtype=bool), {})
        # confirm 10: the uptrend turns on at index 9; cooldown 90 -> 99, then 189
        assert find_episodes(inputs, params).tolist() == [9, 99, 189]
