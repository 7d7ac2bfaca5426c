"""The random-start null: drawn start sets, p-values, inverted intervals and leave-one-out."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.stats.random_starts import (
    SNAP_SLACK_DAYS,
    compare_with_null,
    draw_start_sets,
    inverted_interval,
    nan_mean,
    nan_median,
    two_sided_p,
    values_at,
)


class TestDrawStartSets:
    # eligible days 0..999 except a hole 95..104 around the first anchor
    ELIGIBLE = np.array([d for d in range(1000) if not 95 <= d <= 104])
    ANCHORS = np.array([100, 200, 420])

    def _draw(self, seed: int = 3, draws: int = 3000) -> np.ndarray:
        return draw_start_sets(
            self.ELIGIBLE, self.ANCHORS, 90, 50, draws, np.random.default_rng(seed)
        )

    def test_every_start_falls_within_the_stratum_of_its_anchor(self) -> None:
        """Start i lies in [anchor_i - 50, anchor_i + 50] for every draw."""
        days = self.ELIGIBLE[self._draw()]
        assert np.all(np.abs(days - self.ANCHORS) <= 50)

    def test_consecutive_starts_are_at_least_the_cooldown_apart(self) -> None:
        """Start i+1 - start i >= 90 - 3 (snapping slack); close anchors keep their spacing."""
        picks = self._draw()
        days = self.ELIGIBLE[np.maximum(picks, 0)]
        present = (picks[:, :-1] >= 0) & (picks[:, 1:] >= 0)
        gaps = np.diff(days, axis=1)[present]
        assert gaps.min() >= 90 - SNAP_SLACK_DAYS
        # anchors 100 and 200 are closer than 90 + 2 * 30: one group, one jitter, so unless
        # the first start was moved out of the hole 95..104, their starts stay 100 days apart
        outside_hole = (days[:, 0] < 94) | (days[:, 0] > 105)
        assert np.all((days[:, 1] - days[:, 0])[outside_hole] == 100)

    def test_draws_cover_exactly_the_eligible_sessions_of_the_first_stratum(self) -> None:
        """First starts: only days of 50..150 outside the ineligible 95..104, and most of them."""
        first = set(self.ELIGIBLE[self._draw(draws=20000)[:, 0]].tolist())
        # anchor 100 + shift (|s| <= 50 - 30) + jitter (|j| <= 30) spans 50..150; the hole's
        # days go to the nearest session (94 or 105); 60..140 is reached with probability ~1
        assert first <= set(range(50, 151)) - set(range(95, 105))
        assert first >= set(range(60, 141)) - set(range(95, 105))

    def test_the_same_generator_seed_gives_the_same_draws(self) -> None:
        """Draws are reproducible from the seed, and another seed gives other draws."""
        assert np.array_equal(self._draw(seed=11, draws=50), self._draw(seed=11, draws=50))
        assert not np.array_equal(self._draw(seed=11, draws=50), self._draw(seed=12, draws=50))

    def test_when_exactly_one_set_is_possible_every_draw_is_that_set(self) -> None:
        """One eligible session per stratum: days 10, 100, 190 (index 0, 1, 2) in every draw."""
        eligible = np.array([10, 100, 190, 400])
        picks = draw_start_sets(
            eligible, np.array([12, 98, 188]), 90, 5, 200, np.random.default_rng(0)
        )
        assert picks.shape == (200, 3)
        assert np.all(picks == [0, 1, 2])

    def test_a_start_with_no_session_left_is_minus_one(self) -> None:
        """Eligible days 0..10 only: the second anchor (200) has no session left at all."""
        picks = draw_start_sets(
            np.arange(11), np.array([5, 200]), 90, 3, 100, np.random.default_rng(0)
        )
        # first start within 2..8, second: nothing at or after 197 -> -1
        assert np.all((picks[:, 0] >= 2) & (picks[:, 0] <= 8))
        assert np.all(picks[:, 1] == -1)

    def test_no_eligible_sessions_give_minus_one_everywhere(self) -> None:
        """An empty eligible set gives a (B, K) array of -1."""
        picks = draw_start_sets(
            np.array([], dtype=np.int64), np.array([5, 200]), 90, 3, 4, np.random.default_rng(0)
        )
        assert picks.tolist() == [[-1, -1]] * 4

    def test_a_start_that_cannot_keep_the_cooldown_is_dropped_not_moved(self) -> None:
        """Anchors 0 and 50 (closer than the 90-day cooldown): the second start is always -1."""
        eligible = np.arange(300)
        picks = draw_start_sets(eligible, np.array([0, 50]), 90, 10, 500, np.random.default_rng(5))
        # real episodes are never this close; the set keeps one start inside its stratum
        assert np.all(picks[:, 1] == -1)
        assert np.all(np.abs(eligible[picks[:, 0]]) <= 10)

    def test_the_sets_are_neither_earlier_nor_later_than_the_episodes(self) -> None:
        """Twenty anchors 120 days apart: the mean offset of 4000 sets is within +/-10 days."""
        anchors = np.arange(500, 500 + 20 * 120, 120)
        picks = draw_start_sets(np.arange(4000), anchors, 90, 365, 4000, np.random.default_rng(1))
        # the shift is uniform on +/-335 days (sd 194): its mean over 4000 sets has sd ~3 days;
        # drawing start by start after each cooldown drifted ~+110 days here
        assert abs(float(np.mean(np.arange(4000)[picks] - anchors))) < 10


class TestTwoSidedP:
    NULL = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # mean 3, distances 2, 1, 0, 1, 2

    @pytest.mark.parametrize(
        ("observed", "expected"),
        [
            pytest.param(5.0, 3 / 6, id="distance_2_ties_count"),  # k = 2 (1 and 5): (1+2)/6
            pytest.param(1.0, 3 / 6, id="below_is_as_far_as_above"),  # same two, two-sided
            pytest.param(4.5, 3 / 6, id="distance_1_5"),  # only 1 and 5 are >= 1.5 away
            pytest.param(3.0, 6 / 6, id="at_the_center_every_draw_counts"),  # k = 5
            pytest.param(10.0, 1 / 6, id="beyond_every_draw"),  # k = 0: (1+0)/6
        ],
    )
    def test_counts_draws_at_least_as_far_from_the_null_mean(
        self, observed: float, expected: float
    ) -> None:
        """p = (1 + k) / (B + 1) with B = 5."""
        assert two_sided_p(observed, self.NULL) == pytest.approx(expected)

    def test_nan_draws_are_dropped_from_k_and_b(self) -> None:
        """Two NaN draws leave B = 5 and the same p."""
        null = np.concatenate([self.NULL, [np.nan, np.nan]])
        assert two_sided_p(5.0, null) == pytest.approx(3 / 6)


class TestInvertedInterval:
    def test_is_observed_minus_the_upper_and_lower_null_quantiles(self) -> None:
        """Null [0, 1, 1, 2, 6] at 60%: quantiles 0.8 and 2.8, so (4 - 2.8, 4 - 0.8)."""
        # linear quantiles over 5 sorted values: q=0.2 -> position 0.8 -> 0 + 0.8*(1-0) = 0.8;
        # q=0.8 -> position 3.2 -> 2 + 0.2*(6-2) = 2.8
        low, high = inverted_interval(4.0, np.array([6.0, 1.0, 0.0, 2.0, 1.0]), 0.6)
        assert (low, high) == pytest.approx((1.2, 3.2))


class TestCompareWithNull:
    EPISODES = np.array([3.0, 5.0, 4.0])  # mean 4
    # B = 5 injected random sets; row means 0, 1, 1, 2, 6 (center 2)
    NULL = np.array(
        [
            [0.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.0, 1.0, 2.0],
            [3.0, 2.0, 1.0],
            [6.0, 9.0, 3.0],
        ]
    )

    def test_observed_center_excess_p_and_interval_from_injected_draws(self) -> None:
        """Observed 4, center 2, excess 2, p = 3/6, 60% interval (1.2, 3.2)."""
        test = compare_with_null(self.EPISODES, self.NULL, nan_mean, 0.6)

        assert test.count == 3
        assert test.observed == pytest.approx(4.0)
        assert test.null_center == pytest.approx(2.0)  # (0 + 1 + 1 + 2 + 6) / 5
        assert test.excess == pytest.approx(2.0)
        # |means - 2| = 2, 1, 1, 0, 4; at least |4 - 2| = 2: the 0 (a tie) and the 6 -> k = 2
        assert test.p_value == pytest.approx(3 / 6)
        # quantiles 0.8 and 2.8 of the means (see TestInvertedInterval)
        assert (test.ci_low, test.ci_high) == pytest.approx((1.2, 3.2))

    def test_leaving_an_episode_out_drops_its_null_column_too(self) -> None:
        """LOO excess and p by hand, each with the episode's column removed from every set."""
        test = compare_with_null(self.EPISODES, self.NULL, nan_mean, 0.6)

        # out 0: episodes 5, 4 -> 4.5; columns 1, 2 -> means 0, 1, 1.5, 1.5, 6 -> center 2;
        #   |. - 2| = 2, 1, .5, .5, 4 vs 2.5: only the 6 -> p = 2/6
        # out 1: episodes 3, 4 -> 3.5; columns 0, 2 -> 0, 1, 1, 2, 4.5 -> center 1.7 (not 2,
        #   the full null's); |. - 1.7| = 1.7, .7, .7, .3, 2.8 vs 1.8: only 4.5 -> p = 2/6
        # out 2: episodes 3, 5 -> 4; columns 0, 1 -> 0, 1, .5, 2.5, 7.5 -> center 2.3;
        #   |. - 2.3| = 2.3, 1.3, 1.8, .2, 5.2 vs 1.7: 2.3, 1.8, 5.2 -> p = 4/6
        assert test.loo_excess.tolist() == pytest.approx([2.5, 1.8, 1.7])
        assert test.loo_p.tolist() == pytest.approx([2 / 6, 2 / 6, 4 / 6])

    def test_the_median_statistic_ignores_the_missing_starts_of_a_short_set(self) -> None:
        """Medians per set with NaN skipped: 1, 5.5, 5 -> center 11.5/3; observed median 2."""
        null = np.array([[1.0, 1.0, 0.0], [2.0, np.nan, 9.0], [5.0, 5.0, 4.0]])
        # set medians: (0, 1, 1) -> 1; the short set (2, 9) -> their mean 5.5; (4, 5, 5) -> 5
        test = compare_with_null(np.array([2.0, 1.0, 3.0]), null, nan_median, 0.9)

        assert test.observed == pytest.approx(2.0)
        assert test.null_center == pytest.approx((1.0 + 5.5 + 5.0) / 3)
        assert test.excess == pytest.approx(2.0 - 11.5 / 3)

    def test_a_single_episode_has_no_leave_one_out(self) -> None:
        """K = 1: the LOO arrays hold one NaN each; the row itself is still tested."""
        test = compare_with_null(np.array([4.0]), np.array([[0.0], [2.0], [6.0]]), nan_mean, 0.9)
        # center 8/3; distances 8/3, 2/3, 10/3 vs 4/3: 0 and 6 -> p = 3/4
        assert test.p_value == pytest.approx(3 / 4)
        assert np.isnan(test.loo_excess).tolist() == [True]
        assert np.isnan(test.loo_p).tolist() == [True]

    def test_no_episodes_give_a_row_of_nan_with_count_zero(self) -> None:
        """K = 0: count 0, every number NaN, empty LOO arrays."""
        test = compare_with_null(np.array([]), np.zeros((4, 0)), nan_mean, 0.9)
        assert test.count == 0 and len(test.loo_excess) == 0 and len(test.loo_p) == 0
        assert np.isnan([test.observed, test.excess, test.p_value, test.ci_low]).all()


class TestValuesAt:
    def test_reads_the_outcome_at_each_pick_and_nan_for_minus_one(self) -> None:
        """picks [[0, -1], [2, 1]] over [10, 20, 30] -> [[10, NaN], [30, 20]]."""
        out = values_at(np.array([[0, -1], [2, 1]]), np.array([10.0, 20.0, 30.0]))
        assert out[0, 0] == 10.0 and np.isnan(out[0, 1])
        assert out[1].tolist() == [30.0, 20.0]


def test_the_fast_leave_one_out_of_a_mean_equals_dropping_each_column() -> None:
    """The O(BK) leave-one-out of nan_mean gives what the column-by-column loop gives."""
    rng = np.random.default_rng(7)
    episodes = rng.normal(size=12)
    null = rng.normal(size=(500, 12))
    null[rng.random(null.shape) < 0.05] = np.nan  # short sets
    fast = compare_with_null(episodes, null, nan_mean, 0.9)
    # a wrapper is not nan_mean itself, so it takes the loop
    slow = compare_with_null(episodes, null, lambda v: nan_mean(v), 0.9)
    assert fast.loo_excess == pytest.approx(slow.loo_excess)
    assert fast.loo_p == pytest.approx(slow.loo_p)
