"""Lagged correlations, the rotation null, the lag set and BH (transforms.stats.lead_lag)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from transforms.stats.lead_lag import (
    MIN_OBS,
    admissible_shifts,
    benjamini_hochberg,
    best_lag_index,
    lag_confidence_set,
    lagged_correlations,
    max_abs_corr_p_value,
    single_lag_p_values,
)
from transforms.stats.lead_lag_tables import lead_lag_summary

# 3 periods of 1, 2, 3, 4: the series meets itself again whenever an offset is a multiple of 4
PERIODIC = np.tile([1.0, 2.0, 3.0, 4.0], 3)
# 12 weeks with no repeating pattern
IRREGULAR = np.array([0.0, 3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 5.5, 3.5, 8.0])


def brute_force(x: np.ndarray, y: np.ndarray, shift: int, lag: int) -> tuple[int, float]:
    """(pairs, corr) of (x_t, y_{(t + lag + shift) mod N}) with t, t + lag in the window."""
    rotated = np.roll(y, -shift)
    t = np.arange(max(0, -lag), len(x) - max(0, lag))
    a, b = x[t], rotated[t + lag]
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < 2 or np.std(a[both]) == 0 or np.std(b[both]) == 0:
        return int(both.sum()), np.nan
    return int(both.sum()), float(np.corrcoef(a[both], b[both])[0, 1])


def rotations(x: np.ndarray, y: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Correlations at shift 0 (1, K) and at every rotation 1..N-1 (1, N-1, K)."""
    _, corr = lagged_correlations(x[None], y[None], np.arange(len(x)), max_lag)
    return corr[:, 0], corr[:, 1:]


def weekly_frame(rut: np.ndarray, btc: np.ndarray) -> pl.DataFrame:
    weeks = [date(1975, 1, 1) + timedelta(weeks=i) for i in range(len(rut))]  # Wednesdays
    return pl.DataFrame(
        {"week": weeks * 2, "asset": ["RUT"] * len(rut) + ["BTC"] * len(btc)}
        | {"value": np.concatenate([rut, btc])}
    )


class TestLaggedCorrelations:
    @pytest.mark.parametrize(
        ("missing_x", "missing_y"),
        [
            pytest.param([], [], id="complete"),
            pytest.param([0, 7], [], id="x_missing"),
            pytest.param([], [3, 20, 21], id="y_missing"),
            pytest.param([0, 7], [3, 20, 21], id="both_missing"),
        ],
    )
    def test_every_shift_and_lag_matches_a_direct_pearson_correlation(
        self, missing_x: list[int], missing_y: list[int]
    ) -> None:
        rng = np.random.default_rng(7)
        x, y = rng.normal(size=30), rng.normal(size=30)
        x[missing_x], y[missing_y] = np.nan, np.nan
        shifts = np.array([0, 1, 5, 13, 29])

        n_obs, corr = lagged_correlations(x[None], y[None], shifts, max_lag=8)

        for i, shift in enumerate(shifts):
            for j, lag in enumerate(range(-8, 9)):
                pairs, expected = brute_force(x, y, shift, lag)
                assert n_obs[0, i, j] == pairs
                assert corr[0, i, j] == pytest.approx(expected, abs=1e-12, nan_ok=True)

    def test_a_constant_side_has_no_correlation(self) -> None:
        _, corr = lagged_correlations(IRREGULAR[None], np.full((1, 12), 5.0), np.array([0]), 1)
        assert np.isnan(corr).all()


class TestRotationNull:
    def test_the_rotations_beyond_the_largest_lag_are_listed(self) -> None:
        # 12 weeks, lags -1..1: distance from 0 at least 2 around the circle
        assert admissible_shifts(12, max_lag=1).tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 10]
        # a 2-year window: 27..77, the 51 rotations the single-lag p-values use
        assert len(admissible_shifts(104)) == 51

    def test_a_periodic_series_meets_itself_in_eight_of_eleven_rotations(self) -> None:
        observed, null = rotations(PERIODIC, PERIODIC, max_lag=1)

        p, count = max_abs_corr_p_value(observed, null)

        # T = 1 at lag 0. Rotation s reaches |corr| = 1 when s + k is a multiple of 4 for a
        # lag k in -1..1: s = 1, 3, 4, 5, 7, 8, 9, 11 (not 2, 6, 10). Ties count against:
        # p = (1 + 8) / (1 + 11)
        assert count.tolist() == [11]
        assert p.tolist() == [pytest.approx(9 / 12)]

    def test_a_single_lag_uses_only_the_far_rotations(self) -> None:
        observed, null = rotations(PERIODIC, PERIODIC, max_lag=1)
        far = null[:, admissible_shifts(12, max_lag=1) - 1]

        p_lag = single_lag_p_values(observed, far)

        # lag 0 is matched by rotations 4 and 8 among 2..10: (1 + 2) / (1 + 9)
        assert p_lag[0, 1] == pytest.approx(0.3)

    def test_the_rotations_next_to_zero_find_the_observed_alignment_again(self) -> None:
        observed, null = rotations(IRREGULAR, IRREGULAR, max_lag=1)

        p, count = max_abs_corr_p_value(observed, null)

        # rotations 1 and 11 pair week t with week t again at lags -1 and +1 (one edge pair
        # dropped, none wrapped): |corr| = 1 ties T; rotations 2..10 wrap and fall short.
        # p = (1 + 2) / (1 + 11): what costs a sharp lead its p in a short window
        assert (count.tolist(), p.tolist()) == ([11], [pytest.approx(3 / 12)])

    def test_on_noise_p_is_uniform_and_the_far_only_rule_is_not(self) -> None:
        rng = np.random.default_rng(2024)
        x, y = rng.normal(size=(1000, 104)), rng.normal(size=(1000, 104))
        n_obs, corr = lagged_correlations(x, y, np.arange(104))
        corr[n_obs < MIN_OBS] = np.nan
        observed, null = corr[:, 0], corr[:, 1:]

        p, _ = max_abs_corr_p_value(observed, null)
        p_far, _ = max_abs_corr_p_value(observed, null[:, admissible_shifts(104) - 1])

        tolerance = 3 * np.sqrt(0.05 * 0.95 / len(p))  # three binomial standard errors
        assert (p <= 0.05).mean() <= 0.05 + tolerance
        assert abs((p <= 0.5).mean() - 0.5) <= 3 * np.sqrt(0.25 / len(p))
        # T(s) is a sliding max over s - 26..s + 26, so the far rotations are a couple of
        # independent draws, not 51: with them alone noise "leads" far too often
        assert (p_far <= 0.05).mean() > 0.05 + 2 * tolerance


