"""The pipeline's one error tree: every failure a user can see is a PipelineError."""

from __future__ import annotations

from typing import Literal


class PipelineError(Exception):
    """Root of every error the pipeline raises on purpose."""


class ConfigError(PipelineError, ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class SchemaDriftError(PipelineError, ValueError):
    """An upstream payload no longer has the shape the parser expects."""

    def __init__(self, source: str, field: str, detail: str = "") -> None:
        self.source = source
        self.field = field
        msg = f"{source}: unexpected payload shape at {field!r}"
        super().__init__(f"{msg}: {detail}" if detail else msg)


class ChecksumMismatchError(PipelineError, ValueError):
    """A downloaded file's sha256 differs from the digest published beside it: nothing of it
    may be used.

    Attributes:
        file: the file's name.
        expected / actual: the published digest and the digest of the bytes received.
    """

    def __init__(self, source: str, file: str, expected: str, actual: str) -> None:
        self.source = source
        self.file = file
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{source}: checksum mismatch for {file}: the .CHECKSUM says sha256 {expected}, "
            f"the download hashes to {actual}; the file is not used"
        )


class SourceHTTPError(PipelineError):
    """An HTTP request failed for good (after retries, or at once for client errors).

    The URL carried here is always sanitized: secrets are redacted before it is stored.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)


class SourceAPIError(SourceHTTPError):
    """The API answered with an error payload (it is never retried)."""


class VenueUnavailableError(SourceAPIError):
    """The venue refuses this client (418 ban, 451 geo-block): do not retry, use another venue.

    Attributes:
        reason: ``"banned"`` or ``"geo_blocked"``.
        retry_after_s: how long a ban lasts, when the venue said so.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int,
        reason: Literal["banned", "geo_blocked"],
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.reason = reason
        self.retry_after_s = retry_after_s


class StreamTimeoutError(PipelineError, TimeoutError):
    """A stream's extraction ran past its policy's time limit (checked between pages)."""


class EmptyResponseError(PipelineError):
    """The API answered successfully but with no data where data was required."""


class PublishError(PipelineError):
    """The new warehouse build could not be published; the old one is untouched."""


class AuditError(PipelineError):
    """SQL audits found offending rows in a new build; it is not published."""

    def __init__(self, failed: dict[str, int]) -> None:
        self.failed = failed
        detail = ", ".join(f"{name} ({n} rows)" for name, n in sorted(failed.items()))
        super().__init__(f"audits failed, build not published: {detail}")
