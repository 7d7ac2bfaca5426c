"""The archive coin universe: live coins unchanged, alts that list, fade and delist, exclusions."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from emulator.archive_market import archive_candles, symbol_candles
from emulator.coin_universe import EXCLUDED_CATEGORIES, PAIRS, archive_symbols, pairs_of
from emulator.crypto import COINS
from emulator.market import DEFAULT_SEED, market_for

DYING = [
    pytest.param("BCCUSDT", date(2018, 3, 1), id="bcc"),
    pytest.param("BCHSVUSDT", date(2019, 2, 1), id="bchsv"),
    pytest.param("LUNAUSDT", date(2022, 4, 1), id="luna"),
    pytest.param("FTTUSDT", date(2022, 4, 1), id="ftt"),
]


@pytest.fixture(scope="module")
def candles():
    return archive_candles(DEFAULT_SEED)


def _usd_volume(candles) -> pl.DataFrame:
    """Every alt pair's daily quote volume in USD (BTC quotes at that day's BTCUSDT close)."""
    btc = symbol_candles(candles, "BTCUSDT").select("date", pl.col("close").alias("btc"))
    frames = []
    for pair in (p for p in PAIRS if p.category == "alt"):
        frame = candles[pair.key].join(btc, on="date", how="left")
        rate = pl.col("btc") if pair.quote == "BTC" else pl.lit(1.0)
        frames.append(frame.select("date", (pl.col("quote_volume") * rate).alias("usd"))
                      .with_columns(coin=pl.lit(f"{pair.asset}")))  # fmt: skip
    return pl.concat(frames)


def _rank(volume: pl.DataFrame, day: date, coin: str) -> int:
    """The coin's rank by trailing 30-day USD volume among the alts trading on ``day``."""
    window = volume.filter(pl.col("date").is_between(day - timedelta(days=29), day))
    totals = window.group_by("coin").agg(pl.col("usd").sum()).sort("usd", descending=True)
    return totals["coin"].to_list().index(coin) + 1


class TestLiveCoins:
    @pytest.mark.parametrize("symbol", list(COINS))
    def test_a_live_coins_archive_series_is_its_market_series_from_listing(self, candles, symbol):
        """The archive serves the live market's frame bit for bit, cut at the listing date."""
        market = market_for(DEFAULT_SEED)
        expected = market.crypto[symbol].filter(pl.col("date") >= COINS[symbol].listing)
        assert symbol_candles(candles, symbol).equals(expected)


class TestListingPeriods:
    def test_luna_is_two_coins_under_one_symbol(self):
        """LUNA 2020-08-21..2022-05-13, then the new LUNA from 2022-05-31, still listed."""
        periods = [(p.asset, p.listed, p.delisted) for p in pairs_of("LUNAUSDT")]
        assert periods == [
            ("LUNA", date(2020, 8, 21), date(2022, 5, 13)),
            ("LUNA2", date(2022, 5, 31), None),
        ]

    def test_a_coin_is_keyed_by_symbol_and_listing_date(self):
        """No two pairs share (symbol, listed); every pair's category is alt or has a reason."""
        keys = [p.key for p in PAIRS]
        assert len(keys) == len(set(keys))
        assert {p.category for p in PAIRS} - {"alt"} == set(EXCLUDED_CATEGORIES)

    def test_each_frame_runs_from_listing_to_delisting_day_by_day(self, candles):
        """First candle on the listing date, last on the delisting date, no gap between."""
        for pair in (p for p in PAIRS if p.delisted):
            days = candles[pair.key]["date"]
            assert (days[0], days[-1]) == (pair.listed, pair.delisted), pair.key
            assert len(days) == (pair.delisted - pair.listed).days + 1, pair.key


