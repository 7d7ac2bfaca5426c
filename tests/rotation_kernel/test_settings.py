"""The one typed settings object (rotation_kernel.settings): environment, checks, secrets."""

from __future__ import annotations

import os

import pytest

from rotation_kernel.errors import ConfigError
from rotation_kernel.settings import load_settings, settings_env


class TestLoadSettings:
    def test_the_environment_beats_the_defaults_and_lists_are_comma_separated(self):
        env = {"fred_base_url": "http://127.0.0.1:9/fred", "sources": "fred, binance,"}
        with settings_env(env):
            settings = load_settings()
        assert settings.fred_base_url == "http://127.0.0.1:9/fred"
        assert settings.sources == ("fred", "binance")
        assert settings.yahoo_base_url == "https://query1.finance.yahoo.com"  # the default

    def test_settings_env_restores_the_environment_it_changed(self):
        before = os.environ.get("ROTATION_LOOKBACK_DAYS")
        with settings_env({"lookback_days": 3}):
            assert os.environ["ROTATION_LOOKBACK_DAYS"] == "3"
        assert os.environ.get("ROTATION_LOOKBACK_DAYS") == before

    @pytest.mark.parametrize("origin", ["live", "synthetic", "synthetic (null market, seed 7)"])
    def test_a_data_origin_is_live_or_synthetic_with_its_market(self, origin):
        assert load_settings(data_origin=origin).data_origin == origin

    def test_any_other_data_origin_is_refused(self):
        with pytest.raises(ConfigError, match="ROTATION_DATA_ORIGIN"):
            load_settings(data_origin="real")


class TestFredKey:
    def test_a_missing_key_is_a_config_error_naming_the_variable(self):
        settings = load_settings(fred_api_key="")
        assert not settings.has_fred_key
        with pytest.raises(ConfigError, match="FRED_API_KEY is not set"):
            settings.require_fred_key()

    def test_the_key_is_secret_in_the_settings_repr(self):
        settings = load_settings(fred_api_key="abcdef0123456789")
        assert settings.require_fred_key().get_secret_value() == "abcdef0123456789"
        assert "abcdef0123456789" not in repr(settings)
