"""Net liquidity and its 13-week impulse as known on each day: release lags and vintages."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from transforms.stats.liquidity_known import input_as_known, liquidity_as_known, published_values

LAGS = {"WALCL": 1, "RRPONTSYD": 1}
MAX_AGE = {"WALCL": 13, "RRPONTSYD": 5, "TGA": 5}
BASE = date(2023, 1, 1)


def n(day: date) -> int:
    """Days since 2023-01-01: each toy value encodes its observation date."""
    return (day - BASE).days


# Every value is a line in its observation date, so each end can be read back from the value:
# WALCL 8000 + n, TGA 600 + n, RRP 1500 - 2n. Over 91 days the impulse is 91 (1 - 1 + 2) = 182.
def walcl(day: date) -> float:
    return 8000.0 + n(day)


def tga(day: date) -> float:
    return 600.0 + n(day)


def rrp(day: date) -> float:
    return 1500.0 - 2 * n(day)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


HISTORY = _days(date(2023, 8, 1), date(2024, 1, 31))
WEDNESDAYS = [d for d in HISTORY if d.weekday() == 2]
WEEKDAYS = [d for d in HISTORY if d.weekday() < 5]
NO_VINTAGES = pl.DataFrame(
    schema={
        "series_id": pl.Utf8,
        "observation_date": pl.Date,
        "value_usd_bn": pl.Float64,
        "known_from": pl.Date,
        "known_until": pl.Date,
    }
)


def observations(rrp_until: date = HISTORY[-1]) -> pl.DataFrame:
    """WALCL on Wednesdays, RRP every day up to ``rrp_until``."""
    rows = [("WALCL", d, walcl(d)) for d in WEDNESDAYS]
    rows += [("RRPONTSYD", d, rrp(d)) for d in HISTORY if d <= rrp_until]
    return pl.DataFrame(
        rows, schema=["series_id", "observation_date", "value_usd_bn"], orient="row"
    )


def tga_records() -> pl.DataFrame:
    """The DTS closing balance on every weekday."""
    return pl.DataFrame({"record_date": WEEKDAYS, "tga_usd_bn": [tga(d) for d in WEEKDAYS]})


def walcl_vintages(revisions: list[tuple[date, float, date]]) -> pl.DataFrame:
    """WALCL vintages: each Wednesday first published Thursday, plus (obs, value, known_from)."""
    rows = [("WALCL", d, walcl(d), d + timedelta(days=1), None) for d in WEDNESDAYS]
    rows += [("WALCL", obs, value, known, None) for obs, value, known in revisions]
    return pl.DataFrame(rows, schema=NO_VINTAGES.schema, orient="row")


def as_known(published: pl.DataFrame, days: list[date]) -> dict[date, dict]:
    frame = liquidity_as_known(published, pl.Series(days), MAX_AGE, 91)
    return {row["date"]: row for row in frame.iter_rows(named=True)}


class TestPublishedValues:
    def test_without_vintages_walcl_is_known_the_day_after_its_wednesday(self) -> None:
        """WALCL of Wed 2024-01-03 is known from Thu 2024-01-04; RRP the next day too."""
        published = published_values(NO_VINTAGES, observations(), tga_records(), LAGS)
        row = published.filter(
            (pl.col("input") == "WALCL") & (pl.col("observation_date") == date(2024, 1, 3))
        )
        assert row["known_from"].to_list() == [date(2024, 1, 4)]
        assert row["value_usd_bn"].to_list() == [walcl(date(2024, 1, 3))]

    @pytest.mark.parametrize(
        ("record", "known"),
        [
            pytest.param(date(2024, 1, 3), date(2024, 1, 4), id="wednesday_on_thursday"),
            pytest.param(date(2024, 1, 5), date(2024, 1, 8), id="friday_on_monday"),
        ],
    )
    def test_the_dts_is_known_on_the_next_weekday(self, record: date, known: date) -> None:
        """A DTS record is known the next weekday: Friday's on Monday."""
        published = published_values(NO_VINTAGES, observations(), tga_records(), LAGS)
        row = published.filter((pl.col("input") == "TGA") & (pl.col("observation_date") == record))
        assert row["known_from"].to_list() == [known]

    def test_a_vintage_is_never_used_before_the_release_lag(self) -> None:
        """A vintage dated on its observation day is still first known one day later."""
        same_day = [(date(2024, 1, 10), 9999.0, date(2024, 1, 10))]
        published = published_values(walcl_vintages(same_day), observations(), tga_records(), LAGS)
        row = published.filter(pl.col("value_usd_bn") == 9999.0)
        assert row["known_from"].to_list() == [date(2024, 1, 11)]


