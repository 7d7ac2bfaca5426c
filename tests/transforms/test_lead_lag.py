"""On the synthetic market, built so that RUT leads crypto, fct_lead_lag_summary finds that lead."""

from __future__ import annotations

import statistics

import duckdb

from flows.emulator.crypto import COINS

# The emulator's BTC responds to RUT's shocks about 30 days later: 30 / 7 = 4.3 weeks.
EMULATED_BTC_LAG_WEEKS = COINS["BTCUSDT"].lag_days / 7

SUMMARY = """
    select window_kind, best_lag_weeks, best_corr, is_x_leading
    from marts.fct_lead_lag_summary
    where series_x = $x and series_y = $y
    order by window_kind, window_end_date
"""


def summary(con: duckdb.DuckDBPyConnection, x: str, y: str) -> dict[str, list[tuple]]:
    windows: dict[str, list[tuple]] = {}
    for kind, lag, corr, leading in con.execute(SUMMARY, {"x": x, "y": y}).fetchall():
        windows.setdefault(kind, []).append((lag, corr, leading))
    return windows


def test_rut_leads_btc_by_about_the_emulated_lag_with_a_positive_correlation(
    market_marts: duckdb.DuckDBPyConnection,
) -> None:
    windows = summary(market_marts, "RUT", "BTC")

    ((lag, corr, leading),) = windows["full_history"]
    # the emulator's 4.3 weeks lands on lag 4 (BTC follows RUT), a strong positive relation
    assert leading and abs(lag - EMULATED_BTC_LAG_WEEKS) < 1
    assert corr > 0.3


def test_most_rolling_two_year_windows_find_the_same_lead(
    market_marts: duckdb.DuckDBPyConnection,
) -> None:
    rolling = summary(market_marts, "RUT", "BTC")["rolling_2y"]

    leading_positively = [lag for lag, corr, leading in rolling if leading and corr > 0]
    # a dozen windows; noise may pick a neighbouring lag in a few, never the sign
    assert len(rolling) >= 10
    assert len(leading_positively) / len(rolling) >= 0.8
    assert statistics.median(lag for lag, _, _ in rolling) == 4


def test_the_ladder_follows_in_order_btc_then_eth_then_the_alts(
    market_marts: duckdb.DuckDBPyConnection,
) -> None:
    # emulated: BTC ~30 days after RUT, ETH ~7 days after BTC, the alts ~5 days after ETH
    best_lag = {
        asset: summary(market_marts, "RUT", asset)["full_history"][0][0]
        for asset in ("BTC", "ETH", "ALTS")
    }

    assert best_lag["BTC"] < best_lag["ETH"] < best_lag["ALTS"]
