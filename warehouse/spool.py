"""The per-run spool: parsed pages land here as Parquet so extraction streams and loading is bulk.

Extract tasks run concurrently and each writes its pages as they arrive (memory stays at one
page). The single-writer load then hands DuckDB all of a stream's files in one ``read_parquet``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from flows.errors import SchemaDriftError
from flows.sources._contract import LoadContract


@dataclass
class SpooledStream:
    """The files and row count one stream's extraction produced."""

    source: str
    resource: str
    stream: str
    files: list[Path] = field(default_factory=list)
    rows: int = 0


def conform(frame: pl.DataFrame, contract: LoadContract) -> pl.DataFrame:
    """Return ``frame`` with exactly the contract's columns, order and dtypes.

    Raises:
        SchemaDriftError: when a contract column is missing or an extra one appears.
    """
    expected = list(contract.schema)
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in contract.schema]
    if missing or extra:
        raise SchemaDriftError(
            contract.source, (missing or extra)[0], f"missing={missing} extra={extra}"
        )
    return frame.select([pl.col(c).cast(contract.schema[c], strict=True) for c in expected])


class Spool:
    """A run's spool folder: ``<root>/<source>__<resource>/<stream>/page-00001.parquet``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def writer(self, contract: LoadContract, stream: str) -> SpooledStream:
        """Start (or restart) one stream's spool, dropping files from an earlier attempt."""
        folder = self._folder(contract, stream)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return SpooledStream(contract.source, contract.resource, stream)

    def write(self, spooled: SpooledStream, contract: LoadContract, frame: pl.DataFrame) -> Path:
        """Write one parsed page; returns its file."""
        frame = conform(frame, contract)
        path = self._folder(contract, spooled.stream) / f"page-{len(spooled.files) + 1:05d}.parquet"
        frame.write_parquet(path)
        spooled.files.append(path)
        spooled.rows += frame.height
        return path

    def remove(self) -> None:
        """Delete the whole spool (after a successful publish)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def _folder(self, contract: LoadContract, stream: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stream)
        return self.root / f"{contract.source}__{contract.resource}" / safe