class TestLagSet:
    # observed |corr| at lags 0, 1, 2 and four rotations, chosen so the gaps are round
    OBSERVED = np.array([[0.1, 0.5, 0.45]])
    NULL = np.array([[[0.2, 0.1, 0.3], [0.3, 0.05, 0.1], [0.1, 0.2, 0.15], [0.05, 0.1, 0.4]]])

    def test_a_lag_stays_unless_its_gap_beats_the_90_percent_null_gap(self) -> None:
        # gaps to the max: observed (0.4, 0, 0.05); null per lag (0.1, 0, 0.1, 0.35),
        # (0.2, 0.25, 0, 0.3), (0, 0.2, 0.05, 0): with 4 rotations the 90% quantile is the
        # largest, 0.35, 0.3, 0.2 -> lag 0 (0.4 > 0.35) is out, lags 1 and 2 are in
        assert lag_confidence_set(self.OBSERVED, self.NULL).tolist() == [[False, True, True]]

    def test_a_lower_level_keeps_fewer_lags(self) -> None:
        # at 50% the second smallest null gap: 0.1, 0.2, 0 -> lag 2's 0.05 is out
        assert lag_confidence_set(self.OBSERVED, self.NULL, level=0.5).tolist() == [
            [False, True, False]
        ]


class TestBestLagAndBH:
    def test_ties_go_to_the_shorter_lag_then_to_the_positive_one(self) -> None:
        lags = np.array([-2, -1, 0, 1, 2])
        observed = np.array([[0.4, 0.1, 0.2, -0.3, 0.4], [0.1, -0.4, 0.0, 0.2, 0.4]])
        # row 1: -2 and +2 tie on 0.4 -> +2; row 2: -1 and +2 tie -> the shorter, -1
        assert lags[best_lag_index(observed, lags)].tolist() == [2, -1]

    def test_bh_q_values_of_a_known_vector(self) -> None:
        # sorted 0.005, 0.01, 0.03, 0.04 (m = 4) -> x 4 / rank: 0.02, 0.02, 0.04, 0.04
        q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.005, np.nan]))
        assert q[:4] == pytest.approx([0.02, 0.04, 0.04, 0.02])
        assert np.isnan(q[4])


@pytest.fixture(scope="module")
def lead_and_comovement() -> dict[str, dict]:
    """Fifty years of weekly noise: BTC follows RUT by 4 weeks, or moves in the same week."""
    rng = np.random.default_rng(11)
    rut, noise = rng.normal(size=2604), rng.normal(size=2600)
    lagged = weekly_frame(rut[4:], 0.5 * rut[:-4] + noise)  # BTC(t) = 0.5 RUT(t - 4) + e
    same_week = weekly_frame(rut[4:], 0.5 * rut[4:] + noise)
    return {
        name: lead_lag_summary(frame, [("RUT", "BTC")])
        .filter(window_kind="full_history")
        .row(0, named=True)
        for name, frame in (("lead", lagged), ("comovement", same_week))
    }


class TestSummary:
    def test_a_four_week_lead_is_detected_with_lag_4_in_its_set(self, lead_and_comovement):
        row = lead_and_comovement["lead"]
        assert row["best_lag_weeks"] == 4
        assert row["lag_set_min_weeks"] <= 4 <= row["lag_set_max_weeks"]
        # the ~52 rotations whose lag sweep holds lag 4 share the peak: p ~ 53 / 2600, no less
        assert 1 / 2600 < row["q_value"] < 0.05
        assert row["is_lead_detected"]
        # the pre-registered lag 4 alone beats every far rotation: 1 / (1 + 2547)
        assert row["p_value_lag_4w"] == pytest.approx(1 / 2548)

    def test_a_same_week_comovement_is_significant_but_not_a_lead(self, lead_and_comovement):
        row = lead_and_comovement["comovement"]
        assert (row["best_lag_weeks"], row["q_value"] < 0.05) == (0, True)
        assert not row["is_lead_detected"]
