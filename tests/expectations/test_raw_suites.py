"""Every raw suite: clean batches pass, empty ones too, and a broken schema stops the batch."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from expectations.suites import RAW_SUITES
from sources import binance, fred, treasury_dts, yahoo_chart
from tests.expectations.conftest import (
    RUN_ID,
    cash_table,
    chart,
    dts_rows,
    klines,
    observations,
    validate,
    weekly,
)

MARCH_1 = date(2024, 3, 1)


class TestCleanBatches:
    @pytest.mark.parametrize(
        ("contract", "frame"),
        [
            pytest.param(binance.CONTRACT, klines(), id="binance"),
            pytest.param(yahoo_chart.CONTRACT, chart(), id="yahoo"),
            pytest.param(
                fred.CONTRACT,
                observations(
                    {"WALCL": weekly(date(2024, 1, 3), [7.70e6, 7.68e6, 7.69e6, 7.66e6])},
                    realtime=date(2024, 1, 25),
                ),
                id="fred",
            ),
            pytest.param(
                treasury_dts.CONTRACT,
                cash_table(dts_rows(date(2024, 1, 2), 750_000.0)),
                id="treasury",
            ),
        ],
    )
    def test_a_clean_batch_passes_every_expectation_of_its_suite(self, contract, frame):
        """Every expectation of the table's suite runs, and each one passes."""
        result = validate(contract, frame)

        assert result.suite == contract.table
        assert len(result.results) == len(RAW_SUITES[contract.table].build())
        assert [r.expectation for r in result.results if not r.success] == []
        assert (result.blocked_streams, result.warnings) == ({}, [])
        assert {r.run_id for r in result.results} == {RUN_ID}
        assert {r.rows_checked for r in result.results} == {frame.height}

    @pytest.mark.parametrize(
        "contract",
        [
            pytest.param(c, id=c.source)
            for c in (binance.CONTRACT, yahoo_chart.CONTRACT, fred.CONTRACT, treasury_dts.CONTRACT)
        ],
    )
    def test_an_empty_batch_passes(self, contract):
        """A window with nothing new (a weekend) is not a failure; emptiness is the extract's
        concern (EmptyResponseError), not the gate's."""
        result = validate(contract, contract.empty_frame(), window=(MARCH_1, MARCH_1))

        assert (result.blocked_streams, result.warnings) == ({}, [])
        assert {r.rows_checked for r in result.results} == {0}

    def test_result_rows_name_the_expectation_without_colons(self):
        """The lead splits quarantine reasons on ':', so an expectation's text never holds one."""
        result = validate(binance.CONTRACT, klines())
        described = {r.expectation for r in result.results}

        assert "expect_key_to_be_unique(column_list=[symbol, open_time])" in described
        assert (
            "expect_column_values_to_be_between(column=date, min_value=$window_start, "
            "max_value=$window_end)" in described
        )
        assert not any(":" in text for text in described)


class TestSchema:
    @pytest.mark.parametrize(
        ("change", "detail"),
        [
            pytest.param(lambda f: f.drop("trades"), '"missing":["trades"]', id="missing_column"),
            pytest.param(
                lambda f: f.with_columns(pl.col("volume").cast(pl.Utf8)),
                '"volume":{"expected":["float64"],"found":"string"}',
                id="wrong_type",
            ),
            pytest.param(
                lambda f: f.select(["open_time", *[c for c in f.columns if c != "open_time"]]),
                '"order":["open_time","symbol"',
                id="wrong_order",
            ),
        ],
    )
    def test_a_schema_failure_blocks_every_stream_of_the_batch(self, change, detail):
        """Schema is table-level: no stream's rows can be trusted to load."""
        result = validate(binance.CONTRACT, change(klines()))

        schema = next(r for r in result.results if r.expectation.startswith("expect_table_schema"))
        assert (schema.success, schema.stream, schema.rows_failed) == (False, None, 12)
        assert detail in schema.observed_value + schema.reason
        assert sorted(result.blocked_streams) == ["BTCUSDT", "ETHUSDT"]
