"""How a ``rotation`` command fails: one line on stderr and a meaningful exit code.

Exit code 2 means the command was given something wrong (an option, a setting, a missing
warehouse) and nothing ran; 1 means the pipeline or a query failed. Only the first line of
the error is printed, so a script or a person reads the reason, not a traceback.
"""

from __future__ import annotations

import typer


def fail(exc: Exception, code: int = 1) -> None:
    """Print ``error: <first line of exc>`` to stderr and exit.

    Args:
        exc: the error to report.
        code: the exit code, 1 (a failure) by default, 2 for a wrong option or setting.

    Raises:
        typer.Exit: always, with ``code``.
    """
    typer.echo(f"error: {exc}".splitlines()[0], err=True)
    raise typer.Exit(code)
