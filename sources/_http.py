"""All HTTP policy: session, timeouts, retries honouring Retry-After, rate limits, redaction.

Every source module talks to its API only through :class:`HttpClient`. HTTP failures (429,
5xx, timeouts, resets, a body that is not JSON) are retried here and only here, at most
``max_attempts`` times a request: the extract task never retries a ``SourceHTTPError``. Its
own retries are for what this layer cannot see, a stream's time limit and lock waits
(``flows/policy.py`` has the table of which layer retries what).
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import requests

from rotation_kernel.errors import SourceAPIError, SourceHTTPError, VenueUnavailableError
from sources._ratelimit import (
    DEFAULT_BAN_S,
    FALL_BACK_STATUSES,
    PROCESS_RATE_LIMITS,
    HostLimiter,
    RateLimits,
    RequestRate,
)

log = logging.getLogger("rotation.http")

USER_AGENT = "liquidity-rotation/0.1 (+https://github.com/liquidity-rotation; nightly ETL)"
SENSITIVE_PARAMS = frozenset({"api_key", "apikey", "token", "access_token", "key", "signature"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDACTED = "***"


def sanitize_url(url: str) -> str:
    """Return ``url`` with the values of sensitive query parameters replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, REDACTED if k.lower() in SENSITIVE_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=":,[]*")))


_SENSITIVE_QUERY = re.compile(
    r"(?i)(?<![\w])(" + "|".join(sorted(SENSITIVE_PARAMS)) + r")=[^&\s\"']*"
)


def redact_query_text(text: str) -> str:
    """Redact ``name=value`` pairs of sensitive parameters wherever they sit in free text."""
    return _SENSITIVE_QUERY.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


