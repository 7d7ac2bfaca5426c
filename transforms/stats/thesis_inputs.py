"""Read the thesis test's inputs from the warehouse, and evaluate each setting once per build."""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np

from transforms.stats.thesis_params import ThesisParams
from transforms.stats.thesis_test import ThesisInputs, ThesisResult, evaluate

_PRICES = """
    select asset, date, close_usd as close from marts.fct_asset_daily
    where asset in ('RUT', 'BTC', 'ETH') and close_usd > 0
    union all
    select 'ALTS' as asset, date, index_level as close from marts.fct_alt_basket
    where index_level > 0
    order by asset, date
"""
_cache: dict[str, ThesisResult] = {}


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[D]").astype(np.int64)


def read_inputs(con: duckdb.DuckDBPyConnection) -> ThesisInputs:
    """The sessions with the setup's inputs (marts.fct_thesis_setup) and the ladder's prices.

    Args:
        con: a warehouse with marts.fct_thesis_setup, fct_asset_daily and fct_alt_basket.

    Returns:
        The :class:`ThesisInputs`.
    """
    setup = con.sql(
        "select date, impulse_13w_pct_walcl, is_r2k_condition from marts.fct_thesis_setup "
        "order by date"
    ).pl()
    prices = con.sql(_PRICES).pl()
    by_asset = {}
    for asset in ("RUT", "BTC", "ETH", "ALTS"):
        rows = prices.filter(prices["asset"] == asset)
        by_asset[asset] = (_day_numbers(rows["date"].to_numpy()), rows["close"].to_numpy())
    return ThesisInputs(
        sessions=_day_numbers(setup["date"].to_numpy()),
        impulse_pct=setup["impulse_13w_pct_walcl"].to_numpy().astype(float),
        r2k_condition=setup["is_r2k_condition"].fill_null(False).to_numpy().astype(bool),
        prices=by_asset,
    )


def _fingerprint(inputs: ThesisInputs, params: ThesisParams) -> str:
    digest = hashlib.blake2b(repr(params).encode(), digest_size=16)
    for array in (inputs.sessions, inputs.impulse_pct, inputs.r2k_condition):
        digest.update(np.ascontiguousarray(array).tobytes())
    for asset, (days, closes) in sorted(inputs.prices.items()):
        digest.update(asset.encode())
        digest.update(np.ascontiguousarray(days).tobytes())
        digest.update(np.ascontiguousarray(closes).tobytes())
    return digest.hexdigest()


def evaluated(inputs: ThesisInputs, params: ThesisParams) -> ThesisResult:
    """:func:`evaluate`, remembered for the last inputs: the marts of one build share it."""
    key = _fingerprint(inputs, params)
    if key not in _cache:
        _cache.clear()
        _cache[key] = evaluate(inputs, params)
    return _cache[key]
