"""The FRED key never leaks, and configuration is validated before anything runs.

The leak checks grep everything the shared faulty run left behind (``faulty_run.py``): it ran
with a distinctive key, one FRED stream got an error body echoing that key, and another
exhausted its retries on a URL that carried it.
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, LogFilter
from prefect.logging.handlers import APILogHandler

from rotation_kernel.errors import ConfigError
from rotation_kernel.settings import load_settings
from sources.catalog import check_selection, contracts
from tests.reliability.faulty_run import SECRET_KEY
from warehouse.db import connect, list_tables


@pytest.mark.flow
class TestTheKeyNeverLeaks:
    def test_the_run_did_send_the_key_and_meet_the_echoing_error(self, faulty_run, emulator):
        """The premise: requests carried the key, and DGS10's error body echoed it back."""
        sent = [
            q.get("api_key") for _, path, q in emulator.request_log if path.startswith("/fred/")
        ]
        assert SECRET_KEY in sent
        assert "is not registered: ***" in faulty_run.summary.failed_streams["fred_rates/DGS10"]

    def test_not_in_the_run_summary_or_its_errors(self, faulty_run):
        """Failed-stream messages (the exceptions' text) and the whole summary are clean."""
        assert SECRET_KEY not in repr(faulty_run.summary)
        assert faulty_run.summary.failed_streams  # there were errors to leak through

    def test_not_in_any_log_record_at_debug(self, faulty_run):
        """Every record of every logger, urllib3's request lines included, is clean."""
        assert "api_key=***" in faulty_run.log_text
        assert SECRET_KEY not in faulty_run.log_text

    def test_not_in_the_prefect_logs_or_artifacts(self, faulty_run):
        """The flow and task run logs and the artifacts, read back from the Prefect API."""
        APILogHandler().flush()  # logs travel to the API in batches
        run_id = UUID(faulty_run.summary.run_id)
        with get_client(sync_client=True) as client:
            logs = client.read_logs(LogFilter(flow_run_id={"any_": [run_id]}))
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id={"any_": [run_id]})
            )
        text = "\n".join(log.message for log in logs)
        assert "api_key=***" in text
        assert artifacts and SECRET_KEY not in "\n".join(str(a.data) for a in artifacts)
        assert SECRET_KEY not in text

    def test_not_in_any_table_of_the_warehouse(self, faulty_run):
        """No row of any raw, staging, mart, meta or quarantine relation holds the key."""
        with connect(faulty_run.summary.warehouse, read_only=True) as con:
            tables = list_tables(con, ("raw", "staging", "marts", "meta", "quarantine"))
            hits = {
                table: con.execute(
                    f"select count(*) from {table} as t where contains(t::varchar, ?)",
                    [SECRET_KEY],
                ).fetchone()[0]
                for table in tables
            }
        assert len(tables) > 20
        assert {t: n for t, n in hits.items() if n} == {}

    def test_not_in_data_docs_or_any_other_file_beside_the_warehouse(self, faulty_run):
        """Data Docs, the lock file, spool and cache folders: no file contains the key."""
        folder = faulty_run.summary.warehouse.parent
        files = [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".duckdb")]
        assert any(p.suffix == ".html" for p in (folder / "docs").rglob("*"))
        leaking = [p for p in files if SECRET_KEY.encode() in Path(p).read_bytes()]
        assert leaking == []


class TestConfigValidation:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            pytest.param("fred_base_url", "api.stlouisfed.org", id="no_scheme"),
            pytest.param("yahoo_base_url", "ftp://query1.finance.yahoo.com", id="not_http"),
            pytest.param("binance_base_url", "https://", id="no_host"),
            pytest.param("treasury_base_url", "https://fiscal.example/x?api_key=k", id="query"),
            pytest.param("kraken_base_url", "https://user:pw@api.kraken.com", id="credentials"),
            pytest.param("lookback_days", -1, id="negative_lookback"),
            pytest.param("sources", "fred,bitfinex", id="unknown_source"),
            pytest.param("binance_symbols", "BTC'; DROP TABLE x;--", id="hostile_symbol"),
            pytest.param("binance_symbols", "DOGEUSDT,SHIBUSDT", id="unlisted_symbol"),
        ],
    )
    def test_a_bad_setting_is_a_config_error_naming_the_variable(self, field, value):
        """Rejected at startup (the settings, then the catalog's check of the selection), before
        any request or SQL, naming the variable and the reason but never echoing the value (it
        may be a secret)."""
        with pytest.raises(ConfigError, match=rf"ROTATION_{field.upper()}\b") as info:
            check_selection(load_settings(**{field: value}))
        assert str(value) not in str(info.value)

    def test_the_good_values_are_accepted(self):
        """Real base URLs with a path, a zero lookback, known sources and listed symbols."""
        settings = load_settings(
            treasury_base_url="https://api.fiscaldata.treasury.gov/services/api/fiscal_service",
            lookback_days=0,
            sources="fred,binance",
            binance_symbols="BTCUSDT,ETHUSDT",
        )
        assert (settings.lookback_days, settings.sources, settings.binance_symbols) == (
            0,
            ("fred", "binance"),
            ("BTCUSDT", "ETHUSDT"),
        )

    def test_the_defaults_select_everything(self):
        """Unset, the selections are empty (every source and symbol) and no lookback override."""
        settings = load_settings()
        assert (settings.lookback_days, settings.sources, settings.binance_symbols) == (
            None,
            (),
            (),
        )


class TestSqlIdentifiers:
    def test_every_identifier_a_contract_puts_into_sql_is_a_plain_name(self):
        """Table, column, key and cursor names are constants of the load contracts, each a
        plain lower-case identifier: nothing from config or payloads is spliced into SQL."""
        plain = re.compile(r"[a-z][a-z0-9_]*")
        names = set()
        for contract in contracts():
            schema, table = contract.table.split(".")
            names |= {schema, table, contract.cursor, *contract.schema, *contract.primary_key}
            names |= {contract.stream_key} if contract.stream_key else set()
        assert len(names) > 40
        assert sorted(n for n in names if not plain.fullmatch(n)) == []
