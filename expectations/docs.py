"""GX Data Docs: static HTML of the suites and of the validations since the last build (a run's)."""

from __future__ import annotations

import shutil
from pathlib import Path

from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from expectations.engine import Engine, engine

SITE = "warehouse_docs"
# What a GX site build writes; only these are cleared before a rebuild.
GENERATED = ("index.html", "expectations", "validations", "static")


def build_data_docs(docs_dir: Path) -> Path:
    """Write Data Docs for every suite and the validations run since the previous build.

    The nightly flow builds the docs once at its end, so the site shows that run's batches,
    whether the process ran one flow (``rotation run``) or many (a served worker, a test
    session). Results of earlier builds are dropped from GX's store first: re-rendering them
    all cost every run more than the one before (2 s a run after 3 runs, growing with each).

    The site is rebuilt from scratch each time, so pages of earlier builds do not linger
    beside an index that no longer lists them. Only GX's own files in ``docs_dir`` are removed.

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
        _clear(docs_dir)
        docs_dir.mkdir(parents=True, exist_ok=True)
        sites = eng.context.list_data_docs_sites()
        if SITE in sites:
            eng.context.update_data_docs_site(SITE, site)
        else:
            eng.context.add_data_docs_site(SITE, site)
        eng.context.build_data_docs(site_names=[SITE])
    return docs_dir / "index.html"


def _clear(docs_dir: Path) -> None:
    for name in GENERATED:
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
