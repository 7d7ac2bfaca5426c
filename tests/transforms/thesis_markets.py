"""Thesis and lead-lag outcomes of many synthetic markets, built without HTTP, two at a time.

Each market (seed, kind, effect) spans 2015-2035 so that episodes are not scarce; only the marts
the proofs read are built (with what they read). Markets are built in worker processes: one
takes about 1.5 s, and a proof needs a hundred.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

LONG_HISTORY = (date(2015, 1, 1), date(2035, 12, 31))
MARTS = ("marts.fct_thesis_test", "marts.fct_thesis_ordering", "marts.fct_lead_lag_summary")
PRIMARY_HORIZON_DAYS = 90
ROTATION_LEGS = ("btc_vs_rut", "eth_vs_btc", "alts_vs_eth")


@dataclass(frozen=True)
class MarketOutcome:
    """What the proofs read from one market's marts."""

    seed: int
    verdicts: tuple[tuple[str, int, str], ...]  # (leg or comparison, horizon, verdict)
    primary_p: dict[str, float]  # rotation leg -> p-value at 90 days
    primary_ci: dict[str, tuple[float, float]]  # rotation leg -> 90% interval at 90 days
    primary_count: dict[str, int]  # rotation leg -> episodes at 90 days
    is_lead_detected: bool  # any row of fct_lead_lag_summary

    @property
    def evidence(self) -> list[tuple[str, int, str]]:
        return [v for v in self.verdicts if v[2].startswith("evidence")]


def market_outcome(seed: int, kind: str, effect: float = 1.0) -> MarketOutcome:
    """Build the thesis and lead-lag marts on one synthetic market and read their results."""
    from tests.transforms.market_warehouse import market_warehouse
    from warehouse.transform import run_transforms

    con = market_warehouse(*LONG_HISTORY, seed=seed, kind=kind, effect=effect)
    run_transforms(con, select=MARTS)
    verdicts = con.execute(
        "select leg, horizon_days, verdict from marts.fct_thesis_test union all "
        "select comparison, 180, verdict from marts.fct_thesis_ordering order by all"
    ).fetchall()
    primary = con.execute(
        "select leg, p_value, ci90_low, ci90_high, count_episodes from marts.fct_thesis_test "
        "where horizon_days = $h and leg in $legs",
        {"h": PRIMARY_HORIZON_DAYS, "legs": list(ROTATION_LEGS)},
    ).fetchall()
    (leads,) = con.execute(
        "select coalesce(bool_or(is_lead_detected), false) from marts.fct_lead_lag_summary"
    ).fetchall()[0]
    con.close()
    return MarketOutcome(
        seed=seed,
        verdicts=tuple(verdicts),
        primary_p={leg: p for leg, p, *_ in primary},
        primary_ci={leg: (low, high) for leg, _, low, high, _ in primary},
        primary_count={leg: n for leg, *_, n in primary},
        is_lead_detected=bool(leads),
    )


def _outcome_args(args: tuple[int, str, float]) -> MarketOutcome:
    return market_outcome(*args)


def market_outcomes(seeds: range, kind: str, effect: float = 1.0) -> list[MarketOutcome]:
    """:func:`market_outcome` for many seeds, on every core (spawned workers: no forked threads)."""
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(os.cpu_count() or 1, 4))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_outcome_args, [(s, kind, effect) for s in seeds], chunksize=4))
