"""The ``rotation`` commands that run something: demo, run, backfill, serve and emulator.

``demo`` and ``emulator`` start the embedded API emulator (``--market``/``--seed``/
``--effect``/``--bad-data`` checked here, exit 2 when wrong); ``run``, ``demo`` and
``backfill`` check the settings, then import Prefect late (it is slow to import) and call the
nightly or backfill flow, printing what the run loaded. :mod:`rotation_cli.app` registers them.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from rotation_cli.exits import fail
from rotation_cli.run_summary import print_summary
from rotation_kernel.errors import ConfigError, PipelineError

DEMO_START = date(2015, 1, 1)


def _check_settings() -> None:
    """Fail on a bad setting at once, before Prefect, GX or a server is imported or started."""
    from rotation_kernel.settings import load_settings
    from sources.catalog import check_selection

    try:
        check_selection(load_settings())
    except ConfigError as exc:
        fail(exc, 2)


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
        fail(exc, 2)
    except PipelineError as exc:
        fail(exc)
    print_summary(summary, time.monotonic() - began)
    if summary.stale_sources:
        fail(
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
        fail(
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
        fail(ConfigError(f"unknown --market {market!r}; use one of {', '.join(MARKETS)}"), 2)
    if effect is not None and market != "planted":
        fail(ConfigError(f"--effect applies only to --market planted, not {market}"), 2)
    chosen = {"market": market, "seed": DEFAULT_SEED if seed is None else seed}
    chosen["effect"] = 1.0 if effect is None else effect
    try:
        link_effect(market, chosen["effect"])
    except ValueError as exc:
        fail(ConfigError(f"--effect: {exc}"), 2)
    return chosen


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
        fail(ConfigError(f"--end {last} is before the demo's first day, {DEMO_START}"), 2)
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
        fail(ConfigError(f"--start {start.date()} is after --end {end.date()}"), 2)
    _run(start.date() if start else None, end.date() if end else None, "run")


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
        fail(exc, 2)
    except PipelineError as exc:
        fail(PipelineError(f"{exc} (rerun the same command to resume)"))
    for first, last in result.skipped:
        typer.echo(f"  chunk {first}..{last}: already published, skipped")
    for run_summary in result.runs:
        typer.echo(f"  chunk run {run_summary.run_id}: {run_summary.status}")
    typer.echo(
        f"backfill {result.start}..{result.end} by {result.chunk}: {result.status} "
        f"in {time.monotonic() - began:.1f}s"
    )
    if result.status != "success":
        fail(PipelineError("some chunks are stale: see `rotation status`"))


def serve(
    port: Annotated[int, typer.Option(help="Loopback port of the Prefect API and UI")] = 4200,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="API only, no web UI")] = False,
) -> None:
    """Start a local Prefect server, the rotation-pool, the deployments and a worker."""
    from rotation_cli.serve import serve as serve_stack

    raise typer.Exit(serve_stack(port=port, ui=not no_ui))


def _wait_for_ctrl_c() -> None:
    """Block the foreground `emulator` command until the user presses Ctrl-C."""
    import threading

    threading.Event().wait()


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