class _RedactUrlsFilter(logging.Filter):
    """Scrubs URLs that urllib3 logs on its own (``"GET /path?api_key=..." 200`` at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_query_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# Filters run on the logger that made the record, so each urllib3 logger that prints a
# request URL gets one; otherwise a DEBUG log level would leak the FRED key.
_URL_FILTER = _RedactUrlsFilter()
for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_URL_FILTER)


def sanitize_text(text: str, secrets: list[str]) -> str:
    """Remove every secret value from free text (an error body may echo the key back)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date. None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class HttpClient:
    """A requests session with the pipeline's timeouts, retries, rate limits and redaction.

    Args:
        connect_timeout_s / read_timeout_s: per-request timeouts.
        max_attempts: total tries per request, first included.
        backoff_base_s / backoff_cap_s: exponential backoff with full jitter, capped; a
            Retry-After header beats the backoff but is still capped at ``backoff_cap_s``.
        min_interval_s: per-host minimum spacing between requests (host -> seconds); it
            overrides the host's policy in ``rate_limits``.
        secrets: values to scrub from any error text (e.g. the FRED key).
        sleep / clock: injectable for tests; a fake clock's ``sleep`` must advance its time.
        rate_limits: the per-host limiters; the process-wide registry by default.
    """

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0
    min_interval_s: Mapping[str, float] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    rate_limits: RateLimits = PROCESS_RATE_LIMITS
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> HttpClient:
        """Build a client from :class:`rotation_kernel.settings.Settings`."""
        secrets = []
        if settings.fred_api_key is not None:
            secrets.append(settings.fred_api_key.get_secret_value())
        return cls(
            connect_timeout_s=settings.http_connect_timeout_s,
            read_timeout_s=settings.http_read_timeout_s,
            max_attempts=settings.http_max_attempts,
            backoff_base_s=settings.http_backoff_base_s,
            backoff_cap_s=settings.http_backoff_cap_s,
            secrets=secrets,
            **kwargs,
        )

    def _limiter(self, host: str) -> HostLimiter | None:
        # One limiter per host for the whole process: concurrent tasks each build their own
        # client, and a per-client limiter would let them together exceed the host's limit.
        interval = self.min_interval_s.get(host)
        return self.rate_limits.limiter(host, RequestRate(1, interval) if interval else None)

    def _wait_turn(self, limiter: HostLimiter, safe_url: str, parts: SplitResult) -> None:
        now = self.clock()
        if limiter.banned_until > now:
            raise VenueUnavailableError(
                f"GET {safe_url} not sent: the host has banned this IP for another "
                f"{limiter.banned_until - now:.0f}s",
                url=safe_url,
                status=418,
                reason="banned",
                retry_after_s=limiter.banned_until - now,
            )
        delay = limiter.reserve(parts.path, dict(parse_qsl(parts.query)), now)
        if delay > 0:
            self.sleep(delay)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.backoff_cap_s)
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not crypto

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """GET with the retry policy. Returns a 2xx response.

        Raises:
            VenueUnavailableError: HTTP 418 (banned; the host is then not called again until
                the ban ends) or 451 (geo-blocked): never retried, the caller falls back.
            SourceHTTPError: retries exhausted, a connection failure, or a non-retryable status.
                Its message and ``url`` carry the sanitized URL only.
        """
        return self._send(url, params, None)

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode JSON. A 2xx body that is not JSON (cut short, or an HTML page from a
        proxy answering for the API) is a transient failure: retried like a 503.

        Raises:
            SourceHTTPError: as :meth:`get`, or when every attempt's body was not JSON.
        """
        return self._send(url, params, lambda resp: resp.json())

    def get_json_page(self, url: str, params: Mapping[str, Any] | None = None) -> tuple[bytes, Any]:
        """As :meth:`get_json`, also returning the body exactly as received (for sources that
        spool raw pages and type them at load time)."""
        return self._send(url, params, lambda resp: (resp.content, orjson.loads(resp.content)))

    def _send(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        decode: Callable[[requests.Response], Any] | None,
    ) -> Any:
        prepared = self.session.prepare_request(requests.Request("GET", url, params=params))
        safe_url = sanitize_url(prepared.url or url)
        parts = urlsplit(prepared.url or url)
        limiter = self._limiter(parts.netloc)
        last_reason = ""
        for attempt in range(1, self.max_attempts + 1):
            if limiter:
                self._wait_turn(limiter, safe_url, parts)
            retry_after = None
            try:
                resp = self.session.send(
                    prepared,
                    timeout=(self.connect_timeout_s, self.read_timeout_s),
                    # send() skips the environment: honour HTTPS_PROXY, REQUESTS_CA_BUNDLE, ...
                    **self.session.merge_environment_settings(prepared.url, {}, None, None, None),
                )
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                last_reason = type(exc).__name__
                status = None
            else:
                status = resp.status_code
                if limiter:
                    limiter.observe(resp.headers, self.clock())
                if status < 400:
                    log.debug("GET %s -> %s", safe_url, status)
                    if decode is None:
                        return resp
                    try:
                        return decode(resp)
                    except ValueError:  # orjson.JSONDecodeError is a ValueError too
                        kind = resp.headers.get("Content-Type", "no content type")
                        last_reason = f"the body is not JSON ({kind}, {len(resp.content)} bytes)"
                elif status in FALL_BACK_STATUSES:
                    raise self._venue_unavailable(resp, safe_url, limiter)
                elif status not in RETRY_STATUSES:
                    raise self._client_error(resp, safe_url)
                else:
                    last_reason = f"HTTP {status}"
                    retry_after = retry_after_seconds(resp.headers.get("Retry-After"), self.clock())
                if limiter and retry_after is not None:
                    # Retry-After speaks for the host: every client waits, not only this one.
                    limiter.pause_until(self.clock() + min(retry_after, self.backoff_cap_s))
                resp.close()
            if attempt == self.max_attempts:
                break
            delay = self._backoff(attempt, retry_after)
            log.warning(
                "GET %s failed (%s), attempt %d/%d, retrying in %.1fs",
                safe_url,
                last_reason,
                attempt,
                self.max_attempts,
                delay,
            )
            self.sleep(delay)
        raise SourceHTTPError(
            f"GET {safe_url} failed after {self.max_attempts} attempts: {last_reason}",
            url=safe_url,
            status=status,
        )

    def _body(self, resp: requests.Response) -> str:
        return sanitize_text(resp.text[:300].replace("\n", " "), self.secrets)

    def _venue_unavailable(
        self, resp: requests.Response, safe_url: str, limiter: HostLimiter | None
    ) -> VenueUnavailableError:
        reason = FALL_BACK_STATUSES[resp.status_code]
        retry_after = retry_after_seconds(resp.headers.get("Retry-After"), self.clock())
        if limiter and reason == "banned":
            ban_s = DEFAULT_BAN_S if retry_after is None else retry_after
            limiter.ban_until(self.clock() + ban_s)
        return VenueUnavailableError(
            f"GET {safe_url} -> HTTP {resp.status_code} ({reason}; fall back to another venue): "
            f"{self._body(resp)}",
            url=safe_url,
            status=resp.status_code,
            reason=reason,
            retry_after_s=retry_after,
        )

    def _client_error(self, resp: requests.Response, safe_url: str) -> SourceHTTPError:
        body = self._body(resp)
        cls = SourceAPIError if _looks_like_json(resp) else SourceHTTPError
        return cls(
            f"GET {safe_url} -> HTTP {resp.status_code}: {body}",
            url=safe_url,
            status=resp.status_code,
        )


def _looks_like_json(resp: requests.Response) -> bool:
    return "json" in resp.headers.get("Content-Type", "")
