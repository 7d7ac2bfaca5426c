"""A bad setting is reported before anything heavy starts: no Prefect, no GX, no server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Runs the CLI in a fresh interpreter, then reports its exit code and what it had imported.
PROBE = """
import json, sys
from typer.testing import CliRunner
from rotation_cli.app import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = sorted(m for m in ("prefect", "great_expectations", "dask") if m in sys.modules)
print(json.dumps({"code": result.exit_code, "output": result.output, "heavy": heavy}))
"""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["run"], id="run"),
        pytest.param(["backfill", "--start", "2024-01-01"], id="backfill"),
    ],
)
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("ROTATION_FRED_BASE_URL", "ftp://x", id="base_url"),
        pytest.param("ROTATION_SOURCES", "fred,nasdaq", id="unknown_source"),
    ],
)
def test_a_bad_setting_fails_with_exit_2_before_prefect_or_gx_is_imported(
    args, variable, value
) -> None:
    env = {**os.environ, variable: value}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])

    assert report["code"] == 2
    assert variable in report["output"]
    # the work done before the error: settings only
    assert report["heavy"] == []
