"""Run a source's reader SQL the way the load does: pages spooled as JSON, staged by DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from rotation_kernel.contract import LoadContract
from rotation_kernel.json_sql import JsonReader, RawPage
from warehouse.spool import Spool
from warehouse.stage import stage


def typed_pages(
    contract: LoadContract, reader: JsonReader, folder: Path, *payloads: Any
) -> pl.DataFrame:
    """Spool each payload as one page (its exact JSON text), stage them, return the typed rows.

    Raises:
        SchemaDriftError: as the load would, for a page the reader refuses.
    """
    pages = [RawPage(json.dumps(payload).encode(), 0, reader) for payload in payloads]
    return typed_raw(contract, pages, folder)


def typed_raw(contract: LoadContract, pages: list[RawPage], folder: Path) -> pl.DataFrame:
    """Spool raw pages as an extractor yields them, stage them, return the typed rows."""
    spool = Spool(folder / "spool")
    spooled = spool.writer(contract, "stream")
    for page in pages:
        spool.write(spooled, contract, page)
    con = duckdb.connect()
    try:
        table = stage(con, contract, spooled, spooled.files)
        return con.sql(f"select {', '.join(contract.schema)} from {table}").pl()
    finally:
        con.close()
