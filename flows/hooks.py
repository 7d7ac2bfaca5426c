"""Prefect state hooks of the flows: tell someone when a run could not publish."""

from __future__ import annotations

from typing import Any

from prefect.logging import get_logger

logger = get_logger("rotation.hooks")


def notify_on_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """``on_failure``/``on_crashed`` hook: post the run's JSON summary to ROTATION_NOTIFY_WEBHOOK.

    A missing webhook is a no-op; a failing one is logged (flows/notify.py), never raised:
    the run's own failure is what the orchestrator must see.
    """
    from flows.notify import notify_failure

    notify_failure(
        {
            "flow": flow.name,
            "flow_run_id": str(flow_run.id),
            "flow_run_name": flow_run.name,
            "status": state.type.value if state.type else None,
            "message": state.message,
            "parameters": {k: str(v) for k, v in (flow_run.parameters or {}).items()},
        }
    )
