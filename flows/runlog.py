"""Run loggers that carry the run id and the source on every line, in the text and as extras."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from prefect import get_run_logger, runtime


class _Tagged(logging.LoggerAdapter):
    """Prefixes ``[run=<id> source=<source>/<stream>]`` and adds the same fields as extras."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        extra = {**self.extra, **kwargs.get("extra", {})}
        kwargs["extra"] = extra
        where = extra["source"] + (f"/{extra['stream']}" if extra.get("stream") else "")
        return f"[run={extra['run_id']} source={where}] {msg}", kwargs


def run_id() -> str:
    """The pipeline run id: the flow run's id (the id written to ``meta.runs``)."""
    return str(runtime.flow_run.id or "local")


def source_logger(source: str, stream: str | None = None) -> logging.LoggerAdapter:
    """The current Prefect run logger, tagged with the run id and the source (and stream)."""
    return _Tagged(get_run_logger(), {"run_id": run_id(), "source": source, "stream": stream})
