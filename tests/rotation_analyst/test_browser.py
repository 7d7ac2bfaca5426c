"""The report in a real browser: headless Debian Chromium renders every chart, with no errors."""

from __future__ import annotations

import pytest

from rotation_analyst.report import write_report
from tests.rotation_analyst.browser import CHROMIUM, render
from tests.rotation_analyst.test_report import CHART_IDS
from warehouse import connect

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt) when it can",
    ),
]


@pytest.fixture(scope="module")
def rendered(demo_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    with connect(demo_warehouse) as con:
        report = write_report(con, out / "report.html", source=demo_warehouse)
    return render(report, screenshot=out / "report.png"), out


class TestReportInChromium:
    def test_every_chart_is_drawn_as_svg(self, rendered):
        seen, _ = rendered
        # the thesis chart opens the page once its marts exist; the others follow in order
        assert [c for c in seen.charts if not c.startswith("thesis-")] == CHART_IDS
        assert all(svgs >= 2 for svgs, _ in seen.charts.values()), seen.charts

    def test_the_page_logs_no_console_error_and_fetches_nothing(self, rendered):
        seen, _ = rendered
        assert seen.console_errors == []
        assert seen.requests == []  # offline: plotly.js is inlined, no CDN

    def test_the_synthetic_banner_is_visible_for_demo_data(self, rendered):
        seen, _ = rendered
        assert seen.banner_visible is True
        assert seen.origin_text == "SYNTHETIC"  # the header shows data_origin upper-cased

    def test_a_screenshot_is_saved(self, rendered):
        _, out = rendered
        png = (out / "report.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 50_000
