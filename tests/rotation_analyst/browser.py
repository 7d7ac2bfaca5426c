"""Render the HTML report in headless Debian Chromium (Playwright) and say what the page showed.

Also a script, to refresh the README's screenshot after `make demo` and `rotation report`:
    uv run python -m tests.rotation_analyst.browser report.html warehouse/report.png
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright downloads no browser here
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 1500}
RENDER_TIMEOUT_MS = 60_000


@dataclass
class Rendered:
    """What the browser saw: per chart id its svg and canvas counts, errors, the banner."""

    charts: dict[str, tuple[int, int]] = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # anything not read from file://
    banner_visible: bool = False
    origin_text: str = ""


def render(report: Path, screenshot: Path | None = None) -> Rendered:
    """Open ``report`` in headless Chromium with an empty profile and wait for every chart.

    Args:
        report: the HTML file.
        screenshot: where to save a PNG of the top of the page, or None.

    Returns:
        The :class:`Rendered` observations.
    """
    seen = Rendered()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        # --user-data-dir comes from the persistent context's (empty) profile folder.
        browser = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport=VIEWPORT,
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda msg: seen.console_errors.append(msg.text) if msg.type == "error" else None,
            )
            page.on("pageerror", lambda exc: seen.console_errors.append(str(exc)))
            page.on(
                "request",
                lambda req: None if req.url.startswith("file:") else seen.requests.append(req.url),
            )
            page.goto(report.resolve().as_uri())
            page.wait_for_function(
                "[...document.querySelectorAll('.chart')].every("
                "c => c.querySelector('svg.main-svg'))",
                timeout=RENDER_TIMEOUT_MS,
            )
            seen.charts = {
                chart_id: (svgs, canvases)
                for chart_id, svgs, canvases in page.evaluate(
                    "[...document.querySelectorAll('.chart')].map(c => [c.dataset.chart, "
                    "c.querySelectorAll('svg').length, c.querySelectorAll('canvas').length])"
                )
            }
            banner = page.locator("#synthetic-banner")
            seen.banner_visible = banner.count() == 1 and banner.is_visible()
            seen.origin_text = page.locator("#data-origin").inner_text()
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    return seen


if __name__ == "__main__":  # pragma: no cover - the README screenshot
    result = render(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(result.charts)} charts, console errors: {result.console_errors or 'none'}")
