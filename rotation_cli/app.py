"""The ``rotation`` command line: run the pipeline, and read, report and export the warehouse."""

# The docstring above is the command's --help text, so the layout is told here instead: this
# module is the parser (the Typer app, pyproject's `rotation` entry point) and lists the
# commands in --help order; rotation_cli.pipeline_commands holds the commands that run the
# pipeline or the emulator, rotation_cli.warehouse_commands those that read the published
# warehouse. Both import only typer and the kernel's errors at the top, so a bad setting fails
# before Prefect or GX is imported.

from __future__ import annotations

import sys

import typer

from rotation_cli import pipeline_commands, warehouse_commands

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

COMMANDS = (
    pipeline_commands.demo,
    pipeline_commands.run,
    pipeline_commands.backfill,
    pipeline_commands.serve,
    warehouse_commands.status,
    warehouse_commands.checksums,
    warehouse_commands.query,
    warehouse_commands.report,
    warehouse_commands.export,
    pipeline_commands.emulator,
)
for command in COMMANDS:
    app.command()(command)


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
