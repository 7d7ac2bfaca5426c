"""The synthetic market: deterministic, fast, economically shaped, and internally consistent."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import polars as pl
import pytest

from emulator.calendars import federal_business, nyse_open
from emulator.market import DEFAULT_SEED, Market, build_market


@pytest.fixture(scope="module")
def market() -> Market:
    return build_market(DEFAULT_SEED)


def _at(market: Market, series: np.ndarray, day: str) -> float:
    return float(series[market.position(date.fromisoformat(day))])


def _calendar_log_close(market: Market, frame: pl.DataFrame) -> np.ndarray:
    """Log close carried over every calendar day (NaN before the first bar)."""
    out = np.full(len(market.days), np.nan)
    out[np.searchsorted(market.days, frame["date"].to_numpy())] = np.log(frame["close"].to_numpy())
    return pl.Series(out).fill_nan(None).fill_null(strategy="forward").to_numpy()


class TestDeterminism:
    def test_two_builds_with_one_seed_are_identical(self):
        """Building twice (bypassing the cache) gives equal arrays and frames."""
        first, second = build_market.__wrapped__(7), build_market.__wrapped__(7)
        assert np.array_equal(first.tga, second.tga)
        assert np.array_equal(first.rrp, second.rrp)
        assert first.equities["^RUT"].equals(second.equities["^RUT"])
        assert first.crypto["SOLUSDT"].equals(second.crypto["SOLUSDT"])

    def test_another_seed_gives_another_market(self):
        """The seed matters: seed 7 and the default seed differ in the TGA path."""
        assert not np.array_equal(build_market(7).tga, build_market(DEFAULT_SEED).tga)

    def test_builds_are_cached_per_seed(self):
        """The second call returns the very same object, so servers share one build."""
        assert build_market(DEFAULT_SEED) is build_market(DEFAULT_SEED)

    def test_a_full_build_takes_well_under_a_second(self):
        """Generating 2015-2035 for every series is vectorised."""
        started = time.perf_counter()
        build_market.__wrapped__(11)
        assert time.perf_counter() - started < 1.0


class TestLiquidity:
    def test_walcl_runs_from_4_5_trillion_through_the_qe_peak_and_back_down(self, market):
        """USD mn: ~4.5e6 in early 2015, ~8.9e6 at the 2022 peak, below 7.5e6 by mid-2025."""
        assert 4.3e6 < _at(market, market.walcl, "2015-01-07") < 4.7e6
        assert 8.6e6 < _at(market, market.walcl, "2022-04-13") < 9.2e6
        assert _at(market, market.walcl, "2025-06-04") < 7.5e6

    def test_rrp_is_idle_before_2021_peaks_near_2500_bn_and_drains_by_2025(self, market):
        """USD bn: under 50 through 2020, 2,000-2,800 at end-2022, under 300 by mid-2025."""
        before_2021 = market.rrp[: market.position(date(2021, 1, 1))]
        assert before_2021.max() < 50
        assert 2000 < _at(market, market.rrp, "2022-12-30") < 2800
        assert _at(market, market.rrp, "2025-06-02") < 300

    def test_tga_and_mbs_stay_in_their_ranges(self, market):
        """TGA between 50k and 1.0M USD mn; MBS between 1.7M and 2.7M USD mn."""
        assert market.tga.min() >= 50e3 and market.tga.max() <= 1.0e6
        assert market.wshomcb.min() >= 1.7e6 and market.wshomcb.max() <= 2.7e6

    def test_tga_spikes_after_the_april_tax_date(self, market):
        """April 15 receipts lift the balance: the 2024 mid-April close beats early April."""
        assert _at(market, market.tga, "2024-04-17") > _at(market, market.tga, "2024-04-05")

    def test_net_liquidity_stays_between_1000_and_12000_bn(self, market):
        """WALCL/1000 - TGA/1000 - RRP over the whole horizon."""
        assert market.net_liquidity.min() > 1000
        assert market.net_liquidity.max() < 12000


class TestPrices:
    def test_indices_start_near_their_2015_levels(self, market):
        """^RUT opens 2015 near 1200, ^GSPC near 2050; the ETFs are a tenth of those."""
        first = {s: float(f["close"][0]) for s, f in market.equities.items()}
        assert first["^RUT"] == pytest.approx(1200, rel=0.05)
        assert first["^GSPC"] == pytest.approx(2050, rel=0.05)
        assert first["IWM"] == pytest.approx(first["^RUT"] / 10, rel=0.01)
        assert first["SPY"] == pytest.approx(first["^GSPC"] / 10, rel=0.01)

    def test_btc_starts_2015_near_300_usdt(self, market):
        """The first synthetic BTC close, 2015-01-01."""
        assert float(market.crypto["BTCUSDT"]["close"][0]) == pytest.approx(300, rel=0.01)

    @pytest.mark.parametrize("kind", ["equities", "crypto"], ids=["equities", "crypto"])
    def test_every_bar_is_positive_and_ohlc_consistent(self, market, kind):
        """low <= open, close <= high; low > 0; volume >= 0 for every symbol and day."""
        for symbol, frame in getattr(market, kind).items():
            bad = frame.filter(
                (pl.col("low") <= 0)
                | (pl.col("low") > pl.min_horizontal("open", "close"))
                | (pl.col("high") < pl.max_horizontal("open", "close"))
                | (pl.col("volume") < 0)
            )
            assert bad.height == 0, symbol

    def test_etfs_pay_quarterly_dividends(self, market):
        """IWM and SPY each have four ex-dividend days in 2024."""
        for symbol in ("IWM", "SPY"):
            frame = market.equities[symbol].filter(pl.col("date").dt.year() == 2024)
            assert frame.filter(pl.col("dividend") > 0).height == 4

    def test_the_russell_follows_the_lagged_liquidity_impulse(self, market):
        """13-week ^RUT log returns correlate (> 0.3) with the 13-week net-liquidity change."""
        end = market.position(date(2025, 7, 1))
        rut = _calendar_log_close(market, market.equities["^RUT"])[:end]
        net = market.net_liquidity[:end]
        lag, window = 14, 91
        impulse = net[window : end - lag] - net[: end - lag - window]
        returns = rut[window + lag :] - rut[lag : end - window]
        assert np.corrcoef(impulse[10:], returns[10:])[0, 1] > 0.3

    def test_rut_returns_lead_btc_returns_by_20_to_40_days(self, market):
        """The lagged correlation of daily returns peaks at a positive lag of 20-40 days."""
        start, end = market.position(date(2017, 8, 17)), market.position(date(2025, 7, 1))
        rut = np.diff(_calendar_log_close(market, market.equities["^RUT"])[start:end])
        btc = np.diff(_calendar_log_close(market, market.crypto["BTCUSDT"])[start:end])
        lags = range(-60, 61)
        corr = [
            np.corrcoef(rut[: len(rut) - k], btc[k:])[0, 1]
            if k >= 0
            else np.corrcoef(rut[-k:], btc[: len(btc) + k])[0, 1]
            for k in lags
        ]
        assert 20 <= lags[int(np.argmax(corr))] <= 40

    def test_eth_follows_btc_with_a_further_lag(self, market):
        """ETH's daily returns correlate best with BTC's from 3-12 days earlier."""
        start, end = market.position(date(2017, 8, 17)), market.position(date(2025, 7, 1))
        btc = np.diff(_calendar_log_close(market, market.crypto["BTCUSDT"])[start:end])
        eth = np.diff(_calendar_log_close(market, market.crypto["ETHUSDT"])[start:end])
        corr = [np.corrcoef(btc[: len(btc) - k], eth[k:])[0, 1] for k in range(0, 31)]
        assert 3 <= int(np.argmax(corr)) <= 12


class TestCalendars:
    @pytest.mark.parametrize(
        ("day", "nyse", "federal"),
        [
            # Good Friday: the exchange closes, the government works.
            pytest.param("2022-04-15", False, True, id="good_friday"),
            # Juneteenth 2021 (Saturday) observed Friday by the government; NYSE from 2022 only.
            pytest.param("2021-06-18", True, False, id="juneteenth_2021"),
            pytest.param("2022-06-20", False, False, id="juneteenth_2022_observed_monday"),
            # New Year's Day 2022 fell on a Saturday: the government closed Friday, NYSE did not.
            pytest.param("2021-12-31", True, False, id="new_year_on_saturday"),
            # Columbus Day and Veterans Day are federal holidays only.
            pytest.param("2024-10-14", True, False, id="columbus_day"),
            pytest.param("2024-11-11", True, False, id="veterans_day"),
            pytest.param("2024-11-28", False, False, id="thanksgiving"),
            pytest.param("2025-07-04", False, False, id="independence_day"),
            pytest.param("2025-07-07", True, True, id="ordinary_monday"),
            pytest.param("2025-07-05", False, False, id="saturday"),
        ],
    )
    def test_each_date_is_open_or_closed_as_the_holiday_rules_say(self, day, nyse, federal):
        """Each date is open or closed for the exchange and the government as annotated."""
        days = np.array([day], dtype="datetime64[D]")
        assert (bool(nyse_open(days)[0]), bool(federal_business(days)[0])) == (nyse, federal)
