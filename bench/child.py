"""One load path in its own process: ``python -m bench.child PATH FOLDER RESOURCE WAREHOUSE WORK``.

Prints one JSON line: wall seconds of the load, the table's row count and checksum, the peak
RSS of the process during the load (the kernel's high-water mark, ``ru_maxrss``, read before
the checksum scans the table), the RSS just before the load (psutil: imports and warm-up
done) and the one-off set-up seconds (imports, GX context).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import psutil


def main(argv: list[str]) -> None:
    path, folder, resource_name, warehouse, work = argv
    started = time.perf_counter()
    from bench.paths import loaded, read_dataset, run_path

    if path == "ours":
        from expectations.validate import warm_up

        warm_up()  # GX import and context: once per process, reported apart
    elif path.startswith("dlt"):
        import dlt  # noqa: F401

    setup_s = time.perf_counter() - started
    dataset = read_dataset(Path(folder), resource_name)
    rss_before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    run_path(path, dataset, Path(warehouse), Path(work))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    # The check reads every row back: after the load's time and high-water mark are taken
    # (a full scan fills DuckDB's buffer pool, which says nothing about the load).
    count, digest = loaded(dataset, Path(warehouse))
    print(
        json.dumps(
            {
                "path": path,
                "seconds": seconds,
                "rows": count,
                "checksum": digest,
                "peak_rss": peak,
                "rss_before": rss_before,
                "setup_s": setup_s,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
