"""Raw JSON pages typed by DuckDB: the page as spooled, its reader SQL, and drift as errors.

The high-volume sources (Binance klines, FRED observations, Treasury DTS) do not parse in
Python. Extraction keeps each response body as received; at load time one ``read_json``
SELECT per batch of pages types every row. Each source module builds that SELECT from the
pieces here, so every quirk and every drift check is SQL that runs over whole columns:

- a value that does not convert raises through DuckDB's ``error()`` with a marked message,
  which :func:`drift_error` turns back into ``SchemaDriftError(source, field, detail)``;
- a missing or null field is drift (these APIs send every field, a gap has its own marker);
- an extra field is ignored: ``read_json`` reads only the declared ``columns``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import duckdb

from rotation_kernel.errors import SchemaDriftError

# Begins every error() message raised by reader SQL; the parts are split on SEP.
MARK = "SchemaDriftError|"
SEP = "|"
# Raised by the fast form for a value it will not judge; the load then runs the checked form.
MARK_RETRY = "SchemaDriftCheck|"
# A FRED page holds up to 100,000 observations (~10 MB), a DTS page ~2.5 MB; DuckDB reads with
# buffers of twice this size, so it stays small enough for a bounded memory limit.
MAX_OBJECT_BYTES = 32 * 1024 * 1024
INTEGER_TYPES = frozenset({"BIGINT", "INTEGER"})


@dataclass(frozen=True)
class JsonReader:
    """How DuckDB types one stream's spooled pages.

    Attributes:
        source: names the API in errors.
        path: where the records sit in a page (``"klines[]"``), for errors DuckDB raises
            itself (a page of the wrong shape).
        sql: a SELECT over ``read_json($files, ...)`` giving the contract's columns, in order,
            then ``_page`` (the page's position in ``$files``: the later page wins a duplicate).
            Its casts are the fast form of :func:`typed`.
        checked_sql: the same SELECT with the checked form: run when ``sql`` failed on a
            value, it names the bad field, or types values the fast form would not judge.
    """

    source: str
    path: str
    sql: str
    checked_sql: str


@dataclass(frozen=True)
class RawPage:
    """One response body exactly as received, with the reader that types it at load time.

    Attributes:
        body: the bytes the API sent.
        rows: records on the page (for progress and logs; the load counts typed rows).
        reader: the stream's reader (the same for every page of a stream).
    """

    body: bytes
    rows: int
    reader: JsonReader


def check_records(source: str, records: Any, fields: Collection[str] | int, path: str) -> int:
    """Check a decoded page's record shapes at extraction, before its body is spooled.

    Only keys and lengths, no values (those are typed in DuckDB at load time): a renamed or
    missing field then fails the stream's extraction, as it always has, naming the field.

    Args:
        source: names the API in errors.
        records: the page's records.
        fields: the keys every object record carries, or the least length of array records.
        path: where the records sit (``"observations[]"``), for errors.

    Returns:
        The number of records.

    Raises:
        SchemaDriftError: records are not a list, or one lacks a field or positions.
    """
    if not isinstance(records, list):
        raise SchemaDriftError(source, path.removesuffix("[]"), "expected a list")
    if isinstance(fields, int):
        for row in records:
            if not isinstance(row, list) or len(row) < fields:
                got = len(row) if isinstance(row, list) else type(row).__name__
                raise SchemaDriftError(source, path, f"expected {fields} fields, got {got}")
        return len(records)
    wanted = set(fields)
    for record in records:
        if not isinstance(record, dict) or not wanted <= record.keys():
            keys = record.keys() if isinstance(record, dict) else set()
            missing = sorted(wanted - keys)
            field = f"{path}.{missing[0]}" if missing else path
            raise SchemaDriftError(source, field, f"missing or null; record has {sorted(keys)}")
    return len(records)


def literal(value: str | int) -> str:
    """A SQL literal for a stream name or a number baked into reader SQL.

    Args:
        value: a string (quotes doubled) or an int.

    Returns:
        The literal, e.g. ``'BTCUSDT'`` or ``1700000000000``.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"no SQL literal for {value!r}")
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def drift(source: str, field: str, detail_sql: str) -> str:
    """SQL that raises drift naming ``field``; ``detail_sql`` is a VARCHAR expression."""
    return f"error({literal(MARK + source + SEP + field + SEP)} || {detail_sql})"


def required(source: str, field: str, value_sql: str) -> str:
    """``value_sql`` as it is, or drift when it is missing or null.

    Args:
        source: names the API.
        field: the wire field, as errors name it (``"data[].account_type"``).
        value_sql: the VARCHAR expression reading it.

    Returns:
        A SQL expression.
    """
    missing = drift(source, field, "'missing or null'")
    return f"(case when {value_sql} is null then {missing} else {value_sql} end)"


