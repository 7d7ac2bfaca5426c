"""The per-run spool: pages land here as they arrive, so extraction streams and loading is bulk.

Two kinds of spooled stream, one per stream:
  - ``json``: each page's response body exactly as received (Binance klines, FRED, DTS);
    at load time the source's reader SQL types every page with one ``read_json``;
  - ``parquet``: pages parsed in Python by the other sources, one Parquet file each.
Extract tasks run concurrently and each writes its pages as they arrive (memory stays at one
page). The single-writer load then hands DuckDB a stream's files in bounded batches.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.errors import SchemaDriftError
from rotation_kernel.json_sql import JsonReader, RawPage

SpoolFormat = Literal["parquet", "json"]


@dataclass
class SpooledStream:
    """The files and row count one stream's extraction produced.

    Attributes:
        format: how the files are read (see the module docstring).
        reader: for ``json``, the SQL that types the pages.
        staged: typed batches already built in the load connection (temp tables, in page
            order); the load merges these instead of reading the files again.
    """

    source: str
    resource: str
    stream: str
    files: list[Path] = field(default_factory=list)
    rows: int = 0
    format: SpoolFormat = "parquet"
    reader: JsonReader | None = None
    staged: list[str] = field(default_factory=list)

    def batches(self, max_pages: int) -> list[list[Path]]:
        """The files in page order, cut into batches of at most ``max_pages``.

        Args:
            max_pages: the batch bound (what keeps memory flat however long the history).

        Returns:
            The batches; none for a stream without pages.
        """
        return [self.files[i : i + max_pages] for i in range(0, len(self.files), max_pages)]


Part = list[SpooledStream]  # one INSERT: consecutive pages, of one stream or a few


def groups_of(
    streams: list[SpooledStream], max_pages: int, commit_pages: int | None = None
) -> list[list[Part]]:
    """The streams' pages, in order, cut into parts of at most ``max_pages`` pages (a part
    may end one stream and begin the next: every INSERT is about as big), and consecutive
    parts packed into groups of at most ``commit_pages`` pages (default ``max_pages``)."""
    per_group = max(commit_pages or max_pages, max_pages)
    parts: list[Part] = [[]]
    room = max_pages
    for s in streams:
        files = s.files
        while files:
            if not room:
                parts.append([])
                room = max_pages
            take, files = files[:room], files[room:]
            parts[-1].append(
                SpooledStream(s.source, s.resource, s.stream, take, 0, s.format, s.reader)
            )
            room -= len(take)
    groups: list[list[Part]] = []
    size = 0
    for part in filter(None, parts):
        pages = sum(len(p.files) for p in part)
        if groups and size + pages <= per_group:
            groups[-1].append(part)
            size += pages
        else:
            groups.append([part])
            size = pages
    return groups


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


def typed_sql(contract: LoadContract, spooled: SpooledStream, *, checked: bool = False) -> str:
    """The SELECT over ``$files`` that types this stream's pages: the contract's columns, then
    ``_page`` (the page's position in ``$files``: the later page wins a duplicate key).

    Args:
        contract: the raw table's contract.
        spooled: the stream (its format and reader decide the SQL).
        checked: a json stream's checked form (see ``rotation_kernel.json_sql.typed``).

    Returns:
        SQL taking one parameter, ``$files``.
    """
    if spooled.format == "json":
        if spooled.reader is None:
            raise ValueError(f"{contract.table} {spooled.stream}: a json stream needs a reader")
        return spooled.reader.checked_sql if checked else spooled.reader.sql
    columns = ", ".join(contract.schema)
    return f"select {columns}, file_index as _page from read_parquet($files)"


class Spool:
    """A run's spool folder: ``<root>/<source>__<resource>/<stream>/page-00001.<json|parquet>``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def writer(self, contract: LoadContract, stream: str) -> SpooledStream:
        """Start (or restart) one stream's spool, dropping files from an earlier attempt."""
        folder = self._folder(contract, stream)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return SpooledStream(contract.source, contract.resource, stream)

    def write(
        self, spooled: SpooledStream, contract: LoadContract, page: pl.DataFrame | RawPage
    ) -> Path:
        """Write one page: a raw body as ``.json``, a parsed frame as ``.parquet``.

        Returns:
            The page's file.

        Raises:
            SchemaDriftError: a frame without exactly the contract's columns.
            ValueError: a stream that mixes the two kinds, or changes reader.
        """
        kind: SpoolFormat = "json" if isinstance(page, RawPage) else "parquet"
        if spooled.files and kind != spooled.format:
            raise ValueError(
                f"{contract.table} {spooled.stream}: {kind} page in a {spooled.format} stream"
            )
        path = self._folder(contract, spooled.stream) / f"page-{len(spooled.files) + 1:05d}.{kind}"
        if isinstance(page, RawPage):
            if spooled.reader not in (None, page.reader):
                raise ValueError(
                    f"{contract.table} {spooled.stream}: the reader changed mid-stream"
                )
            path.write_bytes(page.body)
            spooled.reader = page.reader
            spooled.rows += page.rows
        else:
            frame = conform(page, contract)
            frame.write_parquet(path)
            spooled.rows += frame.height
        spooled.format = kind
        spooled.files.append(path)
        return path

    def remove(self) -> None:
        """Delete the whole spool (after a successful publish)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def _folder(self, contract: LoadContract, stream: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stream)
        return self.root / f"{contract.source}__{contract.resource}" / safe
