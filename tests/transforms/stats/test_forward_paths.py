"""Forward log returns from the next session's close, and the day a ratio peaks."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.stats.forward_paths import NO_ENTRY, ForwardPaths, forward_paths

# Day 0 is a Monday. RUT trades on weekdays 0..30 (last session: day 30, a Wednesday).
SESSIONS = np.array([d for d in range(31) if d % 7 < 5])
DAILY = np.arange(31)
# ETH has no close on days 10..19 (a 10-day hole).
ETH_DAYS = np.array([d for d in DAILY if not 10 <= d <= 19])
# Constant growth in log: RUT 0.002 a day, BTC 0.01, ETH 0.03, ALTS 0.05.
PRICES = {
    "RUT": (SESSIONS, 1000.0 * np.exp(0.002 * SESSIONS)),
    "BTC": (DAILY, 100.0 * np.exp(0.01 * DAILY)),
    "ETH": (ETH_DAYS, 10.0 * np.exp(0.03 * ETH_DAYS)),
    "ALTS": (DAILY, 1.0 * np.exp(0.05 * DAILY)),
}


def _paths(horizons: tuple[int, ...] = (2, 3, 7)) -> ForwardPaths:
    return forward_paths(SESSIONS, PRICES, horizons, max_stale_days=3, peak_window_days=5)


def _at(paths: ForwardPaths, leg: str, horizon: int, start_day: int) -> float:
    return float(paths.returns[leg][horizon][np.searchsorted(SESSIONS, start_day)])


class TestForwardPaths:
    def test_each_start_enters_at_the_next_session(self) -> None:
        """Monday 0 enters Tuesday 1; Friday 4 enters Monday 7; the last session has no entry."""
        paths = _paths()
        entries = dict(zip(paths.start_days.tolist(), paths.entry_days.tolist(), strict=True))
        assert (entries[0], entries[4], entries[30]) == (1, 7, NO_ENTRY)

    def test_returns_are_log_returns_from_the_next_sessions_close(self) -> None:
        """Start 0, entry 1, h = 3 ends on day 4: BTC 3 x 0.01, RUT 3 x 0.002."""
        paths = _paths()
        assert _at(paths, "btc", 3, 0) == pytest.approx(0.03)
        assert _at(paths, "btc_vs_rut", 3, 0) == pytest.approx(0.03 - 0.006)
        assert _at(paths, "alts", 7, 0) == pytest.approx(0.35)  # entry 1 -> day 8: 7 x 0.05
        # alts_vs_eth from start 22 (entry 23 -> day 30): 7 x (0.05 - 0.03)
        assert _at(paths, "alts_vs_eth", 7, 22) == pytest.approx(0.14)

    def test_a_horizon_ending_on_a_weekend_uses_the_latest_close_on_or_before_it(self) -> None:
        """Start Wed 2, entry Thu 3, h = 3 ends Sunday 6: RUT's close is Friday 4's."""
        paths = _paths()
        # RUT: day 4 - day 3 = 1 x 0.002; BTC trades daily: 3 x 0.01
        assert _at(paths, "btc_vs_rut", 3, 2) == pytest.approx(0.03 - 0.002)

    def test_a_horizon_not_yet_elapsed_is_nan(self) -> None:
        """Start Fri 25, entry Mon 28: h = 2 ends on 30 (the last close), h = 3 on 31 (not yet)."""
        paths = _paths()
        assert _at(paths, "btc", 2, 25) == pytest.approx(0.02)
        assert np.isnan(_at(paths, "btc", 3, 25))
        assert np.isnan(_at(paths, "btc", 2, 30))  # the last session has no entry at all

    @pytest.mark.parametrize(
        ("start_day", "horizon", "is_nan"),
        [
            # entry 9, end 12: ETH's latest close on or before 12 is day 9, 3 days old -> kept
            pytest.param(8, 3, False, id="three_days_old_is_fresh"),
            # entry 9, end 16: ETH's latest is still day 9, 7 days old > 3 -> NaN
            pytest.param(8, 7, True, id="seven_days_old_is_stale"),
            # entry 15 (in the hole): the entry close is day 9's, 6 days old -> NaN
            pytest.param(14, 3, True, id="stale_at_entry"),
        ],
    )
    def test_a_close_older_than_max_stale_days_at_either_end_is_nan(
        self, start_day: int, horizon: int, is_nan: bool
    ) -> None:
        """max_stale_days = 3 on the ETH hole (no close on days 10..19)."""
        paths = _paths()
        value = _at(paths, "eth", horizon, start_day)
        assert np.isnan(value) == is_nan
        if not is_nan:
            assert value == pytest.approx(0.0)  # 9 -> 9: the carried close did not move
        # legs built on ETH inherit the NaN; BTC alone does not
        assert np.isnan(_at(paths, "eth_vs_btc", horizon, start_day)) == is_nan
        assert not np.isnan(_at(paths, "btc", horizon, start_day))

    def test_no_sessions_give_empty_paths(self) -> None:
        """No sessions: every leg at every horizon is an empty array."""
        paths = forward_paths(np.array([], dtype=np.int64), PRICES, (3,), 3, 5)
        assert len(paths.entry_days) == 0 and len(paths.returns["btc"][3]) == 0


class TestPeakDays:
    def test_the_peak_day_of_a_ratio_that_rises_then_falls_counts_from_entry(self) -> None:
        """BTC/RUT peaks on day 8; start 2 enters on 3, so the peak is 5 days after entry."""
        days = np.arange(21)
        btc = np.exp(-0.01 * (days - 8.0) ** 2)  # log ratio -0.01 (d - 8)^2, flat RUT
        prices = {"RUT": (days, np.full(21, 100.0)), "BTC": (days, btc)}
        paths = forward_paths(days, prices, (3,), max_stale_days=3, peak_window_days=10)

        # window: days 4..13 after entry 3; the maximum is on day 8 -> 8 - 3 = 5
        assert paths.peak_days["btc_vs_rut"][2] == 5.0
        # start 9 enters on 10 after the peak: the ratio only falls, so the first day is highest
        assert paths.peak_days["btc_vs_rut"][9] == 1.0
        # start 11 enters on 12: 12 + 10 = 22 is past the last close (20) -> not yet known
        assert np.isnan(paths.peak_days["btc_vs_rut"][11])
        # no ETH prices: the ETH ratios have no peak
        assert np.isnan(paths.peak_days["eth_vs_btc"]).all()


def test_sessions_before_1970_have_entries_and_returns() -> None:
    """Day numbers are negative before 1970: an entry is never mistaken for 'no session'."""
    sessions = np.array([-10, -9, -8])
    prices = {"BTC": (np.arange(-12, 40), np.exp(0.01 * np.arange(52)))}
    paths = forward_paths(sessions, prices, (30,), 7, 5)
    # -10 enters at -9, -9 at -8, and the last session has none yet
    assert paths.entry_days.tolist() == [-9, -8, NO_ENTRY]
    # BTC's log price rises 0.01 a day: 30 days after entry = 0.30
    assert paths.returns["btc"][30][:2] == pytest.approx([0.30, 0.30])
