"""rotation_cli/exits.py: a failing command prints one line on stderr and exits with its code."""

from __future__ import annotations

import pytest
import typer

from rotation_cli.exits import fail
from rotation_kernel.errors import ConfigError


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param(None, 1, id="default_is_1"),  # a pipeline or query failure
        pytest.param(2, 2, id="wrong_setting_is_2"),  # a bad option or setting
    ],
)
def test_fail_prints_only_the_first_line_of_the_error_and_exits_with_the_code(
    capsys, code, expected
):
    error = ConfigError("ROTATION_SOURCES: unknown source 'nasdaq'\nknown: fred, binance")

    codes = () if code is None else (code,)

    with pytest.raises(typer.Exit) as info:
        fail(error, *codes)

    assert info.value.exit_code == expected
    captured = capsys.readouterr()
    assert captured.err == "error: ROTATION_SOURCES: unknown source 'nasdaq'\n"
    assert captured.out == ""
