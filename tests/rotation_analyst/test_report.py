"""`rotation report`: one self-contained HTML file with every chart, the tables and the origin."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from rotation_analyst.charts import CHARTS
from rotation_analyst.report import render_report, write_report
from warehouse import connect

CHART_IDS = [
    "net-liquidity",
    "impulse",
    "rut-trend",
    "crypto-rebased",
    "lead-lag",
    "rotation-score",
]


@pytest.fixture(scope="module")
def report_html(demo_warehouse) -> str:
    with connect(demo_warehouse) as con:
        return render_report(con, demo_warehouse)


class TestReport:
    def test_every_chart_the_issue_asks_for_is_in_the_page_in_order(self, report_html):
        assert list(CHARTS) == CHART_IDS
        assert re.findall(r'<div class="chart" data-chart="([a-z-]+)">', report_html) == CHART_IDS

    def test_plotly_js_is_inlined_and_nothing_is_fetched(self, report_html):
        """Works offline: no <script src>, no stylesheet link, the plotly bundle in the page."""
        assert "<script src" not in report_html
        assert "<link" not in report_html
        # every chart div (the thesis chart too, once its marts exist) holds one plot
        assert report_html.count("Plotly.newPlot(") == report_html.count('data-chart="') >= 6
        assert len(report_html) > 3_000_000  # plotly.js itself is ~4.8 MB

    def test_synthetic_data_gets_the_banner_and_the_origin_in_the_header(self, report_html):
        assert '<div class="synthetic" id="synthetic-banner">SYNTHETIC DATA' in report_html
        assert '<b id="data-origin">synthetic</b>' in report_html
        assert "<title>Liquidity rotation report (synthetic)</title>" in report_html

    def test_the_current_regime_is_the_last_days(self, report_html, demo_warehouse):
        with connect(demo_warehouse) as con:
            day, liquidity = con.execute(
                "select date, liquidity_state from marts.fct_regime order by date desc limit 1"
            ).fetchone()
        assert f'<td class="l">date</td><td class="l">{day}</td>' in report_html
        assert f'<td class="l">liquidity_state</td><td class="l">{liquidity}</td>' in report_html

    def test_the_thesis_section_opens_the_page_before_the_regime_and_the_charts(self, report_html):
        """Built or not, the thesis comes first: right after the header, before any other chart."""
        thesis = report_html.index('<section id="thesis"><h2>The thesis, tested</h2>')
        assert report_html.index("</header>") < thesis < report_html.index('id="regime"')
        assert thesis < report_html.index('data-chart="net-liquidity"')
        assert "event-study" not in report_html

    def test_live_data_has_no_banner(self, demo_warehouse, tmp_path):
        """A live run's warehouse says 'live' and shows no synthetic banner."""
        live = tmp_path / "live.duckdb"
        shutil.copyfile(demo_warehouse, live)
        with duckdb.connect(str(live)) as con:
            con.execute("update meta.runs set data_origin = 'live'")
        with connect(live) as con:
            out = write_report(con, tmp_path / "out" / "report.html")
        page = out.read_text()
        assert "synthetic-banner" not in page
        assert '<b id="data-origin">live</b>' in page

    def test_an_empty_warehouse_still_renders_every_chart_saying_so(self, tmp_path):
        """Before the first run (no marts): the page renders, each chart says it has no rows."""
        empty = tmp_path / "empty.duckdb"
        duckdb.connect(str(empty)).close()
        with connect(empty) as con:
            page = render_report(con)
        assert re.findall(r'data-chart="([a-z-]+)"', page) == CHART_IDS
        assert page.count("no rows in this warehouse yet") >= len(CHART_IDS)
        assert '<b id="data-origin">unknown</b>' in page
        assert "thesis marts not built yet - run <code>rotation run</code>" in page
