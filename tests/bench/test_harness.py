"""The load benchmark's harness on a tiny size: every path loads the same rows, the same values.

Timing is never asserted here (bench/RESULTS.md holds the figures); this keeps the harness and
the paths it compares from rotting.
"""

from __future__ import annotations

import orjson
import pytest

from bench import payloads
from bench.paths import PATHS, loaded, run_path
from bench.run import TINY, Measure, check_agreement


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """Tiny pages of each kind: 2 symbols x 1 day of minute klines, FRED, DTS."""
    folder = tmp_path_factory.mktemp("payloads")
    return [
        payloads.write_klines(folder, "klines", TINY.symbols, TINY.days),
        payloads.write_fred(folder, "fred", TINY.fred_series, TINY.fred_years),
        payloads.write_dts(folder, "dts", TINY.dts_years, TINY.dts_accounts),
    ]


@pytest.fixture(autouse=True)
def quiet_dlt(monkeypatch, tmp_path):
    """dlt keeps its state and telemetry out of the home folder."""
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-home"))


@pytest.mark.parametrize("index", [0, 1, 2], ids=["klines_1m", "fred", "dts"])
def test_every_path_loads_the_same_rows_and_checksum(datasets, tmp_path, index):
    """ours, ours without validation, read_json, dlt default and dlt parquet agree."""
    dataset = datasets[index]
    measures = []
    for path in PATHS:
        warehouse = tmp_path / f"{path}.duckdb"
        run_path(path, dataset, warehouse, tmp_path / path)
        rows, digest = loaded(dataset, warehouse)
        measures.append(Measure(dataset.name, path, rows, digest, 0.0, 0, 0, 0.0))

    agreed = check_agreement(measures)

    assert agreed[dataset.name][0] == dataset.rows  # no row lost or doubled
    assert dataset.rows > 0


def test_kline_pages_hold_1000_wire_rows_with_unique_minutes(datasets):
    """1 day = 1,440 minutes a symbol: pages of 1000 and 440 twelve-field rows, a minute apart."""
    klines = datasets[0]
    pages = [orjson.loads(p.read_bytes()) for p in klines.streams["S00USDT"]]

    assert [len(page) for page in pages] == [1000, 440]
    first = pages[0][0]
    assert len(first) == 12 and isinstance(first[0], int) and isinstance(first[1], str)
    times = [row[0] for page in pages for row in page]
    assert times[1] - times[0] == 60_000 and len(set(times)) == 1440
    assert first[6] == first[0] + 59_999  # closeTime: the minute's last millisecond


def test_disagreeing_paths_are_named(tmp_path):
    """A path that loses a row fails the run, naming the dataset and both answers."""
    measures = [
        Measure("klines", "ours", 10, 1, 0.0, 0, 0, 0.0),
        Measure("klines", "read_json", 9, 1, 0.0, 0, 0, 0.0),
    ]

    with pytest.raises(AssertionError, match="klines: paths disagree"):
        check_agreement(measures)
