"""The pipeline's one typed settings object; the only place that reads the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rotation_kernel.errors import ConfigError

# "live", or "synthetic" with the emulator's market after it: "synthetic (null market, seed 7)"
DataOrigin = Annotated[str, StringConstraints(pattern=r"^(live|synthetic( \(.+\))?)$")]
SYMBOL = re.compile(r"[A-Z0-9]{2,20}")


class Settings(BaseSettings):
    """Pipeline configuration. Environment variables beat the defaults below.

    The variable names (``ROTATION_*`` and ``FRED_API_KEY``) are a public contract:
    other tools point the pipeline at other servers through them.
    """

    model_config = SettingsConfigDict(
        env_prefix="ROTATION_", extra="ignore", populate_by_name=True, frozen=True
    )

    warehouse: Path = Path("warehouse/rotation.duckdb")
    fred_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("FRED_API_KEY", "fred_api_key")
    )
    fred_base_url: str = "https://api.stlouisfed.org"
    treasury_base_url: str = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
    yahoo_base_url: str = "https://query1.finance.yahoo.com"
    binance_base_url: str = "https://data-api.binance.vision"
    # Fallback crypto venues, futures context and keyless FRED (issue 4).
    coinbase_base_url: str = "https://api.exchange.coinbase.com"
    kraken_base_url: str = "https://api.kraken.com"
    binance_futures_base_url: str = "https://fapi.binance.com"
    fredgraph_base_url: str = "https://fred.stlouisfed.org"
    # Binance's public data archive (issue 17): the S3 bucket listing and the file downloads.
    binance_archive_listing_url: str = "https://s3-ap-northeast-1.amazonaws.com/data.binance.vision"
    binance_archive_base_url: str = "https://data.binance.vision"

    # Where the data comes from; the emulator sets "synthetic" and every run records it.
    data_origin: DataOrigin = "live"

    # 1-minute Binance klines (raw.binance__klines_1m): ~13k rows a symbol a day, so off in
    # the nightly default; the backfill deployment sets ROTATION_BINANCE_MINUTE_KLINES=true.
    binance_minute_klines: bool = False

    # Where a failed run posts its JSON summary (flows/notify.py); unset = no notification.
    notify_webhook: str | None = None

    # HTTP policy (sources/_http.py).
    http_connect_timeout_s: float = 5.0
    http_read_timeout_s: float = 30.0
    http_max_attempts: int = Field(default=5, ge=1, le=10)
    http_backoff_base_s: float = 0.5
    http_backoff_cap_s: float = 30.0

    # Task policy (flows/policy.py): whole-stream retries after the HTTP layer gave up; and
    # (flows/limits.py) where extraction tasks run: threads in the flow's process, or Dask for
    # scale-out (a local cluster, or an existing scheduler at ``dask_address``, e.g. tcp://host:8786).
    task_retry_delay_s: float = Field(default=30.0, ge=0)
    task_runner: Literal["thread", "dask"] = "thread"
    dask_address: str | None = None
    # Where each API's concurrency limit lives (flows/limits.py host_slot): ``server``, a
    # Prefect global concurrency limit shared by every run on the server, or ``local``, a
    # semaphore in this process. ``auto``: server for a deployment's run (a worker: other
    # runs share the APIs), local otherwise (a private temporary server shares nothing).
    api_limits: Literal["auto", "server", "local"] = "auto"

    # Run selection and window overrides (issue 7). Empty selections mean "everything".
    lookback_days: int | None = Field(default=None, ge=0)
    sources: Annotated[tuple[str, ...], NoDecode] = ()
    binance_symbols: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("*", mode="after")
    @classmethod
    def _base_urls_are_plain_http(cls, value: object, info: ValidationInfo) -> object:
        """A base URL is http(s)://host[/path]: no credentials, query or fragment (a key in a
        base URL would be logged unredacted)."""
        if not (info.field_name or "").endswith(("_base_url", "_listing_url")):
            return value
        parts = urlsplit(str(value))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("must not carry credentials, a query string or a fragment")
        return value

    @field_validator("sources", "binance_symbols", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("binance_symbols", mode="after")
    @classmethod
    def _symbols_are_plain(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Symbols end up in request URLs, spool paths and SQL literals: letters and digits only.
        # Whether each is listed is the catalog's to say (sources.catalog.check_selection).
        if any(not SYMBOL.fullmatch(symbol) for symbol in value):
            raise ValueError("a Binance symbol is upper-case letters and digits only")
        return value

    @property
    def has_fred_key(self) -> bool:
        """True when a non-empty FRED_API_KEY is set (else FRED is read keyless)."""
        return self.fred_api_key is not None and bool(self.fred_api_key.get_secret_value())

    def require_fred_key(self) -> SecretStr:
        """Return the FRED API key.

        Raises:
            ConfigError: naming FRED_API_KEY when it is unset or empty.
        """
        if not self.has_fred_key:
            raise ConfigError("FRED_API_KEY is not set: FRED refuses requests without an API key")
        return self.fred_api_key


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment (plus explicit overrides).

    Raises:
        ConfigError: when a variable has an invalid value; the message names it.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        # The reason, never the value: a rejected value may be a secret.
        problems = "; ".join(
            f"{_variable(str(err['loc'][0]))} ({err['msg']})" if err["loc"] else err["msg"]
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting(s): {problems}") from None


def _variable(field: str) -> str:
    return "FRED_API_KEY" if field == "fred_api_key" else f"ROTATION_{field.upper()}"


@contextmanager
def settings_env(overrides: Mapping[str, object]) -> Iterator[None]:
    """Temporarily point the settings at other values through their public environment variables.

    Used by ``rotation demo`` to aim the pipeline at the emulator: the flow then reads its
    settings exactly as in production, from the environment.
    """
    names = {
        key: "FRED_API_KEY" if key == "fred_api_key" else f"ROTATION_{key.upper()}"
        for key in overrides
    }
    saved = {name: os.environ.get(name) for name in names.values()}
    try:
        for key, value in overrides.items():
            os.environ[names[key]] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
