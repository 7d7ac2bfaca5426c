"""The load paths the benchmark compares, all reading the same spooled pages into a fresh warehouse.

- ``ours``: the project's load path: each stream's pages spooled as JSON with its source's
  reader (sources/), typed by DuckDB in bounded batches, validated by the GX suite
  (expectations.validate_batch, on the Arrow batch) and MERGEd (warehouse.load.load_stream);
- ``ours_no_validation``: the same without the GX gate, to isolate validation's share;
- ``read_json``: DuckDB's own reader, one ``INSERT ... SELECT`` per stream with plain casts and
  a dedup on the key: the near-physical limit;
- ``dlt_default`` / ``dlt_parquet``: dlt 1.x, ``write_disposition="merge"`` on the same key,
  rows typed in Python from orjson-decoded pages (how a dlt resource reads a JSON API), with
  its default loader and with ``loader_file_format="parquet"``.
Each path ends with the raw table's row count and an order-independent checksum of the
contract's columns, which must agree across paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from bench.payloads import Dataset
from rotation_kernel.contract import LoadContract
from rotation_kernel.json_sql import JsonReader
from sources import binance, fred, treasury_dts
from warehouse.db import bootstrap, connect, duckdb_type
from warehouse.spool import SpooledStream

PATHS = ("ours", "ours_no_validation", "read_json", "dlt_default", "dlt_parquet")
# Every benchmark candle is long finished: the reader's "still open" cut uses a fixed now.
NOW_MS = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True)
class Target:
    """Where a dataset's resource loads, and how each path reads one stream."""

    contract: LoadContract
    reader: Callable[[str], JsonReader]  # stream -> the project's reader
    anchor: Callable[[str], str]  # stream -> read_json SELECT with plain casts (anchor)
    rows: Callable[[str, Any], list[dict[str, Any]]]  # stream, decoded page -> typed rows (dlt)


def _kline_anchor(symbol: str) -> str:
    casts = ", ".join(
        f"k[{i}]::{binance.SQL_TYPES.get(c, 'double')} as {c}"
        for i, c in enumerate(binance.FIELD_MAP.values(), start=1)
        if c is not None
    )
    return f"""
        select '{symbol}' as symbol, open_time, cast(epoch_ms(open_time) as date) as date,
            open, high, low, close, volume, close_time, quote_volume, trades,
            taker_buy_base, taker_buy_quote, _page
        from (
            select {casts}, file_index as _page
            from read_json($files, format = 'array', records = false, columns = {{k: 'VARCHAR[]'}})
        )
    """


def _kline_rows(symbol: str, page: list[list[Any]]) -> list[dict[str, Any]]:
    return [
        {
            "symbol": symbol,
            "open_time": k[0],
            "date": datetime.fromtimestamp(k[0] / 1000, UTC).date(),
            "open": float(k[1]),
            "high": float(k[2]),
            "low": float(k[3]),
            "close": float(k[4]),
            "volume": float(k[5]),
            "close_time": k[6],
            "quote_volume": float(k[7]),
            "trades": k[8],
            "taker_buy_base": float(k[9]),
            "taker_buy_quote": float(k[10]),
        }
        for k in page
    ]


def _fred_anchor(series_id: str) -> str:
    return f"""
        select '{series_id}' as series_id, o.date::date as date,
            nullif(o.value, '.')::double as value,
            o.realtime_start::date as realtime_start, o.realtime_end::date as realtime_end, _page
        from (
            select unnest(observations) as o, file_index as _page
            from read_json($files, columns = {fred.PAGE_COLUMNS})
        )
    """


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _fred_rows(series_id: str, page: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "series_id": series_id,
            "date": _day(o["date"]),
            "value": None if o["value"] == fred.MISSING_VALUE else float(o["value"]),
            "realtime_start": _day(o["realtime_start"]),
            "realtime_end": _day(o["realtime_end"]),
        }
        for o in page["observations"]
    ]


def _dts_anchor(_: str) -> str:
    amounts = ", ".join(f"nullif(r.{a}, 'null')::double as {a}" for a in treasury_dts.AMOUNT_FIELDS)
    return f"""
        select r.record_date::date as record_date, r.account_type, {amounts},
            r.table_nbr, r.src_line_nbr::integer as src_line_nbr, _page
        from (
            select unnest(data) as r, file_index as _page
            from read_json($files, columns = {treasury_dts.PAGE_COLUMNS})
        )
    """


def _amount(text: str) -> float | None:
    return None if text == treasury_dts.NULL_VALUE else float(text)


def _dts_rows(_: str, page: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "record_date": _day(r["record_date"]),
            "account_type": r["account_type"],
            **{a: _amount(r[a]) for a in treasury_dts.AMOUNT_FIELDS},
            "table_nbr": r["table_nbr"],
            "src_line_nbr": int(r["src_line_nbr"]),
        }
        for r in page["data"]
    ]


