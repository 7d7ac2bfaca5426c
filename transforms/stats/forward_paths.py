"""Forward log returns of every ladder leg from every possible entry, and the day each ratio peaks.

Every start session s enters at the close of the next session (the setup is known only after the
close of s: WALCL comes out at 16:30 ET). A horizon h ends at the latest close on or before
entry + h calendar days, at most ``max_stale_days`` old; a horizon that has not yet elapsed (entry
+ h after the asset's last close) is NaN, as is one with no close at either end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ASSETS = ("RUT", "BTC", "ETH", "ALTS")
# leg -> (asset, the asset it is measured against or None for an absolute return)
LEGS = {
    "btc_vs_rut": ("BTC", "RUT"),
    "eth_vs_btc": ("ETH", "BTC"),
    "alts_vs_eth": ("ALTS", "ETH"),
    "btc": ("BTC", None),
    "eth": ("ETH", None),
    "alts": ("ALTS", None),
}
ROTATION_LEGS = ("btc_vs_rut", "eth_vs_btc", "alts_vs_eth")
# "No next session yet": not a day number (day numbers before 1970 are negative, so not -1)
NO_ENTRY = np.iinfo(np.int64).min


@dataclass(frozen=True)
class ForwardPaths:
    """Per start session: its entry day, each leg's forward log return and each ratio's peak day."""

    start_days: np.ndarray  # int day numbers of the start sessions
    entry_days: np.ndarray  # int day numbers (NO_ENTRY: no next session yet)
    returns: dict[str, dict[int, np.ndarray]]  # leg -> horizon -> float per start (NaN = null)
    peak_days: dict[str, np.ndarray]  # rotation leg -> days after entry of the ratio's peak


def _carried(grid_start: int, n: int, days: np.ndarray, closes: np.ndarray):
    """Log closes carried forward over the calendar grid, and the age of each carried close."""
    position = days - grid_start
    level = np.full(n, np.nan)
    level[position] = np.log(closes)
    seen = np.where(~np.isnan(level), np.arange(n), -1)
    last = np.maximum.accumulate(seen)
    carried = np.where(last >= 0, level[np.maximum(last, 0)], np.nan)
    age = np.where(last >= 0, np.arange(n) - last, np.iinfo(np.int64).max // 2)
    return carried, age, int(position.max()) if len(position) else -1


def forward_paths(
    sessions: np.ndarray,
    prices: dict[str, tuple[np.ndarray, np.ndarray]],
    horizons: tuple[int, ...],
    max_stale_days: int,
    peak_window_days: int,
) -> ForwardPaths:
    """Forward returns of every leg from every session.

    Args:
        sessions: sorted int day numbers of the RUT sessions (the possible start days).
        prices: asset -> (sorted int day numbers, closes > 0) for RUT, BTC, ETH and ALTS.
        horizons: calendar-day horizons.
        max_stale_days: oldest close accepted at either end.
        peak_window_days: the window, after entry, in which a ratio's peak is looked for.

    Returns:
        The :class:`ForwardPaths`.
    """
    entries = np.concatenate([sessions[1:], [NO_ENTRY]]) if len(sessions) else sessions.copy()
    known = [d for d, _ in prices.values() if len(d)]
    if not len(sessions) or not known:
        empty = np.full(len(sessions), np.nan)
        return ForwardPaths(
            sessions,
            entries,
            {leg: dict.fromkeys(horizons, empty) for leg in LEGS},
            dict.fromkeys(ROTATION_LEGS, empty),
        )
    grid_start = int(min(min(d.min() for d in known), sessions.min()))
    grid_end = int(max(max(d.max() for d in known), sessions.max())) + max(horizons) + 1
    n = grid_end - grid_start + 1
    carried, age, last = {}, {}, {}
    for asset in ASSETS:
        days, closes = prices.get(asset, (np.array([], np.int64), np.array([])))
        carried[asset], age[asset], last[asset] = _carried(grid_start, n, days, closes)
    has_entry = entries != NO_ENTRY
    at_entry = np.where(has_entry, entries - grid_start, 0)

    def log_return(asset: str, horizon: int) -> np.ndarray:
        end = at_entry + horizon
        fresh_start = age[asset][at_entry] <= max_stale_days
        fresh_end = (age[asset][end] <= max_stale_days) & (end <= last[asset])
        out = carried[asset][end] - carried[asset][at_entry]
        return np.where(has_entry & fresh_start & fresh_end, out, np.nan)

    absolute = {(a, h): log_return(a, h) for a in ASSETS for h in horizons}
    returns = {
        leg: {h: absolute[(asset, h)] - (absolute[(base, h)] if base else 0.0) for h in horizons}
        for leg, (asset, base) in LEGS.items()
    }
    peak_days = {}
    for leg in ROTATION_LEGS:
        asset, base = LEGS[leg]
        ratio = carried[asset] - carried[base]
        stale = (age[asset] > max_stale_days) | (age[base] > max_stale_days)
        ratio = np.where(stale, np.nan, ratio)
        window = np.lib.stride_tricks.sliding_window_view(ratio, peak_window_days)
        rows = np.minimum(at_entry + 1, len(window) - 1)
        paths = window[rows]
        elapsed = at_entry + peak_window_days <= min(last[asset], last[base])
        complete = has_entry & elapsed & ~np.isnan(paths).any(axis=1)
        peak = np.argmax(np.where(np.isnan(paths), -np.inf, paths), axis=1) + 1.0
        peak_days[leg] = np.where(complete, peak, np.nan)
    return ForwardPaths(sessions, entries, returns, peak_days)
