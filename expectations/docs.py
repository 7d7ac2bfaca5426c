"""GX Data Docs: static HTML of the suites and of the validations since the last build (a run's)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from expectations.engine import Engine, engine

SITE = "warehouse_docs"
# What a GX site build writes; only these are cleared before a rebuild.
GENERATED = ("index.html", "expectations", "validations", "static", ".suites.sha256")
GENERATED_PER_RUN = ("index.html", "validations")
STAMP = ".suites.sha256"  # the suites the pages under expectations/ were rendered from


def build_data_docs(docs_dir: Path) -> Path:
    """Write Data Docs for every suite and the validations run since the previous build.

    The nightly flow builds the docs once at its end, so the site shows that run's batches,
    whether the process ran one flow (``rotation run``) or many (a served worker, a test
    session). Results of earlier builds are dropped from GX's store first: re-rendering them
    all cost every run more than the one before (2 s a run after 3 runs, growing with each).

    The validation pages and the index are rebuilt from scratch each time, so pages of earlier
    builds do not linger beside an index that no longer lists them. The suite pages are
    rendered again only when a suite (or GX) changed since they were written, which
    ``docs_dir/.suites.sha256`` records; unchanged, they are a third of a build's time. Only
    GX's own files in ``docs_dir`` are removed.

    Args:
        docs_dir: where the static site goes, e.g. ``warehouse/docs``.

    Returns:
        The site's ``index.html``.
    """
    docs_dir = docs_dir.resolve()
    eng = engine()
    site = {
        "class_name": "SiteBuilder",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    with eng.lock:
        _flush_to_store(eng)
        digest, stamp = _suites_digest(eng), docs_dir / STAMP
        suites_current = (
            stamp.is_file() and stamp.read_text() == digest and (docs_dir / "expectations").is_dir()
        )
        _clear(docs_dir, GENERATED_PER_RUN if suites_current else GENERATED)
        docs_dir.mkdir(parents=True, exist_ok=True)
        sites = eng.context.list_data_docs_sites()
        if SITE in sites:
            eng.context.update_data_docs_site(SITE, site)
        else:
            eng.context.add_data_docs_site(SITE, site)
        # GX renders every suite and result when given no identifiers (or an empty list)
        only = list(eng.stored) if suites_current and eng.stored else None
        eng.context.build_data_docs(site_names=[SITE], resource_identifiers=only)
        stamp.write_text(digest)
    return docs_dir / "index.html"


def _suites_digest(eng: Engine) -> str:
    """A hash of every suite's expectations and of GX's version (what the suite pages show)."""

    def without_ids(value: Any) -> Any:  # GX gives suites and expectations new ids per process
        if isinstance(value, dict):
            return {k: without_ids(v) for k, v in value.items() if k != "id"}
        if isinstance(value, list):
            return [without_ids(v) for v in value]
        return value

    suites = sorted((s.to_json_dict() for s in eng.context.suites.all()), key=lambda s: s["name"])
    text = json.dumps([gx.__version__, without_ids(suites)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _clear(docs_dir: Path, names: tuple[str, ...]) -> None:
    for name in names:
        path = docs_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _flush_to_store(eng: Engine) -> None:
    """Replace the results in the context's validation results store (where docs read them)
    with the ones kept since the last build.

    Serialising a result costs ~30 ms, so it is done here, once, rather than per batch.
    """
    store = eng.context.validation_results_store
    while eng.stored:
        store.remove_key(eng.stored.popleft())
    while eng.kept:
        kept = eng.kept.popleft()
        passed = sum(1 for r in kept.results if r.success)
        evaluated = len(kept.results)
        suite_result = ExpectationSuiteValidationResult(
            success=passed == evaluated,
            results=kept.results,
            suite_name=kept.suite,
            suite_parameters=kept.parameters,
            statistics={
                "evaluated_expectations": evaluated,
                "successful_expectations": passed,
                "unsuccessful_expectations": evaluated - passed,
                "success_percent": 100.0 * passed / evaluated if evaluated else None,
            },
            meta={"run_id": {"run_name": kept.run_id, "run_time": kept.at.isoformat()}},
        )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=kept.suite),
            run_id=RunIdentifier(run_name=kept.run_id, run_time=kept.at),
            batch_identifier=kept.suite,
        )
        store.set(key, suite_result)
        eng.stored.append(key)
