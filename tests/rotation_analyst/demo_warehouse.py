"""A published-looking warehouse file built from the synthetic market, without Prefect or HTTP.

The raw rows come from rotation_cli/market_warehouse.py; the marts are built by the real
transforms; the meta tables hold what a demo run would record: two runs (the newest synthetic),
watermarks per stream, the freshness expectations with their lags, and a failed warning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from rotation_cli.market_warehouse import load_market, market_inputs
from sources.catalog import contracts
from warehouse.quarantine import ensure_tables
from warehouse.transform import run_transforms

# Six years: 200-day means, R2K breakouts with crypto after them and rolling lead-lag windows.
HISTORY = (date(2016, 1, 1), date(2021, 12, 31))
OLD_RUN, LAST_RUN = "run-old", "run-last"
FRED_FRESHNESS = (
    "expect_newest_date_to_be_recent(date_column=date, group_column=series_id, as_of=$as_of, "
    "max_lag_days=7, max_lag_days_by_group=[RRPONTSYD=4], business_days=True)"
)
YAHOO_FRESHNESS = (
    "expect_newest_date_to_be_recent(date_column=date, group_column=symbol, as_of=$as_of, "
    "max_lag_days=4, max_lag_days_by_group=[])"
)
NULL_ADJCLOSE = "expect_column_values_to_not_be_null(column=adjclose)"


def _record_meta(con: duckdb.DuckDBPyConnection) -> None:
    ensure_tables(con, contracts())
    started = datetime(2022, 1, 1, 6, 0, tzinfo=UTC)
    con.execute(
        "insert into meta.runs values "
        "(?, 'nightly-run-2016-01-01-2021-12-30', ?, ?, 'partial', 'live', 'run', "
        " '2016-01-01', '2021-12-30', 10, 10, 0, ['yahoo'], 'failed yahoo/^RUT: 503'), "
        "(?, 'nightly-demo-2016-01-01-2021-12-31', ?, ?, 'success', 'synthetic', 'demo', "
        " '2016-01-01', '2021-12-31', 100, 90, 10, [], null)",
        [
            OLD_RUN,
            started.replace(day=1, hour=5),
            started.replace(day=1, hour=5, minute=1),
            LAST_RUN,
            started,
            started.replace(second=42),
        ],
    )
    watermarks = {
        ("fred", "observations", 35): "select series_id, max(date) from raw.fred__observations",
        ("yahoo", "chart", 10): "select symbol, max(date) from raw.yahoo__chart",
        ("binance", "klines", 3): "select symbol, max(date) from raw.binance__klines",
    }
    for (source, resource, lookback), sql in watermarks.items():
        con.execute(
            "insert into meta.load_state select ?, ?, s, w, ?, ?, ? "
            f"from ({sql} group by 1) t(s, w)",
            [source, resource, lookback, started, LAST_RUN],
        )
    results = [
        (OLD_RUN, "raw.fred__observations", FRED_FRESHNESS, None, False, "warn", 0, "old run"),
        (LAST_RUN, "raw.fred__observations", FRED_FRESHNESS, None, True, "warn", 0, "passed"),
        (LAST_RUN, "raw.yahoo__chart", YAHOO_FRESHNESS, None, True, "warn", 0, "passed"),
        (LAST_RUN, "raw.yahoo__chart", NULL_ADJCLOSE, "IWM", False, "warn", 3, "3 null adjclose"),
    ]
    con.executemany(
        "insert into meta.validation_results (run_id, suite, expectation, stream, success, "
        "severity, rows_failed, reason, validated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, started) for row in results],
    )


def build_demo_warehouse(path: Path) -> Path:
    """Write a demo-like warehouse file at ``path`` (about 8 s: the marts are really built).

    Args:
        path: the file to create.

    Returns:
        ``path``.
    """
    with duckdb.connect(str(path)) as con:
        load_market(con, market_inputs(*HISTORY))
        run_transforms(con)
        _record_meta(con)
        con.execute("checkpoint")
    return path
