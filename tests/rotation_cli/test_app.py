"""The `rotation` command line, end to end on the emulator, as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
import threading
from datetime import date, timedelta

import polars as pl
import pytest
from typer.testing import CliRunner

from rotation_cli.app import app
from rotation_kernel.errors import PublishError
from rotation_kernel.progress import subscribe
from rotation_kernel.settings import settings_env
from tests.conftest import WITHOUT_ARCHIVE
from warehouse.db import connect, content_checksums
from warehouse.publish import next_path, run_lock

pytestmark = pytest.mark.flow
runner = CliRunner()
# The window of the one flow run the reading commands share (`published` below).
RUN_WINDOW = ("2023-01-01", "2024-03-31")
STAGE_LINE = re.compile(r"^\d\d:\d\d:\d\d stage ([a-z-]+)", re.MULTILINE)


@pytest.fixture(scope="module")
def published(prefect_harness, emulator, tmp_path_factory):
    """One real `rotation run` on the emulator (about 10 s), shared by the tests that read it.

    Yields (warehouse path, the run's CLI output); ROTATION_WAREHOUSE is left to each test.
    """
    warehouse = tmp_path_factory.mktemp("cli") / "rotation.duckdb"
    with settings_env({**emulator.settings_overrides(), **WITHOUT_ARCHIVE, "warehouse": warehouse}):
        result = runner.invoke(app, ["run", "--start", RUN_WINDOW[0], "--end", RUN_WINDOW[1]])
    assert result.exit_code == 0, result.output
    return warehouse, result.output


def invoke_on(warehouse, *args: str):
    """Run a `rotation` command with ROTATION_WAREHOUSE pointing at ``warehouse``."""
    with settings_env({"warehouse": warehouse}):
        return runner.invoke(app, list(args))


def expected_net_liquidity(con) -> pl.DataFrame:
    """Net liquidity recomputed from the raw tables in Polars, independently of the SQL marts.

    walcl: latest WALCL (USD mn) dated within the last 13 days; tga: latest DTS TGA close
    (USD mn, the era's account and column) within 5 days;
    rrp: latest RRPONTSYD (USD bn) within 5 days.
    """
    fred = con.sql("select series_id, date, value from raw.fred__observations").pl()
    dts = con.sql(
        "select record_date as date, account_type, close_today_bal, open_today_bal "
        "from raw.treasury__operating_cash_balance"
    ).pl()
    tga = dts.filter(
        (
            (pl.col("date") <= date(2021, 9, 30))
            & (pl.col("account_type") == "Federal Reserve Account")
        )
        | (
            (pl.col("date") >= date(2021, 10, 1))
            & (pl.col("date") < date(2022, 4, 18))
            & (pl.col("account_type") == "Treasury General Account (TGA)")
        )
        | (
            (pl.col("date") >= date(2022, 4, 18))
            & (pl.col("account_type") == "Treasury General Account (TGA) Closing Balance")
        )
    ).select(
        "date",
        (
            pl.when(pl.col("date") >= date(2022, 4, 18))
            .then(pl.col("open_today_bal"))
            .otherwise(pl.col("close_today_bal"))
            / 1000
        ).alias("tga"),
    )
    walcl = fred.filter(series_id="WALCL").select("date", (pl.col("value") / 1000).alias("walcl"))
    rrp = fred.filter(series_id="RRPONTSYD").select("date", pl.col("value").alias("rrp"))
    days = con.sql("select date from marts.fct_net_liquidity").pl().sort("date")
    out = days
    for frame, name, limit in ((walcl, "walcl", 13), (tga, "tga", 5), (rrp, "rrp", 5)):
        frame = frame.drop_nulls().sort("date").with_columns(pl.col("date").alias(f"{name}_at"))
        out = out.join_asof(frame, on="date", strategy="backward", tolerance=timedelta(days=limit))
    return out.with_columns(net=pl.col("walcl") - pl.col("tga") - pl.col("rrp"))


class TestRun:
    def test_run_with_a_window_loads_the_servers_data_and_marts_follow_the_definitions(
        self, published
    ):
        """`run --start --end` on a server: each daily net value follows the definition."""
        warehouse, output = published
        assert "success" in output
        with connect(warehouse, read_only=True) as con:
            expected = expected_net_liquidity(con)
            got = con.sql(
                "select date, net_liquidity_usd_bn as net from marts.fct_net_liquidity"
            ).pl()
            span = con.execute("select min(date), max(date) from raw.binance__klines").fetchone()
        both = got.join(expected.select("date", pl.col("net").alias("want")), on="date")
        assert both.height == got.height > 400
        mismatched = both.filter(
            (pl.col("net").is_null() != pl.col("want").is_null())
            | ((pl.col("net") - pl.col("want")).abs() > 1e-9)
        )
        assert mismatched.height == 0, mismatched
        assert span == (date(2023, 1, 1), date(2024, 3, 31))

    def test_without_a_terminal_progress_is_one_plain_line_per_stage(self, published):
        """CI logs get the stages in order, timestamped, and no terminal control codes."""
        _, output = published
        assert STAGE_LINE.findall(output) == [
            "extract",
            "validate",
            "load",
            "transform",
            "validate-marts",
            "publish",
            "docs",
            "done",
        ]
        assert "\x1b[" not in output
        assert re.search(r"stage extract \(streams \d+\)", output)

    def test_start_after_end_is_refused_with_a_one_line_reason(self):
        """A reversed window exits 2 before anything runs."""
        result = runner.invoke(app, ["run", "--start", "2024-02-01", "--end", "2024-01-01"])
        assert result.exit_code == 2
        assert "error: --start 2024-02-01 is after --end 2024-01-01" in result.output

    def test_without_a_fred_key_the_run_reads_fredgraph_csv_and_skips_vintages(
        self, prefect_harness, emulator, tmp_path
    ):
        """Keyless mode: FRED comes from fredgraph.csv (no realtime columns) and no vintages."""
        warehouse = tmp_path / "w.duckdb"
        env = {
            **emulator.settings_overrides(),
            **WITHOUT_ARCHIVE,
            "warehouse": warehouse,
            "fred_api_key": "",
        }
        with settings_env(env):
            result = runner.invoke(app, ["run", "--start", "2024-01-01", "--end", "2024-03-31"])
        assert result.exit_code == 0, result.output
        with connect(warehouse, read_only=True) as con:
            fred = con.execute(
                "select count(*), count(realtime_start) from raw.fred__observations "
                "where series_id = 'WALCL'"
            ).fetchone()
            vintages = con.execute(
                "select count(*) from raw.fred__observations_vintages"
            ).fetchone()
            net = con.execute(
                "select count(net_liquidity_usd_bn) from marts.fct_net_liquidity"
            ).fetchone()
        assert fred == (13, 0)  # 13 Wednesdays in 2024Q1, no vintage columns in CSV mode
        assert vintages == (0,)
        assert net[0] > 80


class TestDemo:
    def test_demo_builds_every_mart_from_the_emulator_and_says_where_the_data_is(
        self, prefect_harness, tmp_path
    ):
        """`rotation demo --end`: exit 0, synthetic label, counts, warehouse path, example query;
        the history (the emulator's and the run's) ends on the pinned day, the archive included."""
        warehouse = tmp_path / "rotation.duckdb"
        with settings_env({"warehouse": warehouse}):
            result = runner.invoke(app, ["demo", "--end", "2019-06-30"])
        assert result.exit_code == 0, result.output
        assert "SYNTHETIC" in result.output
        assert f"warehouse: {warehouse}" in result.output
        assert 'uv run rotation query "select date, net_liquidity_usd_bn' in result.output
        with connect(warehouse, read_only=True) as con:
            *window, origin = con.execute(
                "select window_start, window_end, data_origin from meta.runs"
            ).fetchone()
            for mart in ("fct_net_liquidity", "fct_net_liquidity_weekly", "fct_alt_universe"):
                assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0
            (last_day,) = con.execute("select max(date) from marts.fct_asset_daily").fetchone()
            delisted = con.execute(
                "select distinct asset from marts.fct_alt_universe where delisted_date is not null"
            ).fetchall()
        assert window == [date(2015, 1, 1), date(2019, 6, 30)]
        assert origin == "synthetic"
        assert last_day == date(2019, 6, 30)
        assert ("BCC@2017-08-01",) in delisted  # a coin that delisted inside the history

    def test_demo_refuses_an_end_before_its_first_day(self):
        result = runner.invoke(app, ["demo", "--end", "2014-12-31"])
        assert result.exit_code == 2
        assert "--end 2014-12-31 is before the demo's first day, 2015-01-01" in result.output


class TestChecksums:
    def test_checksums_print_each_tables_rows_and_content_hash(self, published):
        """One tab-separated line per raw, staging and mart table, as content_checksums says."""
        warehouse, _ = published
        result = invoke_on(warehouse, "checksums")
        assert result.exit_code == 0, result.output
        lines = [line.split("\t") for line in result.output.splitlines()]
        with connect(warehouse, read_only=True) as con:
            expected = content_checksums(con)
        assert {table: (int(rows), int(digest)) for table, rows, digest in lines} == expected
        assert [table for table, *_ in lines] == sorted(expected)
        assert expected["marts.fct_net_liquidity"][0] > 0


class TestStatus:
    def test_status_shows_the_run_as_synthetic_with_watermarks_and_staleness(self, published):
        """The emulator's run is labelled synthetic; its 2024-03-31 watermarks are long stale."""
        warehouse, _ = published
        result = invoke_on(warehouse, "status")
        assert result.exit_code == 0, result.output
        out = result.output
        assert "SYNTHETIC DATA" in out
        assert f"warehouse  {warehouse}" in out
        assert f"size       {warehouse.stat().st_size:,} bytes" in out
        assert re.search(r"success\s+│ synthetic\s+│ run\s+│ 2023-01-01 \.\. 2024-03-31", out)
        klines = next(line for line in out.splitlines() if "raw.binance__klines" in line)
        assert "│ 9 " in klines  # nine symbols
        assert "2024-03-31" in klines
        assert "2 days" in klines
        assert "STALE" in klines

    def test_status_without_a_warehouse_says_how_to_build_one(self, tmp_path):
        result = invoke_on(tmp_path / "none.duckdb", "status")
        assert result.exit_code == 2
        assert "no warehouse at" in result.output
        assert "make demo" in result.output


class TestQuery:
    SQL = (
        "select asset, count(*) as n, min(date) as first_date from marts.fct_asset_daily "
        "where asset in ('BTC', 'ETH') group by 1 order by 1"
    )

    def test_a_query_prints_a_table_of_the_rows(self, published):
        """BTC and ETH trade every day: 456 UTC days from 2023-01-01 to 2024-03-31."""
        warehouse, _ = published
        result = invoke_on(warehouse, "query", self.SQL)
        assert result.exit_code == 0, result.output
        assert re.search(r"│ BTC\s+│\s+456 │ 2023-01-01 │", result.output)
        assert re.search(r"│ ETH\s+│\s+456 │ 2023-01-01 │", result.output)
        assert "2 rows" in result.output

    def test_csv_goes_to_stdout_and_json_and_parquet_to_files(self, published, tmp_path):
        warehouse, _ = published
        csv = invoke_on(warehouse, "query", self.SQL, "--format", "csv")
        assert csv.stdout == "asset,n,first_date\nBTC,456,2023-01-01\nETH,456,2023-01-01\n"
        as_json = invoke_on(
            warehouse, "query", self.SQL, "--format", "json", "--out", str(tmp_path / "q.json")
        )
        assert as_json.exit_code == 0, as_json.output
        assert json.loads((tmp_path / "q.json").read_text())[0] == {
            "asset": "BTC",
            "n": 456,
            "first_date": "2023-01-01",
        }
        parquet = invoke_on(warehouse, "query", self.SQL, "--out", str(tmp_path / "q.parquet"))
        assert parquet.exit_code == 0, parquet.output
        assert pl.read_parquet(tmp_path / "q.parquet")["n"].to_list() == [456, 456]

    def test_a_sql_file_can_be_given_with_file(self, published, tmp_path):
        """SQL starting with a comment would read as an option: --file takes it from a file."""
        warehouse, _ = published
        sql = tmp_path / "q.sql"
        sql.write_text("-- how many assets?\nselect count(*) as n from marts.dim_asset")
        result = invoke_on(warehouse, "query", "--file", str(sql), "--format", "csv")
        assert result.stdout == "n\n13\n"

    @pytest.mark.parametrize(
        ("sql", "message"),
        [
            pytest.param("select * from marts.nope", "Catalog Error", id="unknown_table"),
            pytest.param("delete from marts.dim_asset", "read-only", id="write_refused"),
        ],
    )
    def test_a_failing_statement_exits_1_with_one_line(self, published, sql, message):
        warehouse, _ = published
        result = invoke_on(warehouse, "query", sql)
        assert result.exit_code == 1
        assert result.output.startswith("error: ")
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1

    def test_query_answers_while_a_nightly_run_is_building(self, published, emulator, tmp_path):
        """Mid-run (lock held, `.next` open for writing) a query reads the published file at once;
        after the run publishes, the next query sees the new run."""
        from flows.nightly import nightly

        warehouse = tmp_path / "rotation.duckdb"
        shutil.copyfile(published[0], warehouse)
        building, release = threading.Event(), threading.Event()
        outcome = {}

        def hold_at_transform(kind, fields):
            if kind == "stage" and fields["name"] == "transform":
                building.set()
                release.wait(timeout=120)

        def run():
            try:
                outcome["summary"] = nightly(start=date(2024, 4, 1), end=date(2024, 4, 30))
            except BaseException as exc:  # surfaced by the assertion below
                outcome["error"] = exc
            finally:
                building.set()

        env = {**emulator.settings_overrides(), **WITHOUT_ARCHIVE, "warehouse": warehouse}
        with settings_env(env), subscribe(hold_at_transform):
            worker = threading.Thread(target=run)
            worker.start()
            try:
                assert building.wait(timeout=120)
                assert "error" not in outcome, outcome
                assert next_path(warehouse).exists()
                with pytest.raises(PublishError), run_lock(warehouse):
                    pass  # the run holds the writer's lock...
                during = runner.invoke(  # ...and the query does not need it
                    app, ["query", "select count(*) as runs from meta.runs", "--format", "csv"]
                )
            finally:
                release.set()
                worker.join(timeout=120)
            after = runner.invoke(
                app, ["query", "select count(*) as runs from meta.runs", "--format", "csv"]
            )
        assert during.stdout == "runs\n1\n"
        assert outcome["summary"].status == "success"
        assert after.stdout == "runs\n2\n"


class TestReportAndExport:
    def test_report_writes_one_self_contained_html_file(self, published, tmp_path):
        warehouse, _ = published
        out = tmp_path / "r" / "report.html"
        result = invoke_on(warehouse, "report", "--out", str(out))
        assert result.exit_code == 0, result.output
        page = out.read_text()
        assert f"wrote {out} ({out.stat().st_size:,} bytes)" in result.output
        assert 'id="synthetic-banner"' in page
        # six market charts, and the thesis test's chart first (its own class)
        assert page.count('<div class="chart"') == 6
        assert page.count('<div class="chart thesis-chart"') == 1
        assert "<script src" not in page

    def test_export_writes_every_mart_and_the_dictionary(self, published, tmp_path):
        warehouse, _ = published
        result = invoke_on(warehouse, "export", "--out", str(tmp_path / "x"))
        assert result.exit_code == 0, result.output
        manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
        assert manifest["data_origin"] == "synthetic"
        with connect(warehouse, read_only=True) as con:
            daily = con.execute("select count(*) from marts.fct_asset_daily").fetchall()[0][0]
        exported = {t["name"]: t["rows"] for t in manifest["tables"]}
        assert exported["marts.fct_asset_daily"] == daily
        assert "marts.fct_asset_daily" in (tmp_path / "x" / "catalog.json").read_text()


class TestBackfill:
    def test_a_bad_chunk_is_a_config_error_with_exit_code_2(self, pipeline_env):
        result = runner.invoke(app, ["backfill", "--start", "2024-01-01", "--chunk", "week"])
        assert result.exit_code == 2
        assert "unknown chunk 'week'" in result.output

    def test_backfill_publishes_month_chunks_and_a_rerun_skips_them(self, pipeline_env):
        first = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
        args = ["backfill", "--start", first.isoformat(), "--chunk", "month"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert result.output.count("chunk run ") == 2
        again = runner.invoke(app, args)
        assert again.exit_code == 0, again.output
        assert again.output.count("already published, skipped") == 2
        assert "chunk run " not in again.output


class TestMarketOptions:
    """--market/--seed/--effect of `demo` and `emulator`, with the pipeline and the wait stubbed
    (no Prefect harness: these tests never start a flow)."""

    @pytest.fixture
    def served(self, monkeypatch):
        """Record the keyword arguments every serve_emulator call receives (then serve)."""
        import emulator

        calls: list[dict] = []
        real = emulator.serve_emulator

        def recording(**kwargs):
            calls.append(kwargs)
            return real(**kwargs)

        monkeypatch.setattr(emulator, "serve_emulator", recording)
        return calls

    def test_emulator_market_null_seed_7_serves_that_market_and_says_so(self, served, monkeypatch):
        """`rotation emulator --market null --seed 7`: those values reach serve_emulator."""
        from rotation_cli import pipeline_commands

        def ctrl_c() -> None:
            raise KeyboardInterrupt  # at once, instead of serving until a person presses it

        monkeypatch.setattr(pipeline_commands, "_wait_for_ctrl_c", ctrl_c)
        args = ["emulator", "--port", "0", "--market", "null", "--seed", "7"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert served == [{"port": 0, "bad_data": [], "market": "null", "seed": 7, "effect": 1.0}]
        assert "SYNTHETIC data (synthetic (null market, seed 7))" in result.output
        assert result.output.rstrip().endswith("stopped")

    def test_demo_market_planted_passes_seed_and_effect_and_names_the_market(
        self, served, monkeypatch
    ):
        """`rotation demo --market planted --seed 3 --effect 0.5` runs on that market."""
        from rotation_cli import pipeline_commands
        from rotation_kernel.settings import Settings

        runs = []
        monkeypatch.setattr(
            pipeline_commands,
            "_run",
            lambda start, end, mode: runs.append((start, mode, Settings())),
        )
        args = ["demo", "--market", "planted", "--seed", "3", "--effect", "0.5"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        expected = {"today": None, "bad_data": [], "market": "planted", "seed": 3, "effect": 0.5}
        assert served == [expected]
        assert "synthetic (planted market, effect 0.5, seed 3)" in result.output
        [(start, mode, settings)] = runs
        # the run (and so meta.runs) records which market it read
        label = "synthetic (planted market, effect 0.5, seed 3)"
        assert (start, mode, settings.data_origin) == (date(2015, 1, 1), "demo", label)
        assert settings.binance_base_url.startswith("http://127.0.0.1:")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            pytest.param(
                ["demo", "--effect", "0.5"],
                "--effect applies only to --market planted, not default",
                id="demo_effect_on_default",
            ),
            pytest.param(
                ["emulator", "--market", "null", "--effect", "0"],
                "--effect applies only to --market planted, not null",
                id="emulator_effect_on_null",
            ),
            pytest.param(
                ["demo", "--market", "random"],
                "unknown --market 'random'; use one of default, null, planted",
                id="unknown_market",
            ),
            pytest.param(
                ["emulator", "--market", "planted", "--effect", "nan"],
                "--effect: effect must be a finite number, not nan",
                id="effect_not_finite",
            ),
        ],
    )
    def test_a_wrong_market_option_exits_2_before_anything_starts(self, served, args, message):
        """Exit code 2 and a one-line reason; no emulator was started."""
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert f"error: {message}" in result.output
        assert served == []
