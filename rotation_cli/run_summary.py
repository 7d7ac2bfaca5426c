"""What ``rotation run`` and ``rotation demo`` print when the run is over.

Rows per table, where ``fct_asset_daily``'s rows came from (venue and quote), failed, fallen
back and quarantined streams, warnings, then the warehouse's path and a query to start from,
prefixed with ``ROTATION_WAREHOUSE=`` when the file is not the default one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from warehouse.runs import RunSummary

EXAMPLE_QUERY = """\
select date, net_liquidity_usd_bn,
       net_liquidity_usd_bn - lag(net_liquidity_usd_bn, 91) over (order by date)
           as impulse_13w_usd_bn
from marts.fct_net_liquidity
where net_liquidity_usd_bn is not null
order by date desc
limit 5;"""


def _venue_counts(path: Path) -> str:
    """'binance/USDT 26,473, yahoo/USD 11,933, ...' from the published warehouse."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select venue, quote_currency, count(*) from marts.fct_asset_daily "
            "group by all order by 3 desc"
        ).fetchall()
    return ", ".join(f"{venue}/{quote} {n:,}" for venue, quote, n in rows) or "none"


def print_summary(summary: RunSummary, elapsed_s: float) -> None:
    """Print a finished run: its rows per table, venues, failures, fallbacks and quarantines,
    then where the warehouse is and an example query to read it with.

    Args:
        summary: what the nightly flow returned.
        elapsed_s: the run's wall time, in seconds.
    """
    origin = (
        "SYNTHETIC data from the embedded emulator"
        if summary.data_origin.startswith("synthetic")
        else "live APIs"
    )
    typer.echo(f"\nrun {summary.run_id}: {summary.status} in {elapsed_s:.1f}s ({origin})")
    for name, rows in summary.table_rows.items():
        typer.echo(f"  {name:<42} {rows:>9,} rows")
    typer.echo(f"  where fct_asset_daily rows came from: {_venue_counts(summary.warehouse)}")
    for stream, reason in summary.failed_streams.items():
        typer.echo(f"  FAILED {stream}: {reason}")
    for stream, used in summary.fallbacks.items():
        typer.echo(f"  FELL BACK {stream} -> {used} (see marts.fct_asset_daily.venue)")
    for stream, rows in summary.quarantined.items():
        typer.echo(
            f"  QUARANTINED {stream}: {rows} rows (see quarantine.* and meta.validation_results)"
        )
    for warning in summary.warnings:
        typer.echo(f"  warning: {warning}")
    path = summary.warehouse.resolve()
    typer.echo(f"\nwarehouse: {path}")
    if summary.docs:
        typer.echo(f"data quality report (GX Data Docs): {summary.docs}")
    example = " ".join(EXAMPLE_QUERY.split())
    prefix = (
        "" if path == Path("warehouse/rotation.duckdb").resolve() else f"ROTATION_WAREHOUSE={path} "
    )
    typer.echo(f'example query:\n  {prefix}uv run rotation query "{example}"')
    typer.echo(f"or from Python: duckdb.connect('{path}', read_only=True)")
