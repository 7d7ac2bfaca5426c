"""The point-in-time alt universe's building blocks (transforms.stats.alt_universe).

The ranking, listing age, partial windows and exclusions are covered end to end by the
given/expect cases in tests/transforms/fct_alt_universe.yaml; these pin the helpers.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from transforms.stats.alt_universe import alt_universe, daily_usd_volume, rebalance_dates
from transforms.stats.alt_universe_params import load_params


def klines(rows: list[tuple[str, str, date, float, float]]) -> pl.DataFrame:
    """stg_binance_archive_klines rows from (symbol, quote, date, close, quote_volume)."""
    frame = pl.DataFrame(
        rows, schema=["symbol", "quote_asset", "date", "close", "quote_volume"], orient="row"
    )
    base = pl.col("symbol").str.slice(0, pl.col("symbol").str.len_chars() - 3)
    base = (
        pl.when(pl.col("quote_asset") == "USDT")
        .then(pl.col("symbol").str.strip_suffix("USDT"))
        .otherwise(base)
    )
    return frame.with_columns(base_asset=base).with_columns(
        listing_id=pl.col("base_asset") + "@2024-01-01", listed_date=pl.lit(date(2024, 1, 1))
    )


def test_rebalance_dates_are_first_days_of_month_inside_the_history():
    assert rebalance_dates(date(2024, 1, 15), date(2024, 4, 1)) == [
        date(2024, 2, 1),
        date(2024, 3, 1),
        date(2024, 4, 1),
    ]
    assert rebalance_dates(date(2024, 12, 1), date(2025, 1, 31)) == [
        date(2024, 12, 1),
        date(2025, 1, 1),
    ]


def test_btc_quoted_volume_is_priced_at_the_days_btc_close_and_unknown_without_one():
    day1, day2 = date(2024, 1, 1), date(2024, 1, 2)
    frame = klines(
        [
            ("BTCUSDT", "USDT", day1, 50_000.0, 1e9),
            ("LTCUSDT", "USDT", day1, 70.0, 100.0),
            ("LTCBTC", "BTC", day1, 0.0014, 0.5),
            ("LTCBTC", "BTC", day2, 0.0014, 0.5),  # no BTCUSDT close on day 2
        ]
    )
    volume = daily_usd_volume(frame).filter(base_asset="LTC").sort("date")
    assert volume["volume_usdt"].to_list() == [100.0 + 0.5 * 50_000.0, None]


def test_a_listing_is_delisted_only_once_the_archive_runs_past_the_gap():
    params = load_params()
    start = date(2024, 1, 1)
    days = [start + timedelta(days=i) for i in range(130)]
    rows = [("AAAUSDT", "USDT", d, 1.0, 10.0) for d in days]
    rows += [("BBBUSDT", "USDT", d, 1.0, 20.0) for d in days[:100]]  # last day 2024-04-09
    universe = alt_universe(klines(rows), params)
    april = universe.filter(rebalance_date=date(2024, 4, 1)).sort("volume_rank")
    assert april["asset"].to_list() == ["BBB@2024-01-01", "AAA@2024-01-01"]
    assert april["delisted_date"].to_list() == [date(2024, 4, 9), None]
    # 2024-05-08 is 29 days past BBB's last day: gone from May's universe
    assert universe.filter(rebalance_date=date(2024, 5, 1))["asset"].to_list() == ["AAA@2024-01-01"]


def test_the_universe_does_not_depend_on_the_order_of_the_rows():
    """Float sums are summed in date order: shuffled input gives the same bits (two builds of
    the warehouse must give equal checksums)."""
    rng = np.random.default_rng(5)
    start = date(2024, 1, 1)
    rows = [
        (f"{coin}{quote}", quote, start + timedelta(days=i), 1.0, float(rng.lognormal(8, 2)))
        for coin in ("AAA", "BBB", "CCC", "DDD")
        for quote in ("USDT", "BTC")
        for i in range(150)
    ]
    rows += [("BTCUSDT", "USDT", start + timedelta(days=i), 5e4 + i * 0.1, 1e9) for i in range(150)]
    frame = klines(rows)
    params = load_params()
    expected = alt_universe(frame, params)
    for seed in range(5):
        shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed)
        assert alt_universe(shuffled, params).equals(expected)
