"""The report's plotly figures, one function per chart, each reading one or two marts."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import plotly.graph_objects as go
import polars as pl

TEMPLATE = "plotly_white"
HEIGHT = 420
LADDER_COLOURS = {"BTC": "#f7931a", "ETH": "#627eea", "ALTS": "#2ca02c"}


def read(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """A query's result, or an empty frame when its mart does not exist in this warehouse."""
    try:
        return con.sql(sql).pl()
    except duckdb.CatalogException:
        return pl.DataFrame()


def _figure(title: str, y_title: str, frame: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title,
        template=TEMPLATE,
        height=HEIGHT,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=y_title,
        hovermode="x unified",
    )
    if frame.is_empty():  # still a drawn (empty) chart, saying why
        fig.add_annotation(text="no rows in this warehouse yet", showarrow=False, font_size=16)
    return fig


def net_liquidity(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """Net liquidity and its components (WALCL, TGA, RRP), USD bn, daily."""
    frame = read(
        con,
        "select date, walcl_usd_bn, tga_usd_bn, rrp_usd_bn, net_liquidity_usd_bn "
        "from marts.fct_net_liquidity where net_liquidity_usd_bn is not null order by date",
    )
    fig = _figure("Net liquidity = WALCL - TGA - RRP", "USD bn", frame)
    names = {
        "net_liquidity_usd_bn": "net liquidity",
        "walcl_usd_bn": "Fed assets (WALCL)",
        "tga_usd_bn": "TGA",
        "rrp_usd_bn": "reverse repo (RRP)",
    }
    for column, name in names.items():
        if column in frame.columns:
            width = 3 if column == "net_liquidity_usd_bn" else 1.5
            fig.add_scatter(x=frame["date"], y=frame[column], name=name, line_width=width)
    return fig


def impulse(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """The 13-week change in net liquidity and what drove it, sampled on Wednesdays."""
    frame = read(
        con,
        "select date, chg_13w_usd_bn, walcl_contrib_13w_usd_bn, tga_contrib_13w_usd_bn, "
        "rrp_contrib_13w_usd_bn, impulse_z_13w from marts.fct_liquidity_impulse "
        "where chg_13w_usd_bn is not null and dayofweek(date) = 3 order by date",
    )
    fig = _figure("13-week liquidity impulse and its drivers", "USD bn over 13 weeks", frame)
    fig.update_layout(barmode="relative")
    contribs = {
        "walcl_contrib_13w_usd_bn": "from WALCL",
        "tga_contrib_13w_usd_bn": "from TGA",
        "rrp_contrib_13w_usd_bn": "from RRP",
    }
    for column, name in contribs.items():
        if column in frame.columns:
            fig.add_bar(x=frame["date"], y=frame[column], name=name, opacity=0.6)
    if "chg_13w_usd_bn" in frame.columns:
        fig.add_scatter(
            x=frame["date"], y=frame["chg_13w_usd_bn"], name="13-week change", line_color="black"
        )
    return fig


def rut_trend(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """The Russell 2000 against its 200-day mean, R2K breakout events marked."""
    frame = read(
        con,
        "select date, price_level, sma_200d from marts.fct_risk_ladder "
        "where asset = 'RUT' order by date",
    )
    events = read(
        con,
        "select distinct event_date, rut_close_usd, liquidity_state "
        "from marts.fct_r2k_breakout_events order by event_date",
    )
    fig = _figure("Russell 2000 vs its 200-day mean, with breakout events", "index points", frame)
    if not frame.is_empty():
        fig.add_scatter(x=frame["date"], y=frame["price_level"], name="RUT close")
        fig.add_scatter(x=frame["date"], y=frame["sma_200d"], name="200-day mean", line_dash="dot")
    if not events.is_empty():
        fig.add_scatter(
            x=events["event_date"],
            y=events["rut_close_usd"],
            name="breakout event",
            mode="markers",
            marker={"symbol": "triangle-up", "size": 13, "color": "#d62728"},
            text=events["liquidity_state"].to_list(),
            hovertemplate="breakout %{x}<br>liquidity %{text}<extra></extra>",
        )
    return fig


def crypto_rebased(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """BTC, ETH and the alt basket rebased to 100 on the first day all three have a level."""
    frame = read(
        con,
        "with levels as (pivot (select date, asset, price_level from marts.fct_risk_ladder "
        "where asset in ('BTC', 'ETH', 'ALTS')) on asset in ('BTC', 'ETH', 'ALTS') "
        "using first(price_level)), "
        "base as (select * from levels where BTC is not null and ETH is not null "
        "and ALTS is not null order by date limit 1) "
        "select l.date, 100 * l.BTC / b.BTC as BTC, 100 * l.ETH / b.ETH as ETH, "
        "100 * l.ALTS / b.ALTS as ALTS from levels l, base b where l.date >= b.date order by 1",
    )
    fig = _figure("BTC, ETH and the alt basket, rebased to 100", "rebased (log scale)", frame)
    fig.update_yaxes(type="log")
    for asset, colour in LADDER_COLOURS.items():
        if asset in frame.columns:
            fig.add_scatter(x=frame["date"], y=frame[asset], name=asset, line_color=colour)
    return fig


def lead_lag(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """Full-history correlation of weekly changes per pair and lag (positive lag: x leads y).

    Descriptive only: no cell is a finding; the tests (p, q, lag set) are in
    marts.fct_lead_lag_summary and the lead-lag example query.
    """
    frame = read(
        con,
        "select series_x || ' -> ' || series_y as pair, lag_weeks, corr "
        "from marts.fct_lead_lag where window_kind = 'full_history' order by series_x, series_y",
    )
    fig = _figure(
        "Lead-lag: correlation of weekly changes (full history; descriptive, "
        "tested in fct_lead_lag_summary)",
        "pair",
        frame,
    )
    fig.update_layout(
        height=max(HEIGHT, 22 * frame["pair"].n_unique() + 120) if len(frame) else HEIGHT
    )
    if not frame.is_empty():
        grid = frame.pivot(on="lag_weeks", index="pair", values="corr", sort_columns=True)
        lags = [c for c in grid.columns if c != "pair"]
        lags.sort(key=int)
        fig.add_heatmap(
            x=[int(c) for c in lags],
            y=grid["pair"].to_list(),
            z=grid.select(lags).rows(),
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            colorbar_title="corr",
        )
        fig.update_xaxes(title="lag (weeks)")
    return fig


def rotation_score(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """The composite rotation score over time (no look-ahead), risk-on days marked."""
    frame = read(
        con,
        "select date, rotation_score, is_risk_on from marts.fct_rotation_signal "
        "where rotation_score is not null order by date",
    )
    fig = _figure("Rotation score (risk-on when the score is high)", "score in [-1, 1]", frame)
    if not frame.is_empty():
        fig.add_scatter(x=frame["date"], y=frame["rotation_score"], name="rotation score")
        on = frame.filter(pl.col("is_risk_on"))
        fig.add_scatter(
            x=on["date"], y=on["rotation_score"], name="risk-on", mode="markers", marker_size=4
        )
    return fig


# The report's charts in reading order: id -> builder.
CHARTS: dict[str, Callable[[duckdb.DuckDBPyConnection], go.Figure]] = {
    "net-liquidity": net_liquidity,
    "impulse": impulse,
    "rut-trend": rut_trend,
    "crypto-rebased": crypto_rebased,
    "lead-lag": lead_lag,
    "rotation-score": rotation_score,
}
