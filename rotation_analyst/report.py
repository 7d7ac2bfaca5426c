"""The self-contained HTML report: plotly charts (JS inlined, no CDN), tables and the regime."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

from rotation_analyst.charts import CHARTS, read
from rotation_analyst.thesis_report import thesis_section

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 24px;
       color: #222; }
header { border-bottom: 2px solid #ddd; margin-bottom: 16px; }
.synthetic { background: #c62828; color: #fff; font-size: 40px; font-weight: 800;
             text-align: center; padding: 18px; margin: 16px 0; letter-spacing: 2px; }
.synthetic small { display: block; font-size: 16px; font-weight: 400; letter-spacing: 0; }
.origin { font-size: 18px; } .origin b { text-transform: uppercase; }
.chart { min-height: 420px; margin: 8px 0 28px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 28px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
th { background: #f3f3f3; } td.l, th.l { text-align: left; }
.regime td { font-size: 15px; }
.top { display: grid; grid-template-columns: 330px 1fr; gap: 24px; align-items: start; }
.top .chart { min-width: 0; }
"""
CHART_TEXT = {
    "net-liquidity": "Net liquidity and its components",
    "impulse": "13-week liquidity impulse",
    "rut-trend": "Russell 2000 trend and breakout events",
    "crypto-rebased": "BTC, ETH and the alt basket (rebased)",
    "lead-lag": "Lead-lag heatmap (descriptive: the tests are in fct_lead_lag_summary)",
    "rotation-score": "Rotation score",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _esc(value: Any) -> str:
    return html.escape(_text(value))


def html_table(frame: pl.DataFrame, css_class: str = "") -> str:
    """A polars frame as an HTML table (text left-aligned, numbers right-aligned, escaped)."""
    if frame.is_empty():
        return "<p><em>no rows in this warehouse yet</em></p>"
    text = {name for name, dtype in frame.schema.items() if not dtype.is_numeric()}
    head = "".join(f'<th class="{"l" if c in text else ""}">{_esc(c)}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"l" if c in text else ""}">{_esc(v)}</td>'
            for c, v in zip(frame.columns, row, strict=True)
        )
        + "</tr>"
        for row in frame.iter_rows()
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def last_run(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The newest meta.runs row (data_origin 'unknown' when no run is recorded)."""
    frame = read(
        con,
        "select run_id, flow_run_name, status, data_origin, window_start, window_end, finished_at "
        "from meta.runs order by started_at desc limit 1",
    )
    return frame.row(0, named=True) if len(frame) else {"data_origin": "unknown"}


def regime_table(con: duckdb.DuckDBPyConnection) -> str:
    """The current regime: the latest fct_regime row beside the rotation signal of that day."""
    frame = read(
        con,
        "select r.date, r.r2k_trend_state, r.liquidity_state, r.crypto_state, r.days_in_state, "
        "r.impulse_13w_usd_bn, r.impulse_z_13w, s.rotation_score, s.is_risk_on, "
        "s.btc_rs_vs_rut_90d, s.eth_rs_vs_btc_90d, s.alts_rs_vs_eth_90d "
        "from marts.fct_regime r left join marts.fct_rotation_signal s using (date) "
        "order by r.date desc limit 1",
    )
    if frame.is_empty():
        return html_table(frame)
    pairs = pl.DataFrame({"measure": frame.columns, "value": [_text(v) for v in frame.row(0)]})
    return html_table(pairs, "regime")


def _chart_div(chart_id: str, fig: go.Figure) -> str:
    plot = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"plot-{chart_id}",
        config={"displaylogo": False, "responsive": True},
    )
    title = html.escape(CHART_TEXT.get(chart_id, chart_id))
    return (
        f'<h2 id="{chart_id}">{title}</h2><div class="chart" data-chart="{chart_id}">{plot}</div>'
    )


def _header(run: dict[str, Any], source: Path | None) -> str:
    origin = run.get("data_origin") or "unknown"
    banner = (
        '<div class="synthetic" id="synthetic-banner">SYNTHETIC DATA'
        "<small>Built from the embedded emulator's synthetic market: not market history. "
        "Do not draw conclusions about real markets from these numbers.</small></div>"
        if str(origin).startswith("synthetic")
        else ""
    )
    facts = [
        f'<p class="origin">data_origin: <b id="data-origin">{_esc(origin)}</b></p>',
        f"<p>run {_esc(run.get('flow_run_name'))} ({_esc(run.get('status'))}), "
        f"window {_esc(run.get('window_start'))} .. {_esc(run.get('window_end'))}, "
        f"published {_esc(run.get('finished_at'))}</p>",
    ]
    if source is not None:
        facts.append(f"<p>warehouse: <code>{_esc(source)}</code></p>")
    return f"<header><h1>Liquidity rotation report</h1>{banner}{''.join(facts)}</header>"


def render_report(con: duckdb.DuckDBPyConnection, source: Path | None = None) -> str:
    """The report as one HTML document: plotly.js inlined, so it works offline.

    Args:
        con: a connection to the warehouse.
        source: the warehouse file named in the header, or None.

    Returns:
        The HTML text.
    """
    run = last_run(con)
    charts = {chart_id: build(con) for chart_id, build in CHARTS.items()}
    first, *rest = charts.items()
    # The thesis verdict opens the page; the regime sits beside the first chart below it.
    body = [
        _header(run, source),
        thesis_section(con),
        f'<div class="top"><div><h2 id="regime">Current regime</h2>{regime_table(con)}</div>'
        f"<div>{_chart_div(*first)}</div></div>",
    ]
    for chart_id, fig in rest:
        body.append(_chart_div(chart_id, fig))
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    body.append(f"<footer><p>generated {generated} by <code>rotation report</code></p></footer>")
    origin = _esc(run.get("data_origin") or "unknown")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Liquidity rotation report ({origin})</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_report(con: duckdb.DuckDBPyConnection, out: Path, source: Path | None = None) -> Path:
    """Render the report and write it to ``out`` (its folder is created).

    Args:
        con: a connection to the warehouse.
        out: the HTML file to write.
        source: the warehouse file named in the header, or None.

    Returns:
        ``out``.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(con, source), encoding="utf-8")
    return out
