"""Typing decoded JSON records into polars frames, where any surprise is SchemaDriftError."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import polars as pl

from rotation_kernel.errors import SchemaDriftError


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def wire_frame(
    source: str,
    records: list[Any],
    fields: Sequence[str],
    path: str,
    *,
    orient: Literal["objects", "arrays"],
) -> pl.DataFrame:
    """Load records as sent into string columns, one per wire field, and check every field.

    The APIs read here send every field on every record (a missing value has its own marker,
    such as FRED's "." or DTS's "null"), so a JSON null or an absent key is drift.

    Args:
        source: names the API in errors.
        records: JSON objects (``orient="objects"``) or positional arrays (``"arrays"``).
        fields: the wire fields to keep; for arrays, one name per position, in order.
        path: where the records sit in the payload, for error messages (``"data[]"``).
        orient: the records' JSON shape.

    Returns:
        A frame of Utf8 columns named after ``fields`` (numbers are kept as their text).

    Raises:
        SchemaDriftError: a record has the wrong shape or a field is missing or null.
    """
    schema = dict.fromkeys(fields, pl.Utf8)
    try:
        if orient == "objects":
            wire = pl.from_dicts(records, schema=schema)
        else:
            wire = pl.DataFrame(records, orient="row", schema=schema)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        shape = "objects" if orient == "objects" else f"arrays of {len(fields)} fields"
        raise SchemaDriftError(source, path, f"expected {shape}: {_first_line(exc)}") from None
    for field, nulls in wire.null_count().row(0, named=True).items():
        if nulls:
            raise SchemaDriftError(source, f"{path}.{field}", f"missing or null in {nulls} rows")
    return wire


def typed_columns(
    source: str, wire: pl.DataFrame, columns: Mapping[str, pl.Expr], path: str
) -> pl.DataFrame:
    """Evaluate one conversion per output column; the first that fails is named as drift.

    Each expression runs over the whole column at once (no per-row Python); running them
    one by one is what lets the error name the field that no longer parses.

    Args:
        source: names the API in errors.
        wire: the string frame from :func:`wire_frame`.
        columns: output column -> strict polars expression over ``wire``.
        path: where the records sit in the payload, for error messages.

    Returns:
        A frame with the ``columns`` in the given order.

    Raises:
        SchemaDriftError: a value does not convert (e.g. "n/a" where a number belongs).
    """
    typed = []
    for name, expr in columns.items():
        try:
            typed.append(wire.select(expr.alias(name)).to_series())
        except pl.exceptions.PolarsError as exc:
            raise SchemaDriftError(source, f"{path}.{name}", _first_line(exc)) from None
    return pl.DataFrame(typed)
