"""The README and the docs say only what is true: commands, settings, sources, marts and layout.

Every `rotation <command> [--option]`, `python -m rotation_cli.serve [--option]` and
`make <target>` shown in a code span or block must exist (the command's --help lists the
option; the Makefile has the target), and the README's tables must match the code they describe.

    uv run python -m tests.test_readme    # print the configuration table from the settings model
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import AliasChoices
from typer.testing import CliRunner

from rotation_cli import serve
from rotation_cli.app import app
from rotation_kernel.settings import Settings
from sources import catalog
from sources.catalog import ALL_SOURCES, contracts
from warehouse.transform import discover_models

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = [README, ROOT / "rotation_analyst" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCS.append(ROOT / "bench" / "RESULTS.md")
MAX_README_LINES = 200

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A code span: N backticks, text (which may wrap, but not across a blank line), N backticks.
SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n\s*\n)[\s\S])+?)(?<!`)\1(?!`)")
OPTION = re.compile(r"^(-{1,2}[a-z][a-z0-9-]*)")
SERVE_MODULE = "rotation_cli.serve"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def code_lines(text: str) -> list[str]:
    """Each line of every fenced block (shell comments cut), then every inline code span."""
    lines = [line.split(" #", 1)[0] for block in FENCE.findall(text) for line in block.splitlines()]
    return lines + spans(FENCE.sub("", text))


def spans(text: str) -> list[str]:
    """The text of every inline code span, a wrapped one joined onto one line."""
    return [" ".join(match.group(2).split()) for match in SPAN.finditer(text)]


def shown_commands(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(program, command, options) for every `rotation X`, `python -m rotation_cli.serve` and
    `make X` in the code of ``text``; program is "rotation", "serve" or "make"."""
    found = []
    for line in code_lines(text):
        tokens = line.replace("[", " ").replace("]", " ").split()
        for i, token in enumerate(tokens):
            if token == "make" and i + 1 < len(tokens) and tokens[i + 1][0].isalpha():
                found.append(("make", tokens[i + 1], ()))
            elif token == "rotation" and i + 1 < len(tokens) and tokens[i + 1][0].isalpha():
                found.append(("rotation", tokens[i + 1], _options(tokens[i + 2 :])))
            elif token == "-m" and i + 1 < len(tokens) and tokens[i + 1] == SERVE_MODULE:
                found.append(("serve", SERVE_MODULE, _options(tokens[i + 2 :])))
    return found


def _options(tokens: list[str]) -> tuple[str, ...]:
    options = []
    for token in tokens:
        if token in ("&&", "|", ";", "&", "||"):
            break
        match = OPTION.match(token.strip("\"'"))
        if match:
            options.append(match.group(1))
    return tuple(options)


@cache
def rotation_help(command: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [command, "--help"])
    return result.exit_code, result.output


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, re.MULTILINE))


def missing(program: str, command: str, options: tuple[str, ...], capsys=None) -> list[str]:
    """What of a shown command does not exist: the command itself, or the options its help
    does not list."""
    if program == "make":
        return [] if command in makefile_targets() else [f"make {command}"]
    if program == "rotation":
        code, text = rotation_help(command)
        if code != 0:
            return [f"rotation {command}"]
    else:
        with pytest.raises(SystemExit):
            serve.main(["--help"])
        text = capsys.readouterr().out
    return [o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text)]


SHOWN = sorted(
    {
        (doc.relative_to(ROOT).as_posix(), *cmd)
        for doc in DOCS
        for cmd in shown_commands(doc.read_text())
    }
)


class TestCommands:
    @pytest.mark.parametrize(
        ("doc", "program", "command", "options"),
        [
            pytest.param(*shown, id=f"{shown[0]}:{' '.join(shown[1:3] + shown[3])}")
            for shown in SHOWN
        ],
    )
    def test_every_command_and_option_shown_exists(self, doc, program, command, options, capsys):
        """The CLI has the command and its --help lists each option; make has the target."""
        assert missing(program, command, options, capsys) == []

    def test_the_readme_shows_the_two_commands_and_the_development_targets(self):
        """The extraction finds what the README must show (so the check above is not empty)."""
        shown = {(program, command) for program, command, _ in shown_commands(README.read_text())}
        wanted = {("make", t) for t in ("demo", "test", "check", "lint")}
        assert wanted | {("rotation", "demo")} <= shown

    def test_a_made_up_command_option_or_target_is_reported(self, capsys):
        """The checker catches what does not exist, in all three programs."""
        assert missing("rotation", "deploy", ()) == ["rotation deploy"]
        assert missing("rotation", "query", ("--out", "--nope")) == ["--nope"]
        assert missing("make", "docs", ()) == ["make docs"]
        assert missing("serve", SERVE_MODULE, ("--home", "--ui"), capsys) == ["--ui"]


