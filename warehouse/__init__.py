"""The DuckDB warehouse; ``from warehouse import connect`` opens the published file read-only."""

from __future__ import annotations

from warehouse.connection import connect_published as connect

__all__ = ["connect"]
