"""Loading transforms/thesis.yml into ThesisParams, and its validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from transforms.stats.thesis_params import PARAMS_PATH, load_params


def _write_variant(tmp_path: Path, change) -> Path:
    """The real file with ``change(doc)`` applied, written to a temporary path."""
    doc = yaml.safe_load(PARAMS_PATH.read_text())
    change(doc)
    path = tmp_path / "variant.yml"
    path.write_text(yaml.safe_dump(doc))
    return path


class TestLoadParams:
    def test_the_real_file_loads_with_its_documented_values(self) -> None:
        """transforms/thesis.yml: 1.0% of WALCL, 10 sessions, 13 weeks = 91 days, B = 2000."""
        params = load_params()

        assert (params.liquidity_threshold_pct_walcl, params.uptrend_confirm_sessions) == (1.0, 10)
        assert (params.impulse_weeks, params.impulse_days) == (13, 91)  # 13 x 7
        assert params.release_lag_days == {"WALCL": 1, "RRPONTSYD": 1}
        assert params.max_age_days == {"WALCL": 13, "RRPONTSYD": 5, "TGA": 5}
        assert params.horizons_days == (30, 60, 90, 180)
        assert (params.cooldown_days, params.max_stale_days, params.peak_window_days) == (
            90,
            7,
            180,
        )
        assert (params.null_draws, params.stratum_days, params.min_episodes) == (2000, 365, 8)
        assert (params.q_threshold, params.ci_level, params.seed) == (0.10, 0.90, 20161108)
        assert params.sensitivity_thresholds_pct == (0.5, 1.0, 1.5)
        assert params.sensitivity_confirm_sessions == (5, 10, 20)

    @pytest.mark.parametrize(
        ("section", "key"),
        [
            pytest.param("episodes", "cooldown_days", id="episodes_cooldown"),
            pytest.param("primary", "uptrend_confirm_sessions", id="primary_confirm"),
            pytest.param("test", "seed", id="test_seed"),
        ],
    )
    def test_a_missing_key_raises_value_error_naming_it(
        self, tmp_path: Path, section: str, key: str
    ) -> None:
        """Dropping section.key raises ValueError with 'section.key is missing'."""
        path = _write_variant(tmp_path, lambda doc: doc[section].pop(key))
        with pytest.raises(ValueError, match=rf"{section}\.{key} is missing"):
            load_params(path)

    def test_a_missing_section_raises_naming_its_first_key(self, tmp_path: Path) -> None:
        """No 'episodes' section at all: the first key read from it is named."""
        path = _write_variant(tmp_path, lambda doc: doc.pop("episodes"))
        with pytest.raises(ValueError, match=r"episodes\.cooldown_days is missing"):
            load_params(path)

    @pytest.mark.parametrize(
        ("key", "grid"),
        [
            pytest.param("liquidity_threshold_pct_walcl", [0.5, 1.5, 2.0], id="threshold"),
            pytest.param("uptrend_confirm_sessions", [5, 20], id="confirm_sessions"),
        ],
    )
    def test_a_sensitivity_grid_without_the_primary_raises(
        self, tmp_path: Path, key: str, grid: list
    ) -> None:
        """The primary (1.0, 10) must be a point of the grid."""
        path = _write_variant(tmp_path, lambda doc: doc["sensitivity"].__setitem__(key, grid))
        with pytest.raises(ValueError, match="sensitivity grid must contain the primary"):
            load_params(path)

    def test_fewer_than_1000_null_draws_raise(self, tmp_path: Path) -> None:
        """B = 999 is too few for p-values down to 0.001."""
        path = _write_variant(tmp_path, lambda doc: doc["test"].__setitem__("null_draws", 999))
        with pytest.raises(ValueError, match="null_draws must be at least 1000"):
            load_params(path)


class TestWithSetting:
    def test_replaces_only_the_two_setting_values_and_knows_the_primary(self) -> None:
        """(1.5, 20) is another setting; everything else is unchanged; (1.0, 10) is primary."""
        params = load_params()
        other = params.with_setting(1.5, 20)

        assert (other.liquidity_threshold_pct_walcl, other.uptrend_confirm_sessions) == (1.5, 20)
        assert other.null_draws == params.null_draws and other.seed == params.seed
        assert params.is_primary(1.0, 10)
        assert not params.is_primary(1.5, 10) and not params.is_primary(1.0, 20)
