"""The ``rotation`` command line: run the pipeline, and read, report and export the warehouse."""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from rotation_kernel.errors import ConfigError, PipelineError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

EXAMPLE_QUERY = """\
select date, net_liquidity_usd_bn,
       net_liquidity_usd_bn - lag(net_liquidity_usd_bn, 91) over (order by date)
           as impulse_13w_usd_bn
from marts.fct_net_liquidity
where net_liquidity_usd_bn is not null
order by date desc
limit 5;"""

DEMO_START = date(2015, 1, 1)
MARTS = ("marts.fct_net_liquidity", "marts.fct_net_liquidity_weekly", "marts.fct_asset_daily")


def _fail(exc: Exception, code: int = 1) -> None:
    typer.echo(f"error: {exc}".splitlines()[0], err=True)
    raise typer.Exit(code)


def _venue_counts(path: Path) -> str:
    """'binance/USDT 26,473, yahoo/USD 11,933, ...' from the published warehouse."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select venue, quote_currency, count(*) from marts.fct_asset_daily "
            "group by all order by 3 desc"
        ).fetchall()
    return ", ".join(f"{venue}/{quote} {n:,}" for venue, quote, n in rows) or "none"


def _print_summary(summary, elapsed_s: float) -> None:
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


def _check_settings() -> None:
    """Fail on a bad setting at once, before Prefect, GX or a server is imported or started."""
    from rotation_kernel.settings import load_settings
    from sources.catalog import check_selection

    try:
        check_selection(load_settings())
    except ConfigError as exc:
        _fail(exc, 2)


def _run(start: date | None, end: date | None, mode: str) -> None:
    _check_settings()
    from flows.nightly import nightly  # imported late: Prefect is slow to import
    from rotation_analyst.console import make_console
    from rotation_cli.progress_bars import run_progress
    from rotation_cli.startup import prepare

    began = time.monotonic()
    try:
        prepare()
        with run_progress(make_console(stderr=True)):
            summary = nightly(start=start, end=end, mode=mode)
    except ConfigError as exc:
        _fail(exc, 2)
    except PipelineError as exc:
        _fail(exc)
    _print_summary(summary, time.monotonic() - began)
    if summary.stale_sources:
        _fail(
            PipelineError(
                f"stale: {', '.join(summary.stale_sources)} (failed or quarantined streams); "
                "marts rebuilt from last good data"
            )
        )


BAD_DATA_HELP = (
    "Inject deliberately bad data, comma-separated: duplicate_bars, negative_price, "
    "truncated_day, fred_unit_error, missing_tga_row, archive_checksum_mismatch"
)


def _bad_data(value: str) -> list[str]:
    from emulator import BAD_DATA_KINDS

    kinds = [k.strip() for k in value.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(BAD_DATA_KINDS))
    if unknown:
        _fail(
            ConfigError(f"unknown --bad-data kind(s) {unknown}; known: {sorted(BAD_DATA_KINDS)}"), 2
        )
    return kinds


MARKETS = ("default", "null", "planted")
MARKET_HELP = (
    "Synthetic market: default (liquidity -> R2K -> BTC -> ETH -> alts links planted), "
    "null (links removed) or planted (the null market's noise plus the links scaled by --effect)"
)
SEED_HELP = "Market seed (default: the emulator's DEFAULT_SEED, 20150101)"
EFFECT_HELP = "Strength of the planted links, 1.0 = the default market's betas (--market planted)"


def _market(market: str, seed: int | None, effect: float | None) -> dict:
    """Checked serve_emulator arguments for --market/--seed/--effect (exit 2 when wrong)."""
    from emulator.market import DEFAULT_SEED
    from emulator.null_market import link_effect

    if market not in MARKETS:
        _fail(ConfigError(f"unknown --market {market!r}; use one of {', '.join(MARKETS)}"), 2)
    if effect is not None and market != "planted":
        _fail(ConfigError(f"--effect applies only to --market planted, not {market}"), 2)
    chosen = {"market": market, "seed": DEFAULT_SEED if seed is None else seed}
    chosen["effect"] = 1.0 if effect is None else effect
    try:
        link_effect(market, chosen["effect"])
    except ValueError as exc:
        _fail(ConfigError(f"--effect: {exc}"), 2)
    return chosen


@app.command()
def demo(
    bad_data: Annotated[str, typer.Option(help=BAD_DATA_HELP)] = "",
    market: Annotated[str, typer.Option(help=MARKET_HELP)] = "default",
    seed: Annotated[int | None, typer.Option(help=SEED_HELP, show_default=False)] = None,
    effect: Annotated[float | None, typer.Option(help=EFFECT_HELP, show_default=False)] = None,
    end: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Last day of the synthetic history (default: today); a pinned end builds the "
            "same warehouse on any day, e.g. to compare `rotation checksums` before and after "
            "a change",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the full nightly flow over the synthetic history served by the embedded emulator."""
    from emulator import serve_emulator
    from rotation_kernel.settings import settings_env

    kinds = _bad_data(bad_data)
    chosen = _market(market, seed, effect)
    last = end.date() if end else datetime.now(UTC).date()
    if last < DEMO_START:
        _fail(ConfigError(f"--end {last} is before the demo's first day, {DEMO_START}"), 2)
    with (
        serve_emulator(today=last if end else None, bad_data=kinds, **chosen) as emu,
        settings_env(emu.settings_overrides()),
    ):
        if emu.data_origin == "synthetic":
            typer.echo(
                "starting the embedded API emulator "
                "(synthetic market, labelled 'synthetic' in meta.runs)"
            )
        else:
            typer.echo(
                f"starting the embedded API emulator: {emu.data_origin} "
                "(meta.runs labels the run 'synthetic')"
            )
        _run(DEMO_START, last, "demo")


