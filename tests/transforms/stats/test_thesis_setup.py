"""The causal hysteresis state, run starts, de-clustering and setup flags of thesis_setup."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.stats.thesis_setup import confirmed_state, decluster, run_starts, setup_flags


def _bools(text: str) -> np.ndarray:
    """'1101' -> [True, True, False, True]."""
    return np.array([c == "1" for c in text], dtype=bool)


class TestConfirmedState:
    def test_turns_on_after_confirm_sessions_and_off_after_exit_sessions_without(self) -> None:
        """On at the 3rd consecutive session, kept through a 1-session gap, off at the 2nd miss."""
        condition = _bools("110111011001")
        # i0-1: run of 2 < 3, i2 breaks it; i3-5: run reaches 3 on i5 -> on; i6: one miss (< 2)
        # stays on; i7-8 on; i9 first miss, i10 second miss -> off; i11 a run of 1 -> still off
        expected = _bools("000001111100")

        assert confirmed_state(condition, confirm=3, exit_after=2).tolist() == expected.tolist()

    def test_never_flickers_on_one_session_gaps(self) -> None:
        """Alternating condition never confirms; once on, alternating never turns it off."""
        # confirm=2 needs two in a row: 1010... never gets there
        assert not confirmed_state(_bools("10101010"), confirm=2, exit_after=2).any()
        # on at i1 (two in a row), then misses come one at a time: exit_after=2 never reached
        state = confirmed_state(_bools("11010101"), confirm=2, exit_after=2)
        assert state.tolist() == _bools("01111111").tolist()

    def test_is_off_everywhere_on_an_empty_or_all_false_condition(self) -> None:
        """No condition, no state: an empty input gives an empty state."""
        assert confirmed_state(np.zeros(0, dtype=bool), 3, 2).tolist() == []
        assert confirmed_state(np.zeros(5, dtype=bool), 1, 1).tolist() == [False] * 5

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_the_state_on_a_session_depends_only_on_that_session_and_earlier(
        self, seed: int
    ) -> None:
        """The state of every prefix equals the prefix of the state; later data changes nothing."""
        rng = np.random.default_rng(seed)
        condition = rng.random(300) < 0.7
        full = confirmed_state(condition, confirm=5, exit_after=3)
        for k in range(0, 300, 7):
            assert confirmed_state(condition[:k], 5, 3).tolist() == full[:k].tolist()
            altered = condition.copy()
            altered[k:] = ~altered[k:]  # rewrite the future
            assert confirmed_state(altered, 5, 3)[:k].tolist() == full[:k].tolist()
        assert full.any() and not full.all()  # the inputs do switch the state both ways


class TestRunStarts:
    def test_each_flagged_day_carries_the_first_day_of_its_run(self) -> None:
        """Runs [1,2] and [4] start on 2024-01-02 and 2024-01-05; off days are NaT."""
        days = np.arange("2024-01-01", "2024-01-06", dtype="datetime64[D]")
        out = run_starts(_bools("01101"), days)

        assert out[1] == out[2] == np.datetime64("2024-01-02")
        assert out[4] == np.datetime64("2024-01-05")
        assert np.isnat(out[0]) and np.isnat(out[3])

    def test_a_run_open_on_the_first_day_starts_on_the_first_day(self) -> None:
        """A flag already on at index 0 starts its run there."""
        days = np.arange("2024-03-01", "2024-03-04", dtype="datetime64[D]")
        out = run_starts(_bools("111"), days)

        assert out.tolist() == [np.datetime64("2024-03-01").astype(object)] * 3

    def test_empty_flags_give_an_empty_result(self) -> None:
        """No sessions, no starts."""
        assert len(run_starts(np.zeros(0, dtype=bool), np.zeros(0, "datetime64[D]"))) == 0


class TestDecluster:
    def test_keeps_the_first_start_and_skips_candidates_inside_the_cooldown(self) -> None:
        """Day 0 starts; 1..89 are inside its 90-day cooldown; 90 starts; 200 starts."""
        candidates = np.array([0, 1, 2, 50, 89, 90, 91, 200])
        # 0 -> next allowed 90 (index 5) -> next allowed 180: first candidate >= 180 is 200
        assert decluster(candidates, 90).tolist() == [0, 5, 7]

    @pytest.mark.parametrize(
        ("second", "expected"),
        [
            pytest.param(89, [0], id="day_89_is_inside_the_cooldown"),
            pytest.param(90, [0, 1], id="day_90_starts_a_new_episode"),
        ],
    )
    def test_the_cooldown_boundary_is_exactly_cooldown_days(
        self, second: int, expected: list[int]
    ) -> None:
        """A candidate 89 days after a start is dropped, one 90 days after it starts."""
        assert decluster(np.array([10, 10 + second]), 90).tolist() == expected

    def test_a_setup_still_running_when_the_cooldown_ends_starts_a_new_episode_that_day(
        self,
    ) -> None:
        """A setup on every day 0..200 starts episodes on days 0, 90 and 180."""
        candidates = np.arange(0, 201)
        # the index of day d is d here
        assert decluster(candidates, 90).tolist() == [0, 90, 180]

    def test_a_later_first_candidate_is_the_first_start(self) -> None:
        """Starts count from the first candidate, not from day 0."""
        # 37 starts; 37 + 90 = 127 -> first candidate >= 127 is 130 (index 2)
        assert decluster(np.array([37, 100, 130, 219, 220]), 90).tolist() == [0, 2, 4]

    def test_no_candidates_give_no_starts(self) -> None:
        """An empty candidate list gives an empty int array."""
        out = decluster(np.array([], dtype=np.int64), 90)
        assert out.tolist() == [] and out.dtype == np.int64


class TestSetupFlags:
    def test_the_setup_needs_an_impulse_above_the_threshold_and_a_confirmed_uptrend(
        self,
    ) -> None:
        """Impulse strictly above 1.0 (NaN is unknown: not expanding) and the state on."""
        impulse = np.array([2.0, 2.0, np.nan, 1.0, 1.5, 0.2])
        condition = _bools("111111")
        expanding, uptrend, setup = setup_flags(impulse, condition, 1.0, confirm=2, exit_after=2)

        # 2.0 > 1, NaN -> no, 1.0 is not > 1.0, 1.5 > 1, 0.2 no
        assert expanding.tolist() == [True, True, False, False, True, False]
        # two sessions of the condition confirm it on index 1
        assert uptrend.tolist() == [False, True, True, True, True, True]
        assert setup.tolist() == [False, True, False, False, True, False]
