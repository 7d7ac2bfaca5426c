"""The custom time-series expectations: level jumps, freshness, date steps."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from expectations.custom.freshness import lag_days
from expectations.custom.gaps import date_step_within
from expectations.custom.jump import within_rolling_jump
from sources import binance, fred, treasury_dts
from tests.expectations.conftest import (
    cash_table,
    days,
    dts_rows,
    failed,
    klines,
    observations,
    validate,
    weekly,
)

JUMP = "expect_series_levels_to_not_jump"
FRESH = "expect_newest_date_to_be_recent"
FIRST_WEDNESDAY = date(2019, 11, 6)

# A WALCL-like path in USD mn: a calm autumn drifting up by repo operations, then a spring
# ramp shaped like March 2020 (+2%, +8%, +12%, +10%, +5% a week), then a slower climb.
CALM = [4.05e6, 4.06e6, 4.08e6, 4.07e6, 4.10e6, 4.13e6, 4.15e6, 4.17e6, 4.16e6, 4.18e6]
RAMP = [4.26e6, 4.62e6, 5.20e6, 5.74e6, 6.03e6, 6.31e6, 6.50e6, 6.61e6, 6.69e6, 6.74e6]


def jump_frame(values: list[float]) -> pd.DataFrame:
    dates = [FIRST_WEDNESDAY + timedelta(weeks=i) for i in range(len(values))]
    return pd.DataFrame({"series_id": "WALCL", "date": pd.to_datetime(dates), "value": values})


def jumps(values: list[float]) -> list[int]:
    """Positions of the rows the jump test fails, with the WALCL suite's settings."""
    ok = within_rolling_jump(
        jump_frame(values), max_sigmas=25.0, window=26, min_stdev=0.01, min_periods=4
    )
    return [i for i, passes in enumerate(ok) if not passes]


class TestLevelJumps:
    def test_a_crisis_ramp_passes(self):
        """+12% in a week after a calm year is z ~ 12 against a 1% floor: large, not a jump."""
        assert jumps(CALM + RAMP) == []

    def test_a_one_off_20_percent_week_after_calm_passes(self):
        """ln(1.22) = 0.2 over a 1% floor is z = 20 < 25: the 2008-style first leg passes."""
        assert jumps([*CALM, CALM[-1] * 1.22]) == []

    @pytest.mark.parametrize(
        ("position", "flagged"),
        [
            # the 1000x value itself is the jump; the way back is judged against a window
            # that now holds the jump, so only the bad row fails
            pytest.param(12, [12], id="in_the_middle"),
            # the first row has no change to judge; the next row's -6.9 log step fails
            pytest.param(0, [1], id="first_row"),
            pytest.param(19, [19], id="last_row"),
        ],
    )
    def test_a_1000x_unit_error_fails_one_row(self, position, flagged):
        """ln(1000) = 6.9 is hundreds of rolling standard deviations in any regime."""
        values = CALM + RAMP
        values[position] *= 1000
        assert jumps(values) == flagged

    def test_a_non_positive_level_fails(self):
        """A balance sheet of zero cannot be judged on a log scale and is never real."""
        assert jumps([*CALM[:5], 0.0, *CALM[5:]]) == [5]

    def test_rows_in_any_order_are_judged_per_series_in_date_order(self):
        """Shuffled rows of two series give the same verdict as sorted ones."""
        values = CALM + RAMP
        values[12] *= 1000
        walcl = jump_frame(values)
        mbs = jump_frame([2.6e6 + 1e3 * i for i in range(20)]).assign(series_id="WSHOMCB")
        frame = pd.concat([walcl, mbs], ignore_index=True).sample(frac=1.0, random_state=7)

        ok = within_rolling_jump(frame, max_sigmas=25.0, window=26, min_stdev=0.01, min_periods=4)

        assert list(ok[~ok].index) == [12]

    def test_the_fred_suite_blocks_only_the_series_with_the_unit_error(self):
        """WALCL 1000x too large once: WALCL is blocked by the jump test, WSHOMCB still loads."""
        values = CALM + RAMP
        values[12] *= 1000
        frame = observations(
            {
                "WALCL": weekly(FIRST_WEDNESDAY, values),
                "WSHOMCB": weekly(FIRST_WEDNESDAY, [2.6e6 + 1e3 * i for i in range(20)]),
            },
            realtime=date(2020, 3, 26),
        )

        result = validate(fred.CONTRACT, frame)

        assert failed(result) == {(JUMP, "WALCL"): 1}
        assert list(result.blocked_streams) == ["WALCL"]
        jump = next(r for r in result.results if r.expectation.startswith(JUMP) and r.stream)
        assert jump.observed_value == '{"rows":1,"dates":["2020-01-29"]}'  # week 12 from 11-06


