"""Progress events (rotation_kernel.progress): flows emit, a listener (or nobody) receives."""

from __future__ import annotations

import threading

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
