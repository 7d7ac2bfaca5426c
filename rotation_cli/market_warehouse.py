"""An in-memory warehouse whose raw tables hold the synthetic market, loaded without HTTP.

The rows are what the parsers would produce from the emulator, minus its deliberate quirks: FRED
H.4.1 series on Wednesdays and RRPONTSYD on federal business days, the DTS TGA row of each
business day under its era's account name, Yahoo bars on NYSE sessions (adjclose carrying the
ETF dividends), Binance daily candles from each pair's listing, and the Binance archive's
daily candles of every pair of the emulator's coin universe (listed or delisted). ``copies``
tiles the history backwards in time (by whole 52-week blocks, so a Wednesday stays a
Wednesday) to make a longer one for benchmarks.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from emulator.archive_market import archive_candles
from emulator.crypto import COINS, DAY_MS
from emulator.dts_table import CLOSING, ERA_FOUR_ROWS, ERA_TGA_NAME
from emulator.equities import adjusted_close
from emulator.market import DEFAULT_SEED, Market, market_for
from sources import treasury_dts
from sources.catalog import contracts, fred_unit_rows
from warehouse.db import bootstrap

WEDNESDAY = 2  # numpy/Python weekday: Monday = 0
WEEKLY_FRED = ("WALCL", "WSHOMCB", "WDTGAL")
# The DTS account of each era, as the emulator serves it (emulator/dts_table.py, its own
# transcription of the Fiscal Data documentation; staging reads the pipeline's, meta.dts_eras).
FED_ACCOUNT, TGA_ACCOUNT = "Federal Reserve Account", "Treasury General Account (TGA)"
BLOCK_DAYS = 364  # 52 weeks: shifting by whole blocks keeps every weekday


def _calendar(market: Market, start: date, end: date) -> tuple[np.ndarray, np.ndarray]:
    days = market.days
    keep = (days >= np.datetime64(start)) & (days <= np.datetime64(end))
    return days, keep


def _fred(market: Market, start: date, end: date) -> pl.DataFrame:
    days, keep = _calendar(market, start, end)
    weekday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
    wednesdays = keep & (weekday == WEDNESDAY)
    business = keep & market.fed_business
    levels = {"WALCL": market.walcl, "WSHOMCB": market.wshomcb, "WDTGAL": market.tga}
    frames = [
        pl.DataFrame(
            {"series_id": sid, "date": days[wednesdays], "value": np.round(levels[sid][wednesdays])}
        )
        for sid in WEEKLY_FRED
    ]
    frames.append(
        pl.DataFrame(
            {"series_id": "RRPONTSYD", "date": days[business], "value": market.rrp[business]}
        )
    )
    return pl.concat(frames)


def _tga(market: Market, start: date, end: date) -> pl.DataFrame:
    days, keep = _calendar(market, start, end)
    business = keep & market.fed_business
    return pl.DataFrame({"record_date": days[business], "tga_usd_mn": market.tga[business]})


def _yahoo(market: Market, start: date, end: date) -> pl.DataFrame:
    frames = []
    for symbol, frame in market.equities.items():
        bars = frame.filter(
            ~pl.col("is_null_bar") & pl.col("date").is_between(start, end)
        ).with_columns(symbol=pl.lit(symbol))
        adjclose = adjusted_close(bars["close"].to_numpy(), bars["dividend"].to_numpy())
        frames.append(
            bars.select("symbol", "date", "close").with_columns(adjclose=pl.Series(adjclose))
        )
    return pl.concat(frames)


def _binance(market: Market, start: date, end: date) -> pl.DataFrame:
    frames = [
        frame.filter(pl.col("date").is_between(max(start, COINS[symbol].listing), end))
        .select("date", "close")
        .with_columns(symbol=pl.lit(symbol))
        for symbol, frame in market.crypto.items()
    ]
    return pl.concat(frames).select("symbol", "date", "close")


def _archive(seed: int, kind: str, effect: float, start: date, end: date) -> pl.DataFrame:
    frames = [
        frame.filter(pl.col("date").is_between(start, end)).with_columns(symbol=pl.lit(symbol))
        for (symbol, _), frame in archive_candles(seed, kind, effect).items()
    ]
    return pl.concat(frames, how="diagonal").drop("open_time")


def market_inputs(
    start: date,
    end: date,
    *,
    copies: int = 1,
    seed: int = DEFAULT_SEED,
    kind: str = "default",
    effect: float = 1.0,
) -> dict[str, pl.DataFrame]:
    """The synthetic market's source rows between two dates, optionally tiled backwards.

    Args:
        start: first date of the history.
        end: last date of the history.
        copies: how many times the history appears; copy k is shifted back by k times the
            history length rounded up to whole 52-week blocks.
        seed: the market seed.
        kind: the market kind, "default", "null" or "planted" (see ``build_market``).
        effect: strength of the planted links (only "planted" takes another value than 1.0).

    Returns:
        ``fred``, ``tga``, ``yahoo``, ``binance`` and ``archive`` frames keyed by a
        ``date``/``record_date`` column, ready for :func:`load_market`.
    """
    market = market_for(seed, kind, effect)
    base = {
        "fred": _fred(market, start, end),
        "tga": _tga(market, start, end),
        "yahoo": _yahoo(market, start, end),
        "binance": _binance(market, start, end),
        "archive": _archive(seed, kind, effect, start, end),
    }
    span_days = -(-((end - start).days + 1) // BLOCK_DAYS) * BLOCK_DAYS
    tiled = {}
    for name, frame in base.items():
        date_column = "record_date" if name == "tga" else "date"
        tiled[name] = pl.concat(
            frame.with_columns(pl.col(date_column) - timedelta(days=k * span_days))
            for k in range(copies)
        )
    return tiled


def load_market(con: duckdb.DuckDBPyConnection, inputs: dict[str, pl.DataFrame]) -> None:
    """Bootstrap the warehouse and insert the market rows into its raw tables.

    Args:
        con: an empty DuckDB connection.
        inputs: frames from :func:`market_inputs`.
    """
    bootstrap(con, contracts(), fred_unit_rows(), treasury_dts.era_rows())
    fred, tga, yahoo, binance = (inputs[k] for k in ("fred", "tga", "yahoo", "binance"))
    day = pl.col("record_date")
    era_names = (
        pl.when(day < ERA_TGA_NAME)
        .then(pl.lit(FED_ACCOUNT))
        .when(day < ERA_FOUR_ROWS)
        .then(pl.lit(TGA_ACCOUNT))
        .otherwise(pl.lit(CLOSING))
    )
    is_era_3 = day >= ERA_FOUR_ROWS
    dts = tga.select(
        "record_date",
        account_type=era_names,
        close_today_bal=pl.when(~is_era_3).then(pl.col("tga_usd_mn")),
        open_today_bal=pl.when(is_era_3).then(pl.col("tga_usd_mn")),
    )
    binance = binance.with_columns(open_time=pl.col("date").cast(pl.Datetime("ms")).dt.epoch("ms"))
    archive = (
        inputs["archive"]
        .with_columns(open_time=pl.col("date").cast(pl.Datetime("ms")).dt.epoch("ms"))
        .with_columns(close_time=pl.col("open_time") + DAY_MS - 1)
    )
    yahoo = yahoo.with_columns(currency=pl.lit("USD"))
    tables = {
        "raw.fred__observations": fred,
        "raw.treasury__operating_cash_balance": dts,
        "raw.yahoo__chart": yahoo,
        "raw.binance__klines": binance,
        "raw.binance_archive__klines": archive,
    }
    for table, frame in tables.items():
        con.register("_market_rows", frame)
        try:
            con.execute(f"insert into {table} by name select * from _market_rows")
        finally:
            con.unregister("_market_rows")


def market_warehouse(
    start: date,
    end: date,
    *,
    copies: int = 1,
    seed: int = DEFAULT_SEED,
    kind: str = "default",
    effect: float = 1.0,
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the synthetic market's raw rows loaded (nothing built yet).

    Args:
        start: first date of the history.
        end: last date of the history.
        copies: how many times the history is tiled backwards (see :func:`market_inputs`).
        seed: the market seed.
        kind: the market kind, "default", "null" or "planted" (see ``build_market``).
        effect: strength of the planted links (only "planted" takes another value than 1.0).

    Returns:
        The open connection.
    """
    con = duckdb.connect(":memory:")
    inputs = market_inputs(start, end, copies=copies, seed=seed, kind=kind, effect=effect)
    load_market(con, inputs)
    return con
