"""The load contract each raw table declares once, in its source module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl


@dataclass(frozen=True)
class LoadContract:
    """How one raw resource is loaded (the dlt ``@resource`` idea, as plain data).

    Attributes:
        source / resource: name the raw table ``raw.<source>__<resource>``.
        schema: the typed frame every ``parse_*`` returns, column order included.
        primary_key: the natural key the MERGE matches on.
        disposition: ``merge`` (upsert on the key) or ``append``.
        cursor: the date column whose max becomes the watermark.
        stream_key: the column that tells streams apart (a series id, a symbol), or None.
        initial_value: where an empty warehouse starts.
        lookback_days: how far before the watermark an incremental run starts again.
        reason: one line saying why the lookback is what it is.
    """

    source: str
    resource: str
    schema: Mapping[str, pl.DataType]
    primary_key: tuple[str, ...]
    disposition: Literal["merge", "append"]
    cursor: str
    stream_key: str | None
    initial_value: date
    lookback_days: int
    reason: str

    @property
    def table(self) -> str:
        return f"raw.{self.source}__{self.resource}"

    def empty_frame(self) -> pl.DataFrame:
        return pl.DataFrame(schema=dict(self.schema))
