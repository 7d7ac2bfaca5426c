"""A command's two slow starts, overlapped: Prefect's temporary API server and GX's import.

``rotation run`` without ``PREFECT_API_URL`` starts Prefect's temporary server (a subprocess:
migrations, then uvicorn; ~10 s here) the first time a flow is called, and the first
validation imports Great Expectations (~6 s of CPU). Done one after the other, they are most
of a warm nightly run's wall time. :func:`prepare` starts the server on a thread, whose only
work is to poll the subprocess's health endpoint, while this thread imports GX and builds
its context; both are needed by every run, so nothing is wasted.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def _start_temporary_server() -> threading.Thread | None:
    """Start Prefect's temporary server on a thread, when this process would use one."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None  # a configured server (a worker, `make serve`): nothing to start
    from prefect.server.api.server import SubprocessASGIServer

    def start() -> None:
        try:
            SubprocessASGIServer().start()
        except Exception as exc:  # the flow's own start retries it, and reports a failure
            log.warning("Prefect's temporary server did not start ahead of the run: %s", exc)

    thread = threading.Thread(target=start, name="prefect-temporary-server", daemon=True)
    thread.start()
    return thread


def prepare() -> None:
    """Start Prefect's temporary server and warm GX up at the same time; return when both are
    done (the flow's own call then finds the server healthy: it only checks ``running``)."""
    server = _start_temporary_server()
    from expectations.validate import warm_up

    warm_up()
    if server is not None:
        server.join()
