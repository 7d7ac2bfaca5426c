"""Benjamini-Hochberg and Benjamini-Yekutieli q-values against hand-computed ones."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.stats.multiple_testing import benjamini_hochberg, benjamini_yekutieli

P = np.array([0.01, 0.04, 0.03, 0.2])
# BH by hand, m = 4, sorted p 0.01, 0.03, 0.04, 0.2 scaled by m / rank:
#   0.01*4/1 = 0.04, 0.03*4/2 = 0.06, 0.04*4/3 = 0.05333, 0.2*4/4 = 0.2
# running minimum from the largest: 0.2, 0.05333, min(0.06, 0.05333) = 0.05333, 0.04
BH = [0.04, 0.16 / 3, 0.16 / 3, 0.2]
# BY = BH times 1 + 1/2 + 1/3 + 1/4 = 25/12: 0.04 -> 1/12, 0.16/3 -> 1/9, 0.2 -> 5/12
BY = [1 / 12, 1 / 9, 1 / 9, 5 / 12]


class TestBenjaminiHochberg:
    def test_matches_hand_computed_q_values_in_input_order(self) -> None:
        """q = [0.04, 0.0533, 0.0533, 0.2] for p = [0.01, 0.04, 0.03, 0.2]."""
        assert benjamini_hochberg(P).tolist() == pytest.approx(BH)

    def test_caps_q_values_at_one(self) -> None:
        """p = [0.6, 0.9]: 0.6*2/1 = 1.2 -> capped; 0.9*2/2 = 0.9 and the minimum gives 0.9."""
        assert benjamini_hochberg(np.array([0.6, 0.9])).tolist() == pytest.approx([0.9, 0.9])
        assert benjamini_hochberg(np.array([0.99, 1.0, 1.0])).max() == 1.0

    def test_a_single_test_keeps_its_p_value(self) -> None:
        """m = 1: q = p."""
        assert benjamini_hochberg(np.array([0.07])).tolist() == pytest.approx([0.07])

    def test_no_tests_give_no_q_values(self) -> None:
        """An empty family gives an empty array."""
        assert benjamini_hochberg(np.array([])).tolist() == []


class TestBenjaminiYekutieli:
    def test_matches_hand_computed_q_values_in_input_order(self) -> None:
        """q = BH x 25/12 = [0.0833, 0.1111, 0.1111, 0.4167]."""
        assert benjamini_yekutieli(P).tolist() == pytest.approx(BY)

    def test_caps_q_values_at_one(self) -> None:
        """p = [0.5, 0.9], factor 1.5: 0.5*2*1.5 = 1.5, 0.9*1.5 = 1.35 -> both capped to 1."""
        assert benjamini_yekutieli(np.array([0.5, 0.9])).tolist() == [1.0, 1.0]

    def test_no_tests_give_no_q_values(self) -> None:
        """An empty family gives an empty array."""
        assert benjamini_yekutieli(np.array([])).tolist() == []

    @pytest.mark.parametrize("seed", [7, 8, 9])
    def test_q_values_are_monotone_in_p_and_never_below_p_or_bh(self, seed: int) -> None:
        """Sorted by p, q never decreases; p <= BH <= BY <= 1 everywhere."""
        p = np.random.default_rng(seed).random(25) ** 3
        order = np.argsort(p)
        bh, by = benjamini_hochberg(p), benjamini_yekutieli(p)

        assert np.all(np.diff(bh[order]) >= 0) and np.all(np.diff(by[order]) >= 0)
        assert np.all(p <= bh + 1e-15) and np.all(bh <= by + 1e-15) and np.all(by <= 1.0)