class TestFreshness:
    @pytest.mark.parametrize(
        ("as_of", "stale"),
        [
            # yesterday's candle is final: 1 day old
            pytest.param(date(2024, 3, 7), [], id="one_day_old"),
            pytest.param(date(2024, 3, 8), [], id="two_days_old"),
            pytest.param(date(2024, 3, 9), ["BTCUSDT", "ETHUSDT"], id="three_days_old"),
        ],
    )
    def test_binance_candles_may_be_two_days_old(self, as_of, stale):
        """The newest candle (2024-03-06) against a run on ``as_of``; stale only warns."""
        result = validate(binance.CONTRACT, klines(), window=(date(2024, 3, 1), as_of))

        assert sorted(w.stream for w in result.warnings) == stale
        assert result.blocked_streams == {}
        assert {w.severity for w in result.warnings} <= {"warn"}

    @pytest.mark.parametrize(
        ("as_of", "stale"),
        [
            # WALCL's newest is Wed 2024-01-17; the next Thursday morning it is 6 business
            # days old, and 7 when a holiday pushes the release to Friday
            # RRP's newest is Fri 2024-01-19: 4 business days on Thursday, 5 on Friday
            pytest.param(date(2024, 1, 25), [], id="thursday_after"),
            pytest.param(date(2024, 1, 26), ["RRPONTSYD"], id="friday_after"),
            pytest.param(date(2024, 1, 29), ["RRPONTSYD", "WALCL"], id="monday_after"),
        ],
    )
    def test_fred_lags_are_weekly_for_h41_and_daily_for_rrp(self, as_of, stale):
        """One freshness expectation, with RRPONTSYD's own shorter lag."""
        frame = observations(
            {
                "WALCL": weekly(date(2024, 1, 3), [7.70e6, 7.68e6, 7.69e6]),
                "RRPONTSYD": [(day, 600.0) for day in days(date(2024, 1, 15), 5)],
            },
            realtime=as_of,
        )

        result = validate(fred.CONTRACT, frame, window=(date(2024, 1, 1), as_of))

        assert sorted(w.stream for w in result.warnings) == stale

    def test_rrp_five_business_days_old_warns(self):
        """Fri 2024-01-19 seen on Fri 2024-01-26 is 5 business days: one past its lag."""
        frame = observations(
            {"RRPONTSYD": [(day, 600.0) for day in days(date(2024, 1, 15), 5)]},
            realtime=date(2024, 1, 26),
        )

        result = validate(fred.CONTRACT, frame, window=(date(2024, 1, 1), date(2024, 1, 26)))

        warning = result.warnings[0]
        assert (warning.stream, warning.rows_failed) == ("RRPONTSYD", 0)
        assert warning.reason == "newest 2024-01-19 is 5 days before 2024-01-26"
        assert warning.observed_value == '{"RRPONTSYD":"2024-01-19"}'

    def test_a_treasury_batch_is_one_stream_named_after_its_resource(self):
        """DTS has no stream column: a stale statement warns on 'operating_cash_balance'."""
        frame = cash_table(dts_rows(date(2024, 1, 4), 750_000.0))

        result = validate(
            treasury_dts.CONTRACT, frame, window=(date(2024, 1, 1), date(2024, 1, 12))
        )

        assert [(w.stream, w.reason) for w in result.warnings] == [
            ("operating_cash_balance", "newest 2024-01-04 is 6 days before 2024-01-12")
        ]

    def test_a_backfill_is_judged_at_its_window_end_not_the_run_date(self):
        """as_of = min(run date, window end): a 2024 run over March 2024 is not stale."""
        result = validate(
            binance.CONTRACT,
            klines(),
            window=(date(2024, 3, 1), date(2024, 3, 6)),
            run_date=date(2025, 6, 1),
        )

        assert result.warnings == []

    @pytest.mark.parametrize(
        ("newest", "as_of", "business", "expected"),
        [
            pytest.param(date(2024, 1, 17), date(2024, 1, 25), False, 8, id="calendar"),
            # Wed -> next Thu: Wed, Thu, Fri, Mon, Tue, Wed are business days before it
            pytest.param(date(2024, 1, 17), date(2024, 1, 25), True, 6, id="business"),
            pytest.param(date(2024, 1, 19), date(2024, 1, 22), True, 1, id="over_a_weekend"),
        ],
    )
    def test_lag_counts_calendar_or_business_days(self, newest, as_of, business, expected):
        assert lag_days(newest, as_of, business_days=business) == expected


class TestDateSteps:
    @pytest.mark.parametrize(
        ("dates", "max_step", "business", "failing"),
        [
            # Fri -> Mon is one session
            pytest.param(["2024-03-01", "2024-03-04"], 1, True, [], id="weekend_is_one_session"),
            # Fri -> Mon is three calendar days
            pytest.param(["2024-03-01", "2024-03-04"], 1, False, [1], id="weekend_is_3_days"),
            # the same date twice: a duplicate, whatever the calendar
            pytest.param(["2024-03-01", "2024-03-01"], 5, True, [1], id="repeat"),
            # Sat after Fri is 0 business days later but a new calendar day: not a repeat
            pytest.param(["2024-03-01", "2024-03-02"], 1, True, [], id="weekend_row"),
        ],
    )
    def test_steps_between_consecutive_dates(self, dates, max_step, business, failing):
        frame = pd.DataFrame({"asset": "X", "date": pd.to_datetime(dates)})
        ok = date_step_within(frame, max_step=max_step, business_days=business)
        assert [i for i, passes in enumerate(ok) if not passes] == failing

    def test_interleaved_streams_are_stepped_separately(self):
        """Rows of two assets, alternating and out of order, are judged per asset."""
        frame = pd.DataFrame(
            {
                "asset": ["A", "B", "A", "B"],
                "date": pd.to_datetime(["2024-03-03", "2024-03-01", "2024-03-01", "2024-03-02"]),
            }
        )
        ok = date_step_within(frame, max_step=1, business_days=False)
        # A: 03-01 -> 03-03 skips a day (row 0); B: 03-01 -> 03-02 is fine
        assert ok.tolist() == [False, True, True, True]