@app.command()
def run(
    start: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First date (default: watermarks)")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last date (default: today)")
    ] = None,
) -> None:
    """Run against the configured base URLs: incremental from watermarks, or --start/--end."""
    if start and end and start > end:
        _fail(ConfigError(f"--start {start.date()} is after --end {end.date()}"), 2)
    _run(start.date() if start else None, end.date() if end else None, "run")


@app.command()
def backfill(
    start: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First date")],
    end: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last date (default: today)")
    ] = None,
    chunk: Annotated[str, typer.Option(help="year, quarter or month")] = "year",
) -> None:
    """Load --start .. --end chunk by chunk; a rerun resumes after the last published chunk."""
    _check_settings()
    from flows.backfill import backfill as backfill_flow
    from flows.backfill import split_chunks
    from rotation_analyst.console import make_console
    from rotation_cli.progress_bars import run_progress

    began = time.monotonic()
    try:
        split_chunks(start.date(), (end or datetime.now(UTC)).date(), chunk)  # fail fast
        with run_progress(make_console(stderr=True)):
            result = backfill_flow(start=start.date(), end=end.date() if end else None, chunk=chunk)
    except ConfigError as exc:
        _fail(exc, 2)
    except PipelineError as exc:
        _fail(PipelineError(f"{exc} (rerun the same command to resume)"))
    for first, last in result.skipped:
        typer.echo(f"  chunk {first}..{last}: already published, skipped")
    for run_summary in result.runs:
        typer.echo(f"  chunk run {run_summary.run_id}: {run_summary.status}")
    typer.echo(
        f"backfill {result.start}..{result.end} by {result.chunk}: {result.status} "
        f"in {time.monotonic() - began:.1f}s"
    )
    if result.status != "success":
        _fail(PipelineError("some chunks are stale: see `rotation status`"))


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Loopback port of the Prefect API and UI")] = 4200,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="API only, no web UI")] = False,
) -> None:
    """Start a local Prefect server, the rotation-pool, the deployments and a worker."""
    from rotation_cli.serve import serve as serve_stack

    raise typer.Exit(serve_stack(port=port, ui=not no_ui))


def _published() -> Path:
    from warehouse.connection import published_path

    try:
        return published_path()
    except ConfigError as exc:
        _fail(exc, 2)


@app.command()
def status() -> None:
    """Show the thesis setup now, the last runs, watermarks, staleness, failures and the file."""
    from rotation_analyst.console import make_console, status_group
    from rotation_analyst.status import warehouse_status
    from warehouse.connection import connect_published

    path = _published()
    with connect_published(path) as con:
        make_console().print(status_group(warehouse_status(con, path)))


@app.command()
def checksums() -> None:
    """Print every raw, staging and mart table's row count and content hash (load ids and times
    left out): two warehouses holding the same data print the same lines, so `diff` compares
    two builds."""
    from warehouse.connection import connect_published
    from warehouse.db import content_checksums

    with connect_published(_published()) as con:
        for table, (rows, digest) in sorted(content_checksums(con).items()):
            typer.echo(f"{table}\t{rows}\t{digest}")