def typed(
    source: str,
    field: str,
    value_sql: str,
    sql_type: str,
    *,
    null_marker: str | None = None,
    date_format: str | None = None,
    checked: bool = False,
) -> str:
    """``value_sql`` converted to ``sql_type``; anything that does not convert is drift.

    Never a wrong value: a number sent as a string converts, a JSON null or a missing key
    is drift, and so is text that is not a ``sql_type`` (``"n/a"``). Two forms:

    - fast (``checked=False``, every load): strict casts; a missing value raises drift
      naming the field, a value that does not convert raises DuckDB's own conversion error
      (which names no column), and so does anything unusual for an integer ("1.0");
    - checked: ``try_cast`` guards that name the field of the first bad value, and accept
      "1.0" as the integer 1. The load runs this form only after the fast one failed.

    Args:
        source: names the API.
        field: the wire field, as errors name it.
        value_sql: the VARCHAR expression reading it.
        sql_type: ``DOUBLE``, ``BIGINT``, ``INTEGER`` or ``DATE``.
        null_marker: the API's "no value" text (FRED ``"."``, DTS ``"null"``): it becomes NULL.
        date_format: for ``DATE``, the strptime format the API promises.
        checked: build the checked form.

    Returns:
        A SQL expression.
    """
    marker = f"when {value_sql} = {literal(null_marker)} then null " if null_marker else ""
    missing = drift(source, field, "'missing or null'")
    bad = drift(source, field, f"'not a {sql_type.lower()}: ' || {value_sql}")
    head = f"(case {marker}when {value_sql} is null then {missing} "
    integer = sql_type.upper() in INTEGER_TYPES
    if not checked:
        if date_format:
            return head + f"else cast(strptime({value_sql}, {literal(date_format)}) as date) end)"
        if integer:
            # DuckDB rounds "12.9" to 13 when casting text to an integer: anything but plain
            # digits goes to the checked form, which refuses a fraction.
            odd = " or ".join(f"strpos({value_sql}, '{ch}') > 0" for ch in ".eE")
            unusual = f"error({literal(MARK_RETRY)})"
            return head + f"when {odd} then {unusual} else cast({value_sql} as {sql_type}) end)"
        return head + f"else cast({value_sql} as {sql_type}) end)"
    if date_format:
        cast = f"cast(try_strptime({value_sql}, {literal(date_format)}) as date)"
    elif integer:
        # Through DOUBLE, refusing a fraction (exact for integers below 2^53, epoch ms too).
        number = f"try_cast({value_sql} as double)"
        cast = f"try_cast({number} as {sql_type})"
        return (
            head + f"when {number} <> trunc({number}) or {cast} is null then {bad} else {cast} end)"
        )
    else:
        cast = f"try_cast({value_sql} as {sql_type})"
    return head + f"when {cast} is null then {bad} else {cast} end)"


def read_json_sql(columns: str, *, records: bool) -> str:
    """The ``read_json`` call over ``$files``.

    Args:
        columns: DuckDB's ``columns`` struct literal, e.g. ``{k: 'VARCHAR[]'}``.
        records: False for a top-level array of rows (Binance), True for one object per file.

    Returns:
        A table function call; its rows carry the ``file_index`` of their page.
    """
    shape = "format = 'array', records = false" if not records else "format = 'auto'"
    return (
        f"read_json($files, {shape}, columns = {columns}, maximum_object_size = {MAX_OBJECT_BYTES})"
    )


def drift_error(exc: duckdb.Error, reader: JsonReader) -> SchemaDriftError | None:
    """The SchemaDriftError a DuckDB error raised by reader SQL stands for.

    Args:
        exc: what DuckDB raised while running ``reader.sql`` or ``reader.checked_sql``.
        reader: the reader that ran.

    Returns:
        The drift error (the field named by the SQL check, or the records' path when DuckDB
        itself refused a value or the page's shape), or None for an error that is not about
        the data (an unreadable file).
    """
    message = str(exc)
    if MARK in message:
        source, field, detail = message.split(MARK, 1)[1].split(SEP, 2)
        return SchemaDriftError(source, field, detail.splitlines()[0])
    if isinstance(exc, duckdb.InvalidInputException | duckdb.ConversionException):
        first = message.splitlines()[0].split(" Error: ", 1)[-1]
        return SchemaDriftError(reader.source, reader.path, first)
    return None


def names_no_field(exc: duckdb.Error) -> bool:
    """True for a data error the fast form raised without naming a field (a cast that failed,
    or a value it leaves to the checked form): the checked form should run."""
    message = str(exc)
    data_error = isinstance(exc, duckdb.InvalidInputException | duckdb.ConversionException)
    return data_error and MARK not in message and "JSON" not in message
