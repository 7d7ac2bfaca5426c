"""One demo-like warehouse file per session, shared (read-only) by the analyst tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rotation_analyst.demo_warehouse import build_demo_warehouse


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """A published warehouse with synthetic-market marts and demo meta rows (do not write to it)."""
    return build_demo_warehouse(tmp_path_factory.mktemp("analyst") / "rotation.duckdb")
