"""transforms/alt_universe.yml, read and checked (transforms.stats.alt_universe_params)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from transforms.stats.alt_universe_params import PARAMS_PATH, load_params

STAGING = Path(PARAMS_PATH).parent / "staging" / "stg_binance_archive_klines.sql"


@pytest.fixture(scope="module")
def params():
    return load_params()


class TestExclusions:
    @pytest.mark.parametrize(
        ("asset", "fragment"),
        [
            ("BTC", "rungs"),
            ("ETH", "rungs"),
            ("USDC", "pegged to the US dollar"),
            ("FDUSD", "pegged to the US dollar"),
            ("TRY", "national currency"),
            ("WBTC", "wrapped"),
            ("PAXG", "wrapped"),
            ("BTCUP", "leveraged"),
            ("ETHDOWN", "leveraged"),
            ("EOSBEAR", "leveraged"),
        ],
    )
    def test_an_excluded_asset_says_why(self, params, asset, fragment):
        assert fragment in params.exclusion_reason(asset)

    @pytest.mark.parametrize("asset", ["SOL", "LUNA", "JUP", "SYRUP", "UP", "BCC"])
    def test_coins_whose_names_merely_end_in_a_suffix_are_alts(self, params, asset):
        assert params.exclusion_reason(asset) is None


class TestLoading:
    def test_the_file_holds_the_documented_defaults(self, params):
        assert (params.top_n, params.volume_window_days, params.min_listing_age_days) == (
            10,
            30,
            90,
        )
        assert (params.min_members, params.delisted_after_days) == (3, 14)

    def test_staging_starts_a_new_listing_after_the_same_gap(self, params):
        """The listing gap is written in the staging SQL too: the two must agree."""
        (gap,) = re.findall(r"lag\(quoted\.date\) over by_asset > (\d+)", STAGING.read_text())
        assert int(gap) == params.delisted_after_days

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda spec: spec.pop("top_n"), "top_n is missing"),
            (lambda spec: spec.update(min_members=0), "counts must be positive"),
            (lambda spec: spec.update(rebalance="weekly"), "rebalance must be one of"),
            (lambda spec: spec["exclusions"].pop("leveraged"), "leveraged is missing"),
        ],
    )
    def test_a_broken_file_is_refused_with_the_reason(self, tmp_path, change, message):
        spec = yaml.safe_load(PARAMS_PATH.read_text())
        change(spec)
        path = tmp_path / "alt_universe.yml"
        path.write_text(yaml.safe_dump(spec))
        with pytest.raises(ValueError, match=message):
            load_params(path)
