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
THESIS_MARTS = ("marts.fct_thesis_test", "marts.fct_thesis_ordering")
LEAD_LAG_MART = "marts.fct_lead_lag_summary"  # a third of a market's build: null markets only
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
    primary_excess: dict[str, float]  # rotation leg -> excess log return at 90 days
    is_lead_detected: bool | None  # any row of fct_lead_lag_summary (None: not built)
    injected: dict[float, bool]  # planted excess -> found (see detections); may be {}

    @property
    def evidence(self) -> list[tuple[str, int, str]]:
        return [v for v in self.verdicts if v[2].startswith("evidence")]


def market_outcome(
    seed: int, kind: str, effect: float = 1.0, deltas: tuple[float, ...] = ()
) -> MarketOutcome:
    """Build the thesis marts (and on a null market the lead-lag summary) of one synthetic
    market and read their results; with ``deltas``, also plant each excess into the same
    market (:func:`detections`)."""
    from rotation_cli.market_warehouse import market_warehouse
    from warehouse.transform import run_transforms

    con = market_warehouse(*LONG_HISTORY, seed=seed, kind=kind, effect=effect)
    with_lead_lag = kind == "null"
    run_transforms(con, select=[*THESIS_MARTS, *([LEAD_LAG_MART] if with_lead_lag else [])])
    verdicts = con.execute(
        "select leg, horizon_days, verdict from marts.fct_thesis_test union all "
        "select comparison, 180, verdict from marts.fct_thesis_ordering order by all"
    ).fetchall()
    primary = con.execute(
        "select leg, p_value, ci90_low, ci90_high, count_episodes, excess_log_ret "
        "from marts.fct_thesis_test "
        "where horizon_days = $h and leg in $legs",
        {"h": PRIMARY_HORIZON_DAYS, "legs": list(ROTATION_LEGS)},
    ).fetchall()
    leads = None
    if with_lead_lag:
        (leads,) = con.execute(
            "select coalesce(bool_or(is_lead_detected), false) from marts.fct_lead_lag_summary"
        ).fetchall()[0]  # fetchall: duckdb refuses other work while a result is unfinished
    injected = detections(con, deltas) if deltas else {}
    con.close()
    return MarketOutcome(
        seed=seed,
        verdicts=tuple(verdicts),
        primary_p={leg: p for leg, p, *_ in primary},
        primary_ci={leg: (low, high) for leg, _, low, high, *_ in primary},
        primary_count={leg: n for leg, _, _, _, n, _ in primary},
        primary_excess={leg: excess for leg, *_, excess in primary},
        is_lead_detected=None if leads is None else bool(leads),
        injected=injected,
    )


def _outcome_args(args: tuple[int, str, float, tuple[float, ...]]) -> MarketOutcome:
    return market_outcome(*args)


def _one_polars_thread() -> None:
    # Before the first market imports polars: the pool already has a process per core, and
    # polars' own threads on top of it cost about a tenth more CPU per market (same results).
    os.environ["POLARS_MAX_THREADS"] = "1"


def market_pool() -> ProcessPoolExecutor:
    """Worker processes on every core (spawned: no forked threads), for many markets."""
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(os.cpu_count() or 1, 4))
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_one_polars_thread
    )


def market_outcomes(
    seeds: range,
    kind: str,
    effect: float = 1.0,
    deltas: tuple[float, ...] = (),
    planted_in: range = range(0),
    pool: ProcessPoolExecutor | None = None,
) -> list[MarketOutcome]:
    """:func:`market_outcome` for many seeds, in ``pool`` (else a pool of its own).

    ``deltas`` are planted (:func:`detections`) into the markets whose seed is in ``planted_in``.
    """
    args = [(s, kind, effect, deltas if s in planted_in else ()) for s in seeds]
    if pool is not None:
        return list(pool.map(_outcome_args, args, chunksize=4))
    with market_pool() as own:
        return list(own.map(_outcome_args, args, chunksize=4))


def detections(con, deltas: tuple[float, ...], leg: str = "btc_vs_rut") -> dict[float, bool]:
    """Plant a known excess into one null market and see which sizes the test detects.

    BTC's log price is raised by ``delta`` over the 90 days after each episode's entry (a ramp,
    then kept: +delta at 90 and 180 days, +delta/3 at 30), which is a planted excess of
    ``delta`` on the btc and btc_vs_rut legs at 90 days. Random starts whose windows overlap an
    episode's see part of it, as they would in a market with the effect.

    Returns:
        delta -> True when ``leg`` reaches 'evidence for' at some horizon.
    """
    import numpy as np

    from transforms.stats.thesis_inputs import read_inputs
    from transforms.stats.thesis_params import load_params
    from transforms.stats.thesis_test import ThesisInputs, evaluate, find_episodes

    params = load_params()
    inputs = read_inputs(con)
    starts = find_episodes(inputs, params)
    entries = inputs.sessions[np.minimum(starts + 1, len(inputs.sessions) - 1)]
    days, closes = inputs.prices["BTC"]
    ramp = sum(np.clip((days - entry) / 90.0, 0.0, 1.0) for entry in entries)
    found = {}
    for delta in deltas:
        prices = dict(inputs.prices, BTC=(days, closes * np.exp(delta * ramp)))
        result = evaluate(
            ThesisInputs(inputs.sessions, inputs.impulse_pct, inputs.r2k_condition, prices), params
        )
        found[delta] = any(
            row.key[0] == leg and row.verdict == "evidence for" for row in result.legs
        )
    return found


def injected_power(seeds: range, deltas: tuple[float, ...]) -> dict[float, float]:
    """Share of null markets in which each planted excess reaches 'evidence for'."""
    found = [o.injected for o in market_outcomes(seeds, "null", deltas=deltas, planted_in=seeds)]
    return {d: sum(f[d] for f in found) / len(found) for d in deltas}


if (
    __name__ == "__main__"
):  # the power curve for the notes: python -m tests.transforms.thesis_markets
    curve = injected_power(range(101, 121), (0.1, 0.2, 0.3, 0.4, 0.5, 0.7))
    for delta, power in curve.items():
        print(f"planted excess {delta:+.2f} log at 90 d (btc_vs_rut): power {power:.0%}")