def section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section."""
    body = text.split(f"\n## {heading}\n", 1)[1]
    return body.split("\n## ", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every table row whose first cell is code (header rows are skipped)."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| `")
    ]


def variable(name: str) -> str:
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"{Settings.model_config['env_prefix']}{name.upper()}"


def rendered_default(value: object) -> str:
    """How the table writes a default: 5.0 as 5, False as false, None as unset, () as empty."""
    if value is None:
        return "unset"
    if value == ():
        return "empty"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def model_defaults() -> dict[str, str]:
    return {variable(n): rendered_default(f.default) for n, f in Settings.model_fields.items()}


def documented_settings() -> dict[str, tuple[str, str]]:
    rows = table_rows(section(README.read_text(), "Configuration"))
    return {row[0].strip("`"): (row[1].strip("`"), row[2]) for row in rows}


class TestConfigurationTable:
    def test_every_setting_is_documented_and_no_row_is_stale(self):
        """The rows name exactly the model's variables (ROTATION_<FIELD>, FRED_API_KEY)."""
        documented, model = set(documented_settings()), set(model_defaults())
        assert (sorted(model - documented), sorted(documented - model)) == ([], [])

    def test_each_documented_default_is_the_models_default(self):
        """A changed default in settings.py fails here until the README says it too."""
        documented = {name: cells[0] for name, cells in documented_settings().items()}
        model = model_defaults()
        assert {n: documented[n] for n in model if n in documented} == {
            n: model[n] for n in model if n in documented
        }

    def test_each_variable_has_one_row_with_a_meaning(self):
        rows = table_rows(section(README.read_text(), "Configuration"))
        assert len(rows) == len({row[0] for row in rows})
        assert [row[0] for row in rows if len(row) < 3 or not row[2]] == []

    def test_defaults_render_as_the_table_writes_them(self):
        # 5.0 -> "5" and 0.5 -> "0.5" (%g); unset and empty are words, booleans lower case.
        assert [rendered_default(v) for v in (5.0, 0.5, False, None, (), Path("a/b"))] == [
            "5", "0.5", "false", "unset", "empty", "a/b",
        ]  # fmt: skip


def code_names(text: str) -> set[str]:
    return set(spans(text))


class TestWhatTheReadmeLists:
    def test_the_source_table_names_every_catalog_source_module_and_raw_table(self):
        """Every source of sources/catalog.py, every API module it imports and every raw table
        is listed."""
        listed = code_names(section(README.read_text(), "What the demo builds"))
        imported = [m for m in vars(catalog).values() if isinstance(m, ModuleType)]
        modules = {f"{m.__name__.split('.')[1]}.py" for m in imported if m.__package__ == "sources"}
        wanted = {*ALL_SOURCES, *modules}
        wanted |= {contract.table for contract in contracts()}
        assert sorted(wanted - listed) == []

    def test_the_mart_table_lists_exactly_the_marts_in_transforms(self):
        rows = table_rows(section(README.read_text(), "What the demo builds"))
        first_cells = [name for row in rows for name in spans(row[0])]
        listed = {name for name in first_cells if name.startswith(("fct_", "dim_"))}
        built = {name.split(".")[1] for name in discover_models() if name.startswith("marts.")}
        assert (sorted(built - listed), sorted(listed - built)) == ([], [])

    def test_the_layout_shows_every_root_package_and_the_layers_in_order(self):
        """pyproject's import-linter root packages each have a line; the layers read top down."""
        config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
        text = README.read_text()
        lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
        layout = {line.split("/")[0] for line in lines if re.match(r"^[a-z_]+/ ", line)}
        assert sorted(set(config["root_packages"]) - layout) == []
        layers = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
        prose = " ".join(text.replace("**", "").split())
        assert " > ".join(layers) in prose

    def test_the_markers_and_the_inner_loop_selection_are_the_projects(self):
        pytest_config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
        markers = {line.split(":")[0] for line in pytest_config["ini_options"]["markers"]}
        development = section(README.read_text(), "Development")
        assert sorted(markers - code_names(development)) == []
        makefile = (ROOT / "Makefile").read_text()
        selection = re.search(r'^check:.*?-m "([^"]+)"', makefile, re.MULTILINE | re.DOTALL)
        assert f'-m "{selection.group(1)}"' in development

    def test_the_readme_stays_short(self):
        assert len(README.read_text().splitlines()) <= MAX_README_LINES


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


class TestLinks:
    @pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
    def test_every_relative_link_and_anchor_resolves(self, doc):
        broken = []
        for target in LINK.findall(doc.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists():
                broken.append(target)
            elif anchor and file.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", file.read_text(), re.MULTILINE)
                if anchor not in {slug(h) for h in headings}:
                    broken.append(target)
        assert broken == []

    def test_slugs_follow_github(self):
        # backticks and parentheses go, spaces become hyphens, case folds
        assert slug("Deployments (`prefect.yaml`)") == "deployments-prefectyaml"


if __name__ == "__main__":  # pragma: no cover - prints the table to paste into the README
    meanings = {name: cells[1] for name, cells in documented_settings().items()}
    for name, default in model_defaults().items():
        cell = default if default in ("unset", "empty") else f"`{default}`"
        print(f"| `{name}` | {cell} | {meanings.get(name, 'TODO: say what it does')} |")
