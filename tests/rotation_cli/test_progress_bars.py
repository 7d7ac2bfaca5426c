"""Progress events: emitted by the flow, drawn by the CLI as bars (terminal) or lines (logs)."""

from __future__ import annotations

import io
import re
import threading

from rich.console import Console
from rich.progress import Progress

from rotation_cli.progress_bars import STAGES, Bars, PlainLines, run_progress
from rotation_kernel import progress
from rotation_kernel.progress import emit, subscribe


class TestEmit:
    def test_with_nobody_listening_emit_does_nothing(self):
        assert progress._listeners == []
        emit("stage", name="extract")  # no error, no state

    def test_a_listener_sees_events_only_while_subscribed(self):
        seen = []
        with subscribe(lambda kind, fields: seen.append((kind, fields))):
            emit("page", source="fred", stream="WALCL", rows=100, pages=1)
        emit("page", source="fred", stream="WALCL", rows=200, pages=2)
        assert seen == [("page", {"source": "fred", "stream": "WALCL", "rows": 100, "pages": 1})]
        assert progress._listeners == []

    def test_a_failing_listener_never_breaks_the_run(self):
        """Progress is decoration: an exception in a listener is swallowed, others still hear."""
        heard = []

        def broken(kind, fields):
            raise RuntimeError("terminal closed")

        with subscribe(broken), subscribe(lambda kind, fields: heard.append(kind)):
            emit("stage", name="load")
        assert heard == ["stage"]

    def test_events_from_many_threads_all_arrive(self):
        """Extraction runs on a thread pool: 8 threads x 50 pages are all delivered."""
        count = []
        lock = threading.Lock()

        def listener(kind, fields):
            with lock:
                count.append(fields["pages"])

        def pages():
            for page in range(50):
                emit("page", source="binance", stream="BTCUSDT", rows=page, pages=page)

        with subscribe(listener):
            threads = [threading.Thread(target=pages) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert len(count) == 400


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
