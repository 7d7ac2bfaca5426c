"""The bar tables (Binance klines, Yahoo chart): a bad bar stops only its own symbol."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from sources import binance, yahoo_chart
from tests.expectations.conftest import (
    chart,
    days,
    failed,
    klines,
    set_value,
    validate,
)

MARCH_1 = date(2024, 3, 1)


class TestBinanceKlines:
    def test_a_duplicated_kline_blocks_only_its_symbol(self):
        """The same (symbol, open_time) twice: both copies are unexpected, ETHUSDT still loads."""
        frame = klines()
        frame = pl.concat([frame, frame.filter(pl.col("symbol") == "BTCUSDT").head(1)])

        result = validate(binance.CONTRACT, frame)

        assert list(result.blocked_streams) == ["BTCUSDT"]
        # 2 rows share the key; the repeat is also a 0-day step after its twin
        assert failed(result) == {
            ("expect_key_to_be_unique", "BTCUSDT"): 2,
            ("expect_dates_to_have_no_gaps_or_repeats", "BTCUSDT"): 1,
        }
        unique = next(r for r in result.results if "unique" in r.expectation and not r.success)
        assert (unique.rows_checked, unique.severity) == (7, "block")
        assert unique.observed_value == '{"rows":2,"dates":["2024-03-01","2024-03-01"]}'

    def test_a_missing_day_blocks_its_symbol_as_a_gap(self):
        """Crypto trades every day: ETHUSDT without 2024-03-03 is a truncated answer."""
        frame = klines().filter(
            ~((pl.col("symbol") == "ETHUSDT") & (pl.col("date") == date(2024, 3, 3)))
        )

        result = validate(binance.CONTRACT, frame)

        assert failed(result) == {("expect_dates_to_have_no_gaps_or_repeats", "ETHUSDT"): 1}
        assert result.blocked_streams["ETHUSDT"][0].startswith(
            "expect_dates_to_have_no_gaps_or_repeats(column_list=[symbol, date], max_step=1): "
        )

    @pytest.mark.parametrize(
        ("column", "value", "expectation"),
        [
            # low 90 -> -5: below zero, and the bar stays ordered (open, close above it)
            pytest.param("low", -5.0, "expect_column_values_to_be_between", id="negative_low"),
            # high below the close (101 + 1): the bar is out of order
            pytest.param("high", 100.5, "expect_bar_prices_to_be_ordered", id="high_below_close"),
            # open above the high (101 + 2)
            pytest.param("open", 104.0, "expect_bar_prices_to_be_ordered", id="open_above_high"),
            pytest.param(
                "volume", -1.0, "expect_column_values_to_be_between", id="negative_volume"
            ),
        ],
    )
    def test_a_bad_bar_blocks_only_its_symbol(self, column, value, expectation):
        """One corrupt BTCUSDT bar on 2024-03-02 blocks BTCUSDT and nothing else."""
        frame = set_value(klines(), column, value, symbol="BTCUSDT", date=date(2024, 3, 2))

        result = validate(binance.CONTRACT, frame)

        assert failed(result) == {(expectation, "BTCUSDT"): 1}
        assert list(result.blocked_streams) == ["BTCUSDT"]

    @pytest.mark.parametrize("column", ["open_time", "date"])
    def test_a_null_key_or_cursor_blocks_its_symbol(self, column):
        """A null key cannot be merged, a null date cannot be windowed; the symbol is known."""
        frame = set_value(klines(), column, None, symbol="ETHUSDT", date=date(2024, 3, 4))

        result = validate(binance.CONTRACT, frame)

        assert failed(result)[("expect_column_values_to_not_be_null", "ETHUSDT")] == 1
        assert list(result.blocked_streams) == ["ETHUSDT"]

    def test_a_null_symbol_blocks_every_stream(self):
        """A row without a symbol belongs to no stream, so the whole batch is stopped."""
        frame = set_value(klines(), "symbol", None, symbol="ETHUSDT", date=date(2024, 3, 4))

        result = validate(binance.CONTRACT, frame)

        assert sorted(result.blocked_streams) == ["BTCUSDT", "ETHUSDT"]
        assert ("expect_column_values_to_not_be_null", None) in failed(result)

    def test_every_row_bad_blocks_every_symbol_with_its_own_count(self):
        """Bad rows are counted per stream however many there are."""
        frame = klines(dates=days(MARCH_1, 30)).with_columns(low=-1.0)

        result = validate(binance.CONTRACT, frame)

        assert failed(result) == {
            ("expect_column_values_to_be_between", "BTCUSDT"): 30,
            ("expect_column_values_to_be_between", "ETHUSDT"): 30,
        }
        low = next(r for r in result.results if r.stream == "ETHUSDT")
        assert low.reason == "30 of 30 rows unexpected"
        assert low.observed_value == (
            '{"rows":30,"dates":["2024-03-01","2024-03-02","2024-03-03","2024-03-04","2024-03-05"]}'
        )

    def test_a_date_outside_the_window_blocks_its_symbol(self):
        """The source answered with a day that was not asked for."""
        window = (date(2024, 3, 2), date(2024, 3, 6))

        result = validate(binance.CONTRACT, klines(), window=window)

        # 2024-03-01 of both symbols lies before the window
        assert failed(result) == {
            ("expect_column_values_to_be_between", "BTCUSDT"): 1,
            ("expect_column_values_to_be_between", "ETHUSDT"): 1,
        }


class TestYahooChart:
    @pytest.mark.parametrize(
        ("missing", "blocked"),
        [
            # Tue 03-05 .. Fri 03-08 missing: Mon 03-04 -> Mon 03-11 is a 5-session step
            pytest.param(days(date(2024, 3, 5), 4), [], id="five_session_step_passes"),
            # Tue 03-05 .. Mon 03-11 missing: Mon 03-04 -> Tue 03-12 is 6 sessions
            pytest.param(days(date(2024, 3, 5), 5, weekdays_only=True), ["^RUT"], id="six_fail"),
        ],
    )
    def test_equity_bars_may_be_at_most_five_sessions_apart(self, missing, blocked):
        """A closure like 9/11 passes; a longer hole in ^RUT's bars blocks ^RUT."""
        frame = chart(dates=days(date(2024, 3, 1), 12, weekdays_only=True))
        frame = frame.filter(~((pl.col("symbol") == "^RUT") & pl.col("date").is_in(missing)))

        result = validate(yahoo_chart.CONTRACT, frame)

        assert list(result.blocked_streams) == blocked

    def test_a_negative_close_and_low_block_the_symbol_through_the_low_bound(self):
        """The bad-data injection's shape: close and low both negated keep the bar ordered."""
        frame = chart()
        hit = (pl.col("symbol") == "^RUT") & (pl.col("date") == date(2024, 3, 5))
        frame = frame.with_columns(
            close=pl.when(hit).then(-pl.col("close")).otherwise(pl.col("close")),
            low=pl.when(hit).then(-pl.col("close")).otherwise(pl.col("low")),
        )

        result = validate(yahoo_chart.CONTRACT, frame)

        assert failed(result) == {("expect_column_values_to_be_between", "^RUT"): 1}
