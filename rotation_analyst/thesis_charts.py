"""The thesis section's figure: each leg's excess log return, with its 90% interval."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from rotation_analyst.charts import HEIGHT, TEMPLATE

# Rotation legs first (the thesis), then each coin alone; unknown legs go last, by name.
LEG_ORDER = ("btc_vs_rut", "eth_vs_btc", "alts_vs_eth", "btc", "eth", "alts")
LEG_TEXT = {
    "btc_vs_rut": "BTC vs R2K",
    "eth_vs_btc": "ETH vs BTC",
    "alts_vs_eth": "alts vs ETH",
    "btc": "BTC",
    "eth": "ETH",
    "alts": "alts",
}
# Darker for longer horizons, so the colour reads as time.
HORIZON_COLOURS = {30: "#9ecae1", 60: "#4292c6", 90: "#08519c", 180: "#08306b"}


def leg_text(leg: str) -> str:
    """A leg as a reader says it ('eth_vs_btc' -> 'ETH vs BTC'); unknown legs as they are."""
    return LEG_TEXT.get(leg, leg)


def leg_rank(leg: str) -> int:
    """A leg's place in reading order (rotation legs first); unknown legs after every known one."""
    return LEG_ORDER.index(leg) if leg in LEG_ORDER else len(LEG_ORDER)


def excess_chart(test: pl.DataFrame) -> go.Figure:
    """Excess log return per leg with its 90% interval as error bars, one colour per horizon.

    Args:
        test: rows of marts.fct_thesis_test (leg, horizon_days, excess_log_ret, ci90_low,
            ci90_high, count_episodes).

    Returns:
        The figure: one marker trace per horizon, grouped side by side on each leg, with
        asymmetric error bars from ci90_low to ci90_high and a line at zero (the null).
    """
    fig = go.Figure()
    fig.update_layout(
        title="Excess log return over the null after entry, with 90% intervals",
        template=TEMPLATE,
        height=HEIGHT,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15, "title": "horizon"},
        yaxis_title="excess log return",
        scattermode="group",
        hovermode="closest",
    )
    fig.add_hline(y=0, line_color="#888", line_dash="dot")
    if test.is_empty():
        fig.add_annotation(text="no rows in this warehouse yet", showarrow=False, font_size=16)
        return fig
    ordered = test.with_columns(
        pl.col("leg").map_elements(leg_rank, return_dtype=pl.Int64).alias("_rank")
    ).sort("_rank", "leg", "horizon_days")
    for horizon in ordered["horizon_days"].unique(maintain_order=True).sort().to_list():
        rows = ordered.filter(pl.col("horizon_days") == horizon)
        fig.add_scatter(
            x=[leg_text(leg) for leg in rows["leg"]],
            y=rows["excess_log_ret"].to_list(),
            name=f"{horizon} days",
            mode="markers",
            marker={"size": 10, "color": HORIZON_COLOURS.get(horizon)},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rows["ci90_high"] - rows["excess_log_ret"]).to_list(),
                "arrayminus": (rows["excess_log_ret"] - rows["ci90_low"]).to_list(),
            },
            customdata=rows["count_episodes"].to_list(),
            hovertemplate="%{x}: %{y:.3f} (n = %{customdata} episodes)<extra></extra>",
        )
    return fig
