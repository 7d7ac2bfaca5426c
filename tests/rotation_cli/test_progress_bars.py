"""Progress events: emitted by the flow, drawn by the CLI as bars (terminal) or lines (logs)."""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.progress import Progress

from rotation_cli.progress_bars import STAGES, Bars, PlainLines, run_progress
from rotation_kernel import progress
from rotation_kernel.progress import emit


class TestRendering:
    def test_plain_lines_print_stages_and_chunks_but_not_pages(self):
        out = io.StringIO()
        lines = PlainLines(Console(file=out, width=120))
        lines("stage", {"name": "extract", "streams": 45})
        lines("page", {"source": "fred", "stream": "WALCL", "rows": 10, "pages": 1})
        lines("chunk", {"index": 2, "total": 12, "start": "2016-01-01", "end": "2016-12-31"})
        text = re.sub(r"\d\d:\d\d:\d\d ", "", out.getvalue())
        assert text == "stage extract (streams 45)\nchunk 2/12: 2016-01-01 .. 2016-12-31\n"

    def test_bars_sum_pages_and_rows_per_source_across_its_streams(self):
        bars = Bars(Progress(console=Console(file=io.StringIO())))
        bars("stage", {"name": "extract", "streams": 3})
        bars("page", {"source": "fred", "stream": "WALCL", "rows": 500, "pages": 1})
        bars("page", {"source": "fred", "stream": "WALCL", "rows": 900, "pages": 2})
        bars("page", {"source": "fred", "stream": "RRPONTSYD", "rows": 1000, "pages": 1})
        bars("page", {"source": "yahoo", "stream": "^RUT", "rows": 250, "pages": 1})
        tasks = {t.description: t for t in bars.progress.tasks}
        assert tasks["fred"].fields["detail"] == "2 streams, 3 pages, 1,900 rows"
        assert tasks["yahoo"].fields["detail"] == "1 streams, 1 pages, 250 rows"
        bars("stage", {"name": "validate", "streams": 3})
        assert tasks["fred"].finished and tasks["yahoo"].finished
        assert tasks["stage"].completed == STAGES.index("validate")
        bars("stage", {"name": "done", "status": "success"})
        assert tasks["stage"].completed == len(STAGES)

    def test_a_terminal_gets_live_bars_and_a_pipe_gets_lines(self):
        """run_progress picks the renderer from the console; both stop listening on exit."""
        tty, pipe = io.StringIO(), io.StringIO()
        with run_progress(Console(file=tty, force_terminal=True, width=120)):
            emit("page", source="binance", stream="BTCUSDT", rows=1000, pages=1)
        with run_progress(Console(file=pipe, force_terminal=False, width=120)):
            emit("stage", name="publish")
        assert "binance" in tty.getvalue()
        assert "1 streams, 1 pages, 1,000 rows" in tty.getvalue()
        assert "\x1b[" in tty.getvalue()  # drawn with terminal codes
        assert pipe.getvalue().endswith("stage publish\n")
        assert progress._listeners == []
