"""Net liquidity and its 13-week impulse as an analyst could have computed them on each day.

Both ends of the impulse come from the data as published by the end of day d: the latest
observation known by d, and the observation ``impulse_days`` before it, each at its value in
the vintage known on d (a revision published after d is never used; one published before d
is). Without ALFRED vintages a series' latest values stand in, known from
``release_lag_days`` after their date. The DTS (TGA) is known on the next weekday and is
never revised.
"""

from __future__ import annotations

import polars as pl

INPUTS = ("WALCL", "TGA", "RRPONTSYD")


def published_values(
    vintages: pl.DataFrame,
    observations: pl.DataFrame,
    tga: pl.DataFrame,
    release_lag_days: dict[str, int],
) -> pl.DataFrame:
    """Every value of every input with the first day it was known.

    Args:
        vintages: staging.stg_fred_vintages (series_id, observation_date, value_usd_bn,
            known_from, known_until).
        observations: staging.stg_fred_observations (series_id, observation_date, value_usd_bn).
        tga: staging.stg_treasury_tga (record_date, tga_usd_bn).
        release_lag_days: days from observation to publication per FRED series; with
            vintages a value is never used before this lag either (one rule for both modes).

    Returns:
        input, observation_date, value_usd_bn, known_from: one row per (value, vintage).
    """
    frames = []
    with_vintages = set(vintages["series_id"].unique().to_list())
    for series_id, lag in release_lag_days.items():
        source = vintages if series_id in with_vintages else observations
        rows = source.filter(pl.col("series_id") == series_id)
        earliest = pl.col("observation_date") + pl.duration(days=lag)
        known = (
            pl.max_horizontal(pl.col("known_from"), earliest)
            if series_id in with_vintages
            else earliest
        )
        frames.append(
            rows.select(
                pl.lit(series_id).alias("input"),
                pl.col("observation_date").cast(pl.Date),
                pl.col("value_usd_bn").cast(pl.Float64),
                known.cast(pl.Date).alias("known_from"),
            )
        )
    weekday = pl.col("record_date").dt.weekday()
    lag = pl.when(weekday == 5).then(3).when(weekday == 6).then(2).otherwise(1)
    frames.append(
        tga.select(
            pl.lit("TGA").alias("input"),
            pl.col("record_date").cast(pl.Date).alias("observation_date"),
            pl.col("tga_usd_bn").cast(pl.Float64).alias("value_usd_bn"),
            (pl.col("record_date").cast(pl.Date) + pl.duration(days=lag)).alias("known_from"),
        )
    )
    return pl.concat(frames).drop_nulls(["observation_date", "value_usd_bn", "known_from"])


def _value_as_known(published: pl.DataFrame, wanted: pl.DataFrame, obs_col: str) -> pl.Series:
    """The value of ``wanted[obs_col]`` in the latest vintage known by ``wanted['date']``."""
    left = wanted.select("date", pl.col(obs_col).alias("observation_date")).with_row_index("_row")
    right = published.select("observation_date", "known_from", "value_usd_bn").sort("known_from")
    joined = left.sort("date").join_asof(
        right,
        left_on="date",
        right_on="known_from",
        by="observation_date",
        strategy="backward",
        check_sortedness=False,  # both sides are sorted on the asof key just above
    )
    return joined.sort("_row")["value_usd_bn"]


def input_as_known(
    published: pl.DataFrame, days: pl.Series, max_age_days: int, impulse_days: int
) -> pl.DataFrame:
    """One input's latest value and its value ``impulse_days`` earlier, as known on each day.

    Args:
        published: this input's rows of :func:`published_values`.
        days: the days to evaluate (sorted dates).
        max_age_days: an observation older than this on its day is stale (null).
        impulse_days: the distance between the two ends, in days of observation date.

    Returns:
        date, observation_date, value_usd_bn, lag_observation_date, lag_value_usd_bn.
    """
    frame = pl.DataFrame({"date": days.cast(pl.Date)}).sort("date")
    first_known = (
        published.group_by("observation_date")
        .agg(pl.col("known_from").min())
        .sort("known_from")
        .with_columns(pl.col("observation_date").cum_max().alias("latest_known"))
    )
    frame = frame.join_asof(
        first_known.select("known_from", "latest_known"),
        left_on="date",
        right_on="known_from",
        strategy="backward",
    ).select(
        "date",
        pl.when(pl.col("date") - pl.col("latest_known") <= pl.duration(days=max_age_days))
        .then(pl.col("latest_known"))
        .alias("observation_date"),
    )
    dates = first_known.select("observation_date").sort("observation_date")
    target = frame.with_columns(
        (pl.col("observation_date") - pl.duration(days=impulse_days)).alias("_target")
    )
    lagged = target.sort("_target").join_asof(
        dates.rename({"observation_date": "lag_observation_date"}),
        left_on="_target",
        right_on="lag_observation_date",
        strategy="backward",
    )
    lagged = lagged.with_columns(
        pl.when(
            pl.col("_target") - pl.col("lag_observation_date") <= pl.duration(days=max_age_days)
        )
        .then(pl.col("lag_observation_date"))
        .alias("lag_observation_date")
    ).sort("date")
    return lagged.select("date", "observation_date", "lag_observation_date").with_columns(
        _value_as_known(published, lagged, "observation_date").alias("value_usd_bn"),
        _value_as_known(published, lagged, "lag_observation_date").alias("lag_value_usd_bn"),
    )


def liquidity_as_known(
    published: pl.DataFrame, days: pl.Series, max_age_days: dict[str, int], impulse_days: int
) -> pl.DataFrame:
    """Net liquidity and its impulse on each day, every value as published by that day.

    Args:
        published: :func:`published_values`.
        days: the days to evaluate (sorted dates).
        max_age_days: staleness limit per input (WALCL, TGA, RRPONTSYD).
        impulse_days: 91 for the 13-week impulse.

    Returns:
        date, walcl_observation_date, walcl_usd_bn, net_liquidity_usd_bn,
        impulse_13w_usd_bn, impulse_13w_pct_walcl (null when any input is stale or missing).
    """
    parts = {
        name: input_as_known(
            published.filter(pl.col("input") == name), days, max_age_days[name], impulse_days
        )
        for name in INPUTS
    }
    now = {k: v["value_usd_bn"] for k, v in parts.items()}
    then = {k: v["lag_value_usd_bn"] for k, v in parts.items()}
    net_now = now["WALCL"] - now["TGA"] - now["RRPONTSYD"]
    net_then = then["WALCL"] - then["TGA"] - then["RRPONTSYD"]
    impulse = net_now - net_then
    return pl.DataFrame(
        {
            "date": parts["WALCL"]["date"],
            "walcl_observation_date": parts["WALCL"]["observation_date"],
            "walcl_usd_bn": now["WALCL"],
            "net_liquidity_usd_bn": net_now,
            "impulse_13w_usd_bn": impulse,
            "impulse_13w_pct_walcl": 100.0 * impulse / now["WALCL"],
        }
    )