class TestInputAsKnown:
    def test_wednesdays_walcl_is_first_used_on_thursday(self) -> None:
        """On Wed 2024-01-03 the latest WALCL is 2023-12-27's; on Thursday it is 2024-01-03's."""
        published = published_values(NO_VINTAGES, observations(), tga_records(), LAGS)
        walcl_rows = published.filter(pl.col("input") == "WALCL")
        frame = input_as_known(walcl_rows, pl.Series([date(2024, 1, 3), date(2024, 1, 4)]), 13, 91)

        assert frame["observation_date"].to_list() == [date(2023, 12, 27), date(2024, 1, 3)]
        assert frame["value_usd_bn"].to_list() == [walcl(date(2023, 12, 27)), 8367.0]
        # the far end: 91 days (13 weeks) before each latest observation
        assert frame["lag_observation_date"].to_list() == [date(2023, 9, 27), date(2023, 10, 4)]
        assert frame["lag_value_usd_bn"].to_list() == [walcl(date(2023, 9, 27)), 8276.0]

    def test_the_tga_of_a_weekend_day_is_fridays_only_from_monday(self) -> None:
        """Sat/Sun see Thursday's record (known Friday); Monday sees Friday's."""
        published = published_values(NO_VINTAGES, observations(), tga_records(), LAGS)
        days = [date(2024, 1, 6), date(2024, 1, 7), date(2024, 1, 8)]
        frame = input_as_known(published.filter(pl.col("input") == "TGA"), pl.Series(days), 5, 91)
        assert frame["observation_date"].to_list() == [
            date(2024, 1, 4),
            date(2024, 1, 4),
            date(2024, 1, 5),
        ]


class TestLiquidityAsKnown:
    def test_the_impulse_uses_both_ends_as_published_by_the_day(self) -> None:
        """Thu 2024-01-04: every input at 2024-01-03 (n = 367) and 2023-10-04 (n = 276)."""
        published = published_values(NO_VINTAGES, observations(), tga_records(), LAGS)
        row = as_known(published, [date(2024, 1, 4)])[date(2024, 1, 4)]

        # now: 8367 - 967 - (1500 - 734) = 6634; then: 8276 - 876 - (1500 - 552) = 6452
        assert row["walcl_observation_date"] == date(2024, 1, 3)
        assert row["walcl_usd_bn"] == 8367.0
        assert row["net_liquidity_usd_bn"] == pytest.approx(6634.0)
        assert row["impulse_13w_usd_bn"] == pytest.approx(182.0)
        assert row["impulse_13w_pct_walcl"] == pytest.approx(100 * 182 / 8367)

    def test_a_revision_published_after_a_day_never_changes_that_days_values(self) -> None:
        """Both ends of WALCL revised on 2024-01-10: days before keep the first print."""
        days = _days(date(2024, 1, 4), date(2024, 1, 12))
        revisions = [
            (date(2024, 1, 3), 8367.0 + 50.0, date(2024, 1, 10)),  # the near end, +50
            (date(2023, 10, 4), 8276.0 - 20.0, date(2024, 1, 10)),  # the far end, -20
        ]
        first = as_known(
            published_values(walcl_vintages([]), observations(), tga_records(), LAGS), days
        )
        revised = as_known(
            published_values(walcl_vintages(revisions), observations(), tga_records(), LAGS),
            days,
        )

        for day in _days(date(2024, 1, 4), date(2024, 1, 9)):
            assert revised[day] == first[day]  # known before the revision: identical
        # Wed 2024-01-10: latest WALCL still 2024-01-03 (2024-01-10's comes out Thursday),
        # now at the revised values: impulse (8417 - 8256) - ... = first impulse + 50 + 20
        on_10 = revised[date(2024, 1, 10)]
        assert on_10["walcl_observation_date"] == date(2024, 1, 3)
        assert on_10["walcl_usd_bn"] == 8417.0
        assert on_10["impulse_13w_usd_bn"] == pytest.approx(
            first[date(2024, 1, 10)]["impulse_13w_usd_bn"] + 70.0
        )
        # Thu 2024-01-11 moves to 2024-01-10 and 2023-10-11: neither end revised
        assert revised[date(2024, 1, 11)] == first[date(2024, 1, 11)]

    @pytest.mark.parametrize(
        ("day", "is_null"),
        [
            # RRP stops at 2024-01-02: on 01-07 it is 5 days old (the limit), kept
            pytest.param(date(2024, 1, 7), False, id="five_days_old_is_fresh"),
            # on 01-08 it is 6 days old > 5: stale, no impulse that day
            pytest.param(date(2024, 1, 8), True, id="six_days_old_is_stale"),
        ],
    )
    def test_a_stale_input_gives_a_null_impulse(self, day: date, is_null: bool) -> None:
        """RRP's last observation is 2024-01-02 (max age 5 days)."""
        published = published_values(
            NO_VINTAGES, observations(rrp_until=date(2024, 1, 2)), tga_records(), LAGS
        )
        row = as_known(published, [day])[day]
        assert (row["impulse_13w_usd_bn"] is None) == is_null
        assert (row["net_liquidity_usd_bn"] is None) == is_null
        if not is_null:
            # WALCL 2024-01-03 (n 367), TGA Fri 2024-01-05 (n 369), RRP 2024-01-02 (n 366):
            # the ends differ per input; each impulse end is 91 days back for that input
            assert row["impulse_13w_usd_bn"] == pytest.approx(182.0)
