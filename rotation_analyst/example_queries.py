"""The five example queries that answer the seed question, read from ``examples/*.sql``."""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


def example_queries() -> dict[str, str]:
    """Every example query by name (its file stem, e.g. ``01_regime_now``), in file order.

    Returns:
        name -> SQL text (with its header comment).
    """
    return {path.stem: path.read_text() for path in sorted(EXAMPLES_DIR.glob("*.sql"))}


def question(sql: str) -> str:
    """The ``-- question:`` text of an example's header comment, as one line."""
    header = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        header.append(line.removeprefix("--").strip())
    found = re.search(r"question:(.*?)(?: grain:|$)", " ".join(header))
    return found.group(1).strip() if found else ""
