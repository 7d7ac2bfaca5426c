"""The pipeline's one typed settings object; the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.errors import ConfigError

DataOrigin = Literal["live", "synthetic"]


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

    # Where the data comes from; the emulator sets "synthetic" and every run records it.
    data_origin: DataOrigin = "live"

    # HTTP policy (flows/sources/_http.py).
    http_connect_timeout_s: float = 5.0
    http_read_timeout_s: float = 30.0
    http_max_attempts: int = Field(default=5, ge=1, le=10)
    http_backoff_base_s: float = 0.5
    http_backoff_cap_s: float = 30.0

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
        names = ", ".join(
            "FRED_API_KEY"
            if err["loc"][0] == "fred_api_key"
            else f"ROTATION_{str(err['loc'][0]).upper()}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting(s): {names}") from None


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
