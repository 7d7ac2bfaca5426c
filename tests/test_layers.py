"""The layer contracts of pyproject.toml ([tool.importlinter]) pass, and breaking one fails them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "rotation_kernel",
    "sources",
    "emulator",
    "expectations",
    "warehouse",
    "flows",
    "rotation_cli",
    "rotation_analyst",
    "transforms",
    "bench",
    "tests",
)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on ``tree`` (its pyproject.toml, its packages first on the path)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages' Python files and pyproject.toml, free to break."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=lambda _, names: [n for n in names if n == "__pycache__"],
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_repository_keeps_every_contract(tree: Path) -> None:
    done = lint_imports(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        pytest.param(
            "warehouse/db.py",
            "import flows.nightly",
            "warehouse is not allowed to import flows",
            id="warehouse_imports_flows",
        ),
        pytest.param(
            "sources/fred.py",
            "import prefect",
            "sources is not allowed to import prefect",
            id="a_client_imports_prefect",
        ),
        pytest.param(
            "emulator/market.py",
            "import rotation_kernel.settings",
            "emulator is not allowed to import rotation_kernel",
            id="emulator_imports_settings",
        ),
        pytest.param(
            "bench/run.py",
            "import tests.conftest",
            "bench is not allowed to import tests",
            id="bench_imports_tests",
        ),
    ],
)
def test_an_upward_import_breaks_a_contract(tree: Path, module: str, line: str, broken: str):
    path = tree / module
    path.write_text(f"{path.read_text()}\n{line}\n")
    done = lint_imports(tree)
    assert done.returncode == 1, done.stdout
    assert broken in done.stdout