class TestDyingAlts:
    @pytest.mark.parametrize(("symbol", "alive_day"), DYING)
    def test_a_dying_alt_ranks_in_the_top_ten_while_alive(self, candles, symbol, alive_day):
        """Before its fade the coin is among the ten alts with the most 30-day USD volume."""
        coin = pairs_of(symbol)[0].asset
        assert _rank(_usd_volume(candles), alive_day, coin) <= 10

    @pytest.mark.parametrize(("symbol", "alive_day"), DYING)
    def test_a_dying_alts_volume_fades_before_it_delists(self, candles, symbol, alive_day):
        """Its last week trades under a fifth of its median daily quote volume."""
        frame = candles[pairs_of(symbol)[0].key]
        assert frame["quote_volume"].tail(7).mean() < 0.2 * frame["quote_volume"].median()

    def test_luna_loses_over_99_percent_in_its_last_week(self, candles):
        """The fade's crash: the close on 2022-05-13 is under 1 % of the close a week before."""
        frame = candles[pairs_of("LUNAUSDT")[0].key]
        closes = dict(zip(frame["date"], frame["close"], strict=True))
        assert closes[date(2022, 5, 13)] < 0.01 * closes[date(2022, 5, 6)]


class TestExcludedPairs:
    @pytest.mark.parametrize(
        ("symbol", "low", "high"),
        [
            pytest.param("USDCUSDT", 0.99, 1.01, id="usdc_near_1"),
            pytest.param("BUSDUSDT", 0.99, 1.01, id="busd_near_1"),
            pytest.param("TUSDUSDT", 0.99, 1.01, id="tusd_near_1"),
            pytest.param("FDUSDUSDT", 0.99, 1.01, id="fdusd_near_1"),
            pytest.param("EURUSDT", 0.85, 1.35, id="eur_dollar_range"),
            pytest.param("PAXGUSDT", 1400.0, 3800.0, id="paxg_near_gold"),
        ],
    )
    def test_pegged_pairs_stay_near_their_peg(self, candles, symbol, low, high):
        """Stablecoins stay within 1 % of a dollar; EUR and PAXG within their historic range."""
        close = symbol_candles(candles, symbol).filter(pl.col("date") <= date(2025, 7, 1))["close"]
        assert low < close.min() and close.max() < high

    def test_wbtc_tracks_btc_within_half_a_percent(self, candles):
        """WBTC/USDT over BTC/USDT stays within 0.5 % of 1 on every day."""
        both = symbol_candles(candles, "WBTCUSDT").join(
            symbol_candles(candles, "BTCUSDT"), on="date", suffix="_btc"
        )
        ratio = (both["close"] / both["close_btc"]).to_numpy()
        assert np.all(np.abs(ratio - 1) < 0.005)

    def test_btcup_and_btcdown_move_against_each_other(self, candles):
        """Their daily returns have opposite signs on days BTC moves over 1 %."""
        up = np.diff(np.log(symbol_candles(candles, "BTCUPUSDT")["close"].to_numpy()))
        down = np.diff(np.log(symbol_candles(candles, "BTCDOWNUSDT")["close"].to_numpy()))
        big = np.abs(up) > 0.03  # 3x a 1 % BTC day
        assert big.sum() > 100 and np.all(np.sign(up[big]) != np.sign(down[big]))

    def test_the_archive_lists_each_excluded_kind(self):
        """Stablecoins, fiat, leveraged and wrapped pairs are all among the archive's symbols."""
        symbols = set(archive_symbols())
        for symbol in ("USDCUSDT", "EURUSDT", "BTCUPUSDT", "BTCDOWNUSDT", "WBTCUSDT", "PAXGUSDT"):
            assert symbol in symbols


class TestMarketKinds:
    @pytest.mark.parametrize(
        ("kind", "low", "high"),
        [
            # default: the alt follows ETH 5 days later (beta 1.5): about 0.26 for seed 7
            pytest.param("default", 0.15, 1.0, id="default_follows_eth"),
            # null: no link; 4 / sqrt(6,592 days) = 0.05 bounds an unrelated pair
            pytest.param("null", -0.05, 0.05, id="null_has_no_link"),
        ],
    )
    def test_an_archive_alt_lags_eth_only_where_the_kind_plants_links(self, kind, low, high):
        """corr(ETH return, LTC return 5 days later) follows the market kind's links."""
        candles = archive_candles(7, kind)
        both = symbol_candles(candles, "LTCUSDT").join(
            symbol_candles(candles, "ETHUSDT"), on="date", suffix="_eth"
        )
        alt = np.diff(np.log(both["close"].to_numpy()))
        eth = np.diff(np.log(both["close_eth"].to_numpy()))
        assert low < np.corrcoef(eth[:-5], alt[5:])[0, 1] < high