@app.command()
def query(
    sql: Annotated[
        str | None, typer.Argument(help="SQL (the last statement's result is shown)")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", exists=True, dir_okay=False, help="Read the SQL from a file"),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table (printed), csv, json or parquet")
    ] = "table",
    out: Annotated[Path | None, typer.Option(help="Write the result to this file")] = None,
    max_rows: Annotated[int, typer.Option(help="Rows printed in table format")] = 50,
) -> None:
    """Run SQL read-only against the published warehouse (never waits for a running build)."""
    import duckdb

    from rotation_analyst.console import frame_table, make_console
    from rotation_analyst.query import FORMATS, run_query, write_result
    from warehouse.connection import connect_published

    if (sql is None) == (file is None):
        _fail(ConfigError("give the SQL either as an argument or with --file"), 2)
    if file is not None:
        sql = file.read_text()
    if fmt not in FORMATS:
        _fail(ConfigError(f"--format {fmt}: use one of {', '.join(FORMATS)}"), 2)
    if fmt == "table" and out is not None:
        fmt = out.suffix.lstrip(".").lower()  # --out x.csv alone means csv
        if fmt not in FORMATS[1:]:
            _fail(ConfigError(f"--out {out}: give --format csv, json or parquet"), 2)
    with connect_published(_published()) as con:
        try:
            frame = run_query(con, sql)
        except duckdb.Error as exc:
            _fail(exc)
    if frame is None:
        typer.echo("ok (no result set)")
    elif fmt == "table":
        make_console().print(frame_table(frame, max_rows))
    else:
        try:
            text = write_result(frame, fmt, out)
        except ConfigError as exc:
            _fail(exc, 2)
        if text is None:
            typer.echo(f"wrote {frame.height:,} rows to {out}", err=True)
        else:
            typer.echo(text, nl=False)


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="The HTML file to write")] = Path("report.html"),
) -> None:
    """Write a self-contained HTML report (charts and tables; works offline, no CDN)."""
    from rotation_analyst.report import write_report
    from warehouse.connection import connect_published

    path = _published()
    with connect_published(path) as con:
        written = write_report(con, out, source=path)
    typer.echo(f"wrote {written} ({written.stat().st_size:,} bytes); open it in a browser")


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="Folder for the Parquet files and catalog.json")],
) -> None:
    """Export every mart to Parquet (by year where large) plus the data dictionary as JSON."""
    from rotation_analyst.export import export_marts
    from warehouse.connection import connect_published

    with connect_published(_published()) as con:
        manifest = export_marts(con, out)
    for table in manifest.tables:
        layout = "by year" if table.partitioned else "one file"
        typer.echo(f"  {table.name:<34} {table.rows:>9,} rows  {layout:<8} {table.path}")
    typer.echo(f"wrote {len(manifest.tables)} marts, {manifest.catalog} and {manifest.path}")


def _wait_for_ctrl_c() -> None:
    """Block the foreground `emulator` command until the user presses Ctrl-C."""
    import threading

    threading.Event().wait()


@app.command()
def emulator(
    port: Annotated[int, typer.Option(help="Loopback port")] = 8765,
    bad_data: Annotated[str, typer.Option(help=BAD_DATA_HELP)] = "",
    market: Annotated[str, typer.Option(help=MARKET_HELP)] = "default",
    seed: Annotated[int | None, typer.Option(help=SEED_HELP, show_default=False)] = None,
    effect: Annotated[float | None, typer.Option(help=EFFECT_HELP, show_default=False)] = None,
) -> None:
    """Serve the API emulator in the foreground, for pointing `rotation run` (or anything) at it."""
    from emulator import serve_emulator

    kinds = _bad_data(bad_data)
    chosen = _market(market, seed, effect)
    with serve_emulator(port=port, bad_data=kinds, **chosen) as emu:
        which = "" if emu.data_origin == "synthetic" else f" ({emu.data_origin})"
        typer.echo(f"emulator serving SYNTHETIC data{which}; point the pipeline at it with:")
        for key, url in emu.base_urls.items():
            typer.echo(f"  export ROTATION_{key.upper()}={url}")
        typer.echo("  export FRED_API_KEY=any-non-empty-value\nCtrl-C stops it.")
        try:
            _wait_for_ctrl_c()
        except KeyboardInterrupt:
            typer.echo("stopped")


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