TARGETS: dict[str, Target] = {
    "klines_1m": Target(
        binance.CONTRACT_1M, lambda s: binance.klines_reader(s, NOW_MS), _kline_anchor, _kline_rows
    ),
    "observations": Target(fred.CONTRACT, fred.observations_reader, _fred_anchor, _fred_rows),
    "operating_cash_balance": Target(
        treasury_dts.CONTRACT,
        lambda _: treasury_dts.cash_balance_reader(),
        _dts_anchor,
        _dts_rows,
    ),
}


def window(dataset: Dataset) -> tuple[date, date]:
    """The run window validation is given: wide enough for every generated date."""
    return date(2000, 1, 1), date(2030, 12, 31)


def checksum(con: duckdb.DuckDBPyConnection, table: str, contract: LoadContract) -> tuple[int, int]:
    """Row count and an order-independent hash of the contract's columns, cast to its types
    (dlt picks its own column types; the values must still be the same)."""
    columns = ", ".join(f"cast({c} as {duckdb_type(t)})" for c, t in contract.schema.items())
    count, digest = con.execute(
        f"select count(*), coalesce(sum(hash({columns})::hugeint), 0) from {table}"
    ).fetchone()
    return int(count), int(digest)


def load_ours(dataset: Dataset, warehouse: Path, *, validate: bool) -> None:
    """The project's path: reader SQL -> GX on each Arrow batch -> MERGE, in bounded groups."""
    from warehouse.bulk import bulk_load

    target = TARGETS[dataset.resource]
    contract = target.contract
    span = window(dataset)
    gate = None
    if validate:
        from expectations import validate_batch

        def gate(batch) -> None:
            result = validate_batch(contract, batch, run_id="bench", run_date=span[1], window=span)
            if result.blocked_streams:
                raise RuntimeError(f"benchmark data blocked: {result.blocked_streams}")

    con = connect(warehouse)
    bootstrap(con, [contract])
    streams = [
        SpooledStream(
            contract.source,
            contract.resource,
            stream,
            list(files),
            format="json",
            reader=target.reader(stream),
        )
        for stream, files in dataset.streams.items()
    ]
    bulk_load(con, contract, streams, run_id="bench", window=span, gate=gate)
    con.close()


def load_read_json(dataset: Dataset, warehouse: Path) -> None:
    """The anchor: one INSERT ... SELECT from read_json per stream into a keyless typed table."""
    target = TARGETS[dataset.resource]
    contract = target.contract
    con = connect(warehouse)
    con.execute("create schema if not exists raw")
    columns = ", ".join(f"{c} {duckdb_type(t)}" for c, t in contract.schema.items())
    con.execute(f"create table {contract.table} ({columns})")
    keys = ", ".join(contract.primary_key)
    for stream, files in dataset.streams.items():
        con.execute(
            f"insert into {contract.table} select {', '.join(contract.schema)} "
            f"from ({target.anchor(stream)}) "
            f"qualify row_number() over (partition by {keys} order by _page desc) = 1",
            {"files": [str(p) for p in files]},
        )
    con.close()


def load_dlt(dataset: Dataset, warehouse: Path, work: Path, *, parquet: bool) -> None:
    """dlt merge into DuckDB on the contract's key, default or parquet loader."""
    import dlt

    target = TARGETS[dataset.resource]
    contract = target.contract
    table = f"{contract.source}__{contract.resource}"

    @dlt.resource(name=table, primary_key=list(contract.primary_key), write_disposition="merge")
    def pages() -> Iterator[list[dict[str, Any]]]:
        for stream, files in dataset.streams.items():
            for path in files:
                yield target.rows(stream, orjson.loads(path.read_bytes()))

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{table}",
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name="raw",
        pipelines_dir=str(work / "dlt"),
    )
    pipeline.run(pages(), loader_file_format="parquet" if parquet else None)


def run_path(path: str, dataset: Dataset, warehouse: Path, work: Path) -> None:
    """Load ``dataset`` into a fresh ``warehouse`` by ``path`` (committed and closed on return)."""
    if path == "ours":
        return load_ours(dataset, warehouse, validate=True)
    if path == "ours_no_validation":
        return load_ours(dataset, warehouse, validate=False)
    if path == "read_json":
        return load_read_json(dataset, warehouse)
    if path in ("dlt_default", "dlt_parquet"):
        return load_dlt(dataset, warehouse, work, parquet=path == "dlt_parquet")
    raise ValueError(f"unknown path {path!r}; known: {', '.join(PATHS)}")


def loaded(dataset: Dataset, warehouse: Path) -> tuple[int, int]:
    """The raw table's (row count, checksum) once a path has loaded ``dataset``: every path
    writes ``raw.<source>__<resource>`` (dlt's dataset ``raw`` and table name included)."""
    contract = TARGETS[dataset.resource].contract
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return checksum(con, f"raw.{contract.source}__{contract.resource}", contract)


def read_dataset(folder: Path, resource: str) -> Dataset:
    """A dataset written by bench.payloads, found again from its folder."""
    dataset = Dataset(folder.name, resource)
    for stream in sorted(p for p in folder.iterdir() if p.is_dir()):
        dataset.streams[stream.name] = sorted(stream.glob("page-*.json"))
    return dataset


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds of ``fn()`` and its result."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result
