"""rotation_cli/run_summary.py: what `rotation run` prints once the run is over."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rotation_cli.run_summary import print_summary
from warehouse.runs import RunSummary


def warehouse_with_venues(path: Path) -> Path:
    """A file holding only marts.fct_asset_daily: 3 binance/USDT rows, 1 yahoo/USD row."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_asset_daily as select * from (values "
            "('binance', 'USDT'), ('binance', 'USDT'), ('binance', 'USDT'), ('yahoo', 'USD')"
            ") as t(venue, quote_currency)"
        )
    return path


def test_a_partial_synthetic_run_prints_counts_venues_failures_and_how_to_query_it(
    capsys, tmp_path
):
    warehouse = warehouse_with_venues(tmp_path / "w.duckdb")
    summary = RunSummary(
        run_id="r1",
        status="partial",
        warehouse=warehouse,
        data_origin="synthetic (null market, seed 7)",
        failed_streams={"fred/WALCL": "HTTP 500"},
        fallbacks={"binance/BTCUSDT": "coinbase/BTC-USD"},
        quarantined={"treasury/tga": 2},
        warnings=["late file"],
        table_rows={"raw.fred__observations": 1234},
    )

    print_summary(summary, 12.34)

    lines = capsys.readouterr().out.splitlines()
    path = warehouse.resolve()
    assert lines[:9] == [
        "",
        "run r1: partial in 12.3s (SYNTHETIC data from the embedded emulator)",
        f"  {'raw.fred__observations':<42}     1,234 rows",
        # ordered by count: binance's three rows before yahoo's one
        "  where fct_asset_daily rows came from: binance/USDT 3, yahoo/USD 1",
        "  FAILED fred/WALCL: HTTP 500",
        "  FELL BACK binance/BTCUSDT -> coinbase/BTC-USD (see marts.fct_asset_daily.venue)",
        "  QUARANTINED treasury/tga: 2 rows (see quarantine.* and meta.validation_results)",
        "  warning: late file",
        "",
    ]
    assert lines[9] == f"warehouse: {path}"
    assert lines[10] == "example query:"
    # not the default warehouse/rotation.duckdb: the query names the file
    assert lines[11].startswith(f'  ROTATION_WAREHOUSE={path} uv run rotation query "select date')
    assert lines[12] == f"or from Python: duckdb.connect('{path}', read_only=True)"
    assert len(lines) == 13  # no Data Docs line without docs
