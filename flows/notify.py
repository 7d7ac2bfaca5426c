"""Failure notification: POST a run's JSON summary to ROTATION_NOTIFY_WEBHOOK, best effort."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from rotation_kernel.settings import Settings, load_settings
from sources._http import REDACTED, USER_AGENT, redact_query_text, sanitize_text

log = logging.getLogger("rotation.notify")

EVENT = "rotation.run_failed"
# (connect, read) seconds: the notification runs on the failure path, so it must not hold the
# worker up for long; one attempt only, since a retry loop here would delay the Failed state.
TIMEOUT_S = (2.0, 5.0)
# A key whose name has one of these words carries a secret: its value never leaves the process.
_SECRET_WORDS = frozenset(
    {"key", "apikey", "token", "secret", "password", "passwd", "credential", "credentials"}
    | {"authorization", "auth", "cookie", "webhook"}
)


def notify_failure(
    summary: Mapping[str, Any],
    settings: Settings | None = None,
    timeout: float | tuple[float, float] = TIMEOUT_S,
) -> bool:
    """POST the run's summary as JSON to ``settings.notify_webhook``; never raises.

    Args:
        summary: what the run knows, e.g. ``flow_run_id``, ``flow_run_name``, ``status``,
            ``message``, ``failed_streams``, ``stale_sources``. The payload adds ``event``,
            ``sent_at``, ``warehouse`` and ``data_origin``; secrets are redacted.
        settings: the pipeline settings (default: read from the environment).
        timeout: (connect, read) seconds for the single attempt.

    Returns:
        True when the webhook answered 2xx; False when no webhook is set or delivery failed
        (the failure is logged as a warning: a broken webhook must not mask the run's own state).
    """
    try:
        settings = settings or load_settings()
    except ValueError as exc:  # ConfigError: report it, but the hook must not raise
        log.warning("failure notification skipped: %s", exc)
        return False
    if not settings.notify_webhook:
        return False
    target = webhook_label(settings.notify_webhook)
    try:
        response = requests.post(
            settings.notify_webhook,
            json=build_payload(summary, settings),
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
        )
        response.raise_for_status()
    except requests.HTTPError as exc:
        log.warning("failure notification to %s refused: HTTP %s", target, exc.response.status_code)
        return False
    except (requests.RequestException, ValueError) as exc:
        # Only the exception type: its text would repeat the full webhook URL.
        log.warning("failure notification to %s not delivered: %s", target, type(exc).__name__)
        return False
    log.info("failure notification delivered to %s", target)
    return True


def build_payload(summary: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """The JSON body of a notification: the summary plus where the run wrote, secrets removed.

    Args:
        summary: the run's fields (see :func:`notify_failure`); they win over the defaults.
        settings: supplies ``warehouse``, ``data_origin`` and the secret values to scrub.

    Returns:
        A JSON-ready dict: dates and paths become strings, values of secret-named keys become
        ``***``, and the FRED key, the webhook URL and ``api_key=...`` pairs are cut from text.
    """
    secrets = [settings.notify_webhook or ""]
    if settings.fred_api_key is not None:
        secrets.append(settings.fred_api_key.get_secret_value())
    payload = {
        "event": EVENT,
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": str(settings.warehouse),
        "data_origin": settings.data_origin,
        **summary,
    }
    return _scrub(payload, sorted(filter(None, secrets), key=len, reverse=True))


def webhook_label(url: str) -> str:
    """``scheme://host[:port]`` of a webhook: chat webhooks carry their token in the path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _is_secret_name(name: str) -> bool:
    return any(word in _SECRET_WORDS for word in re.split(r"[^a-z0-9]+", name.lower()))


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if _is_secret_name(str(k)) else _scrub(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_scrub(v, secrets) for v in items]
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value.isoformat() if isinstance(value, date) else str(value)
    return sanitize_text(redact_query_text(text), secrets)
