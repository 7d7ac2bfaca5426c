"""Read-only access to the published warehouse file, never to a run's ``.next`` build."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rotation_kernel.errors import ConfigError


def published_path(path: Path | str | None = None) -> Path:
    """The published warehouse file: ``path`` or the settings' ``ROTATION_WAREHOUSE``.

    Args:
        path: an explicit file, or None for the configured one.

    Returns:
        The path of an existing warehouse file.

    Raises:
        ConfigError: when the settings are invalid, or no warehouse has been published there yet.
    """
    if path is None:
        from rotation_kernel.settings import (
            load_settings,  # pydantic: only when the path is not given
        )

        path = load_settings().warehouse
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"no warehouse at {path}: run `make demo` (synthetic data) or `rotation run` first, "
            "or point ROTATION_WAREHOUSE at one"
        )
    return path


def connect_published(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only.

    A read-only connection takes no lock a run needs: runs build ``<warehouse>.next`` and swap it
    in with ``os.replace``, so this connection keeps reading the file it opened until it closes.

    Args:
        path: the warehouse file, or None for ``ROTATION_WAREHOUSE`` (default
            ``warehouse/rotation.duckdb``).

    Returns:
        A read-only DuckDB connection.

    Raises:
        ConfigError: when there is no warehouse at the path.
    """
    return duckdb.connect(str(published_path(path)), read_only=True)
