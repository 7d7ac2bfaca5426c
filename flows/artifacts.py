"""What a run shows in the Prefect UI: load counts, watermarks, validation failures, Data Docs.

Artifacts carry counts, dates, table names and messages only: never settings or secrets.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from prefect.artifacts import create_link_artifact, create_markdown_artifact

if TYPE_CHECKING:
    from warehouse.runs import RunSummary

SUMMARY_KEY = "nightly-load-summary"
WARNING_KEY = "nightly-stale-data-warning"
DOCS_KEY = "nightly-data-docs"


def _rows_per_table(summary: RunSummary) -> list[str]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in summary.loads:
        t = totals[f"raw.{r.source}__{r.resource}"]
        t[0] += 1
        t[1] += r.rows_in
        t[2] += r.rows_inserted
        t[3] += r.rows_updated
    lines = ["| table | streams | rows in | inserted | updated |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {t} | {n} | {i:,} | {ins:,} | {u:,} |" for t, (n, i, ins, u) in totals.items()]
    return lines


def _watermark_lines(summary: RunSummary) -> list[str]:
    keys = sorted(set(summary.watermarks_before) | set(summary.watermarks_after))
    lines = ["| stream | before | after |", "|---|---|---|"]
    for key in keys:
        before = summary.watermarks_before.get(key)
        after = summary.watermarks_after.get(key)
        mark = "" if before == after else " ⬆"
        lines.append(f"| {key} | {before or '—'} | {after or '—'}{mark} |")
    return lines


def _failure_lines(summary: RunSummary) -> list[str]:
    if not summary.validation_failures:
        return ["No expectation failed."]
    lines = ["| suite | expectation | stream | severity | rows failed | reason |"]
    lines.append("|---|---|---|---|---:|---|")
    for suite, exp, stream, severity, rows, reason in summary.validation_failures:
        text = str(reason or "").replace("|", "/").replace("\n", " ")[:200]
        lines.append(f"| {suite} | {exp} | {stream} | {severity} | {rows or 0} | {text} |")
    return lines


def summary_markdown(summary: RunSummary) -> str:
    """The run's markdown report: rows per table, problems, watermarks, validation, docs."""
    parts = [
        f"# nightly {summary.status} ({summary.data_origin})",
        f"run `{summary.run_id}`",
        "## Rows loaded per raw table",
        *_rows_per_table(summary),
    ]
    problems = [f"- **failed** {k}: {v}" for k, v in sorted(summary.failed_streams.items())]
    problems += [f"- **quarantined** {k}: {n} rows" for k, n in sorted(summary.quarantined.items())]
    problems += [f"- **fell back** {k} -> {v}" for k, v in sorted(summary.fallbacks.items())]
    problems += [f"- **warning** {w}" for w in summary.warnings]
    if problems:
        parts += ["## Problems", *problems]
    parts += ["## Validation failures", *_failure_lines(summary)]
    parts += ["## Watermarks", *_watermark_lines(summary)]
    if summary.docs:
        parts += ["## Data Docs", f"[{summary.docs}]({Path(summary.docs).resolve().as_uri()})"]
    return _join(parts)


def _join(parts: list[str]) -> str:
    """Headings get blank lines around them; table rows stay on consecutive lines."""
    return "\n".join(f"\n{p}\n" if p.startswith("#") else p for p in parts).strip() + "\n"


def publish_artifacts(summary: RunSummary) -> None:
    """Create the run's artifacts: the summary, a Data Docs link, and a warning when stale."""
    create_markdown_artifact(
        key=SUMMARY_KEY,
        markdown=summary_markdown(summary),
        description=f"rows, watermarks and validation of run {summary.run_id}",
    )
    if summary.docs:
        create_link_artifact(
            key=DOCS_KEY,
            link=Path(summary.docs).resolve().as_uri(),
            link_text="Great Expectations Data Docs",
        )
    if summary.stale_sources:
        create_markdown_artifact(
            key=WARNING_KEY,
            markdown=(
                f"# Stale data: {', '.join(summary.stale_sources)}\n\n"
                "The run completed and published, but these sources had failed or quarantined "
                "streams; their marts were rebuilt from the last good data.\n\n"
                + "\n".join(f"- {k}: {v}" for k, v in sorted(summary.failed_streams.items()))
                + "\n"
                + "\n".join(f"- {k}: {n} rows quarantined" for k, n in summary.quarantined.items())
            ),
            description="partial run: some sources are stale",
        )
