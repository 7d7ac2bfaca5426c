"""The report's first section, "The thesis, tested": verdict, episodes, test, order, sensitivity."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import duckdb
import polars as pl

from rotation_analyst.thesis_charts import excess_chart, leg_rank, leg_text
from warehouse.db import list_tables

MIN_EPISODES = 8  # fct_thesis_test: q_value is NULL and the verdict 'insufficient' below this
NOT_BUILT = "thesis marts not built yet - run <code>rotation run</code>"
VERDICT_TEXT = {
    "evidence for": "evidence for the thesis",
    "evidence against": "evidence against the thesis",
    "no evidence": "no evidence either way",
    "insufficient": "insufficient: too few episodes to judge",
}
COMPARISON_TEXT = {
    "eth_btc_after_btc_rut": "ETH/BTC peaks after BTC/R2K",
    "alts_eth_after_eth_btc": "alts/ETH peaks after ETH/BTC",
}
STYLE = """
#thesis .headline { font-size: 17px; padding: 10px 14px; border-left: 6px solid #888;
                    background: #f6f6f6; }
#thesis .insufficient { border-color: #e6a700; } #thesis .verdict-for { color: #1b7f2a; }
#thesis .verdict-against { color: #b3261e; }
#thesis .primary { font-weight: 700; }
#thesis .grids { display: flex; flex-wrap: wrap; gap: 24px; }
"""


def _num(value: Any, digits: int = 3, *, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _table(columns: list[str], rows: list[list[str]], css_class: str = "") -> str:
    """An HTML table of cells that are already HTML (callers escape text with html.escape)."""
    if not rows:
        return "<p><em>no rows in this warehouse yet</em></p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _verdict(value: str | None) -> str:
    words = html.escape(VERDICT_TEXT.get(value or "", value or ""))
    css = {"evidence for": "verdict-for", "evidence against": "verdict-against"}.get(value or "")
    return f'<span class="{css}">{words}</span>' if css else words


def _sorted_by_leg(frame: pl.DataFrame, *by: str) -> pl.DataFrame:
    rank = pl.col("leg").map_elements(leg_rank, return_dtype=pl.Int64)
    return frame.with_columns(rank.alias("_rank")).sort("_rank", "leg", *by).drop("_rank")


def is_insufficient(test: pl.DataFrame) -> bool:
    """True when the test can judge nothing: no row, every verdict 'insufficient', or every row
    under MIN_EPISODES episodes."""
    if test.is_empty():
        return True
    return bool(
        (test["verdict"] == "insufficient").all() or (test["count_episodes"] < MIN_EPISODES).all()
    )


def _counted(test: pl.DataFrame, count_episodes: int) -> str:
    """How many of the episodes the tests count, when not all: ' (9 to 10 in each test: ...)'."""
    low, high = test["count_episodes"].min(), test["count_episodes"].max()
    if low is None or low == high == count_episodes:
        return ""
    counted = f"{low}" if low == high else f"{low} to {high}"
    return (
        f" ({counted} in each test: an episode counts once its horizon has elapsed and its leg "
        "has prices)"
    )


def headline(test: pl.DataFrame, count_episodes: int, since: date | None) -> str:
    """The section's first sentence: insufficient evidence, or how the verdicts fell.

    Args:
        test: rows of marts.fct_thesis_test.
        count_episodes: rows of marts.fct_thesis_episodes (independent episodes).
        since: the first session of marts.fct_thesis_setup, or None.

    Returns:
        Plain text (not HTML).
    """
    plural = "episode" if count_episodes == 1 else "episodes"
    start = since.isoformat() if since else "the start of the data"
    if is_insufficient(test):
        return (
            f"Insufficient evidence: only {count_episodes} independent {plural} since {start}; "
            "the thesis can be neither supported nor rejected. "
            "The episodes are listed one by one below."
        )
    counts = test["verdict"].value_counts()
    tally = dict(zip(counts["verdict"], counts["count"], strict=True))
    parts = [f"{tally.get(v, 0)} {v}" for v in VERDICT_TEXT]
    text = (
        f"{count_episodes} independent {plural} since {start}{_counted(test, count_episodes)}, "
        f"{test.height} tests (leg x horizon): {', '.join(parts)}."
    )
    for verdict in ("evidence for", "evidence against"):
        rows = _sorted_by_leg(test.filter(pl.col("verdict") == verdict), "horizon_days")
        if not rows.is_empty():
            legs = ", ".join(
                f"{leg_text(r['leg'])} at {r['horizon_days']} days "
                f"(excess {_num(r['excess_log_ret'], signed=True)}, q {_num(r['q_value'])})"
                for r in rows.iter_rows(named=True)
            )
            text += f" {verdict.capitalize()}: {legs}."
    return text


def _return_cell(value: float | None, entry: date, last_session: date | None) -> str:
    if value is not None:
        return _num(value)
    # NULL: the 90 days have not elapsed yet, or they have but a price is missing
    elapsed = last_session is not None and (last_session - entry).days >= 90
    return "no data" if elapsed else "pending"


def episodes_table(episodes: pl.DataFrame, last_session: date | None = None) -> str:
    """One row per independent episode: dates, the impulse and the 90-day leg log returns.

    Args:
        episodes: rows of marts.fct_thesis_episodes.
        last_session: the newest session of marts.fct_thesis_setup; a NULL return of an
            episode entered 90 days or more before it reads "no data", else "pending".

    Returns:
        An HTML table.
    """
    legs = [c.removesuffix("_log_ret_90d") for c in episodes.columns if c.endswith("_log_ret_90d")]
    legs.sort(key=leg_rank)
    columns = ["episode", "start", "entry (day 0)", "impulse % of WALCL", "impulse USD bn"]
    columns += [f"{leg_text(leg)} 90 d log return" for leg in legs]
    rows = [
        [
            str(r["episode_id"]),
            html.escape(str(r["start_date"])),
            html.escape(str(r["entry_date"])),
            _num(r["impulse_13w_pct_walcl"], 2, signed=True),
            _num(r["impulse_13w_usd_bn"], 0, signed=True),
            *(_return_cell(r[f"{leg}_log_ret_90d"], r["entry_date"], last_session) for leg in legs),
        ]
        for r in episodes.sort("entry_date").iter_rows(named=True)
    ]
    return _table(columns, rows, "episodes")


def verdict_table(test: pl.DataFrame) -> str:
    """fct_thesis_test with its interval, p, q, the leave-one-out range and the verdict in words."""
    columns = ["leg", "horizon", "episodes", "excess log return", "90% interval", "p", "q"]
    columns += ["leave-one-out excess", "fragile?", "verdict"]
    rows = [
        [
            html.escape(leg_text(r["leg"])),
            f"{r['horizon_days']} days",
            str(r["count_episodes"]),
            _num(r["excess_log_ret"], signed=True),
            f"{_num(r['ci90_low'], signed=True)} .. {_num(r['ci90_high'], signed=True)}",
            _num(r["p_value"]),
            f"n/a (&lt; {MIN_EPISODES} episodes)" if r["q_value"] is None else _num(r["q_value"]),
            f"{_num(r['loo_min_excess'], signed=True)} .. {_num(r['loo_max_excess'], signed=True)}",
            "fragile" if r["is_fragile"] else "robust",
            _verdict(r["verdict"]),
        ]
        for r in _sorted_by_leg(test, "horizon_days").iter_rows(named=True)
    ]
    return _table(columns, rows, "thesis-test")


def ordering_reading(row: dict[str, Any]) -> str:
    """One line reading one fct_thesis_ordering row, in plain text."""
    what = COMPARISON_TEXT.get(row["comparison"], row["comparison"])
    q = "n/a" if row["q_value"] is None else _num(row["q_value"])
    return (
        f"{what}: median lag {_num(row['median_lag_days'], 0)} days against "
        f"{_num(row['null_median_lag_days'], 0)} under the null (excess "
        f"{_num(row['excess_lag_days'], 0, signed=True)} days, p {_num(row['p_value'])}, q {q}, "
        f"{row['count_episodes']} episodes): {VERDICT_TEXT.get(row['verdict'], row['verdict'])}."
    )


def ordering_section(ordering: pl.DataFrame) -> str:
    """fct_thesis_ordering as a table, each comparison followed by its one-line reading."""
    columns = ["comparison", "episodes", "median lag (days)", "null median lag", "excess (days)"]
    columns += ["90% interval", "p", "q", "fragile?", "verdict"]
    rows = [
        [
            html.escape(COMPARISON_TEXT.get(r["comparison"], r["comparison"])),
            str(r["count_episodes"]),
            _num(r["median_lag_days"], 0),
            _num(r["null_median_lag_days"], 0),
            _num(r["excess_lag_days"], 0, signed=True),
            f"{_num(r['ci90_low'], 0, signed=True)} .. {_num(r['ci90_high'], 0, signed=True)}",
            _num(r["p_value"]),
            "n/a" if r["q_value"] is None else _num(r["q_value"]),
            "fragile" if r["is_fragile"] else "robust",
            _verdict(r["verdict"]),
        ]
        for r in ordering.iter_rows(named=True)
    ]
    readings = "".join(
        f'<p class="reading">{html.escape(ordering_reading(r))}</p>'
        for r in ordering.iter_rows(named=True)
    )
    return _table(columns, rows, "thesis-ordering") + readings


def sensitivity_grids(sensitivity: pl.DataFrame) -> str:
    """Per 90-day rotation leg, a grid: liquidity threshold (rows) x uptrend confirmation
    sessions (columns); each cell the excess, q and verdict; the primary setting outlined."""
    grids = []
    for leg in sorted(sensitivity["leg"].unique().to_list(), key=lambda x: (leg_rank(x), x)):
        cells = sensitivity.filter(pl.col("leg") == leg)
        sessions = sorted(cells["uptrend_confirm_sessions"].unique().to_list())
        rows = []
        for threshold in sorted(cells["liquidity_threshold_pct_walcl"].unique().to_list()):
            row = [f"{threshold:g}%"]
            for confirm in sessions:
                hit = cells.filter(
                    (pl.col("liquidity_threshold_pct_walcl") == threshold)
                    & (pl.col("uptrend_confirm_sessions") == confirm)
                )
                row.append(_grid_cell(hit.row(0, named=True)) if hit.height else "")
            rows.append(row)
        columns = ["impulse threshold \\ confirm sessions", *(f"{s} sessions" for s in sessions)]
        table = _table(columns, rows, "sensitivity")
        grids.append(f"<div><h4>{html.escape(leg_text(leg))}, 90 days</h4>{table}</div>")
    return f'<div class="grids">{"".join(grids)}</div>'


def _grid_cell(r: dict[str, Any]) -> str:
    q = "n/a" if r["q_value"] is None else _num(r["q_value"])
    text = (
        f"{_num(r['excess_log_ret'], signed=True)} (n {r['count_episodes']}, q {q})<br>"
        f"{html.escape(r['verdict'] or '')}"
    )
    if r["is_primary"]:
        return f'<span class="primary" title="the primary setting">{text}<br>★ primary</span>'
    return text


def thesis_section(con: duckdb.DuckDBPyConnection) -> str:
    """The report's first section, or a note that the thesis marts are not built yet.

    Args:
        con: a connection to the warehouse.

    Returns:
        An HTML ``<section id="thesis">`` with its own style and the excess-return chart.
    """
    title = f'<style>{STYLE}</style><section id="thesis"><h2>The thesis, tested</h2>'
    present = set(list_tables(con, ("marts",)))
    missing = [
        f"marts.fct_thesis_{part}"
        for part in ("setup", "episodes", "test", "ordering", "sensitivity")
        if f"marts.fct_thesis_{part}" not in present
    ]
    if missing:
        names = ", ".join(missing)
        return f'{title}<p class="headline insufficient">{NOT_BUILT} ({names}).</p></section>'
    test = con.sql("select * from marts.fct_thesis_test").pl()
    episodes = con.sql("select * from marts.fct_thesis_episodes").pl()
    since, last_session = con.execute(
        "select min(date), max(date) from marts.fct_thesis_setup"
    ).fetchall()[0]
    css = "headline insufficient" if is_insufficient(test) else "headline"
    text = html.escape(headline(test, episodes.height, since))
    figure = excess_chart(test).to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id="plot-thesis-test",
        config={"displaylogo": False, "responsive": True},
    )
    ordering = con.sql(
        "select * from marts.fct_thesis_ordering order by "
        "list_position(['eth_btc_after_btc_rut', 'alts_eth_after_eth_btc'], comparison), comparison"
    ).pl()
    sensitivity = con.sql("select * from marts.fct_thesis_sensitivity").pl()
    return "".join(
        [
            title,
            f'<p class="{css}" id="thesis-headline">{text}</p>',
            "<h3>Episodes, one by one (90-day log returns after entry)</h3>",
            episodes_table(episodes, last_session),
            "<h3>The test: each leg against its null</h3>",
            f'<div class="chart thesis-chart" data-chart="thesis-test">{figure}</div>',
            verdict_table(test),
            "<h3>The order: does each rung peak after the one below it?</h3>",
            ordering_section(ordering),
            "<h3>Sensitivity: the 90-day legs under other settings</h3>",
            sensitivity_grids(sensitivity),
            "</section>",
        ]
    )
