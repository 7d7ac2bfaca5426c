"""The thesis test's parameters, read from transforms/thesis.yml into one frozen object."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

PARAMS_PATH = Path(__file__).resolve().parent.parent / "thesis.yml"


@dataclass(frozen=True)
class ThesisParams:
    """Every threshold of the thesis marts (transforms/thesis.yml says what each one means)."""

    liquidity_threshold_pct_walcl: float
    uptrend_confirm_sessions: int
    uptrend_exit_sessions: int
    impulse_weeks: int
    release_lag_days: dict[str, int]
    max_age_days: dict[str, int]
    cooldown_days: int
    horizons_days: tuple[int, ...]
    max_stale_days: int
    peak_window_days: int
    null_draws: int
    stratum_days: int
    min_episodes: int
    q_threshold: float
    ci_level: float
    seed: int
    sensitivity_thresholds_pct: tuple[float, ...]
    sensitivity_confirm_sessions: tuple[int, ...]

    @property
    def impulse_days(self) -> int:
        return 7 * self.impulse_weeks

    def with_setting(self, threshold_pct: float, confirm_sessions: int) -> ThesisParams:
        """The same parameters with another (liquidity threshold, uptrend confirmation)."""
        return replace(
            self,
            liquidity_threshold_pct_walcl=threshold_pct,
            uptrend_confirm_sessions=confirm_sessions,
        )

    def is_primary(self, threshold_pct: float, confirm_sessions: int) -> bool:
        return (
            threshold_pct == self.liquidity_threshold_pct_walcl
            and confirm_sessions == self.uptrend_confirm_sessions
        )


def _required(section: dict[str, Any], key: str, where: str, path: Path) -> Any:
    if key not in section:
        raise ValueError(f"{path.name}: {where}.{key} is missing")
    return section[key]


def load_params(path: Path = PARAMS_PATH) -> ThesisParams:
    """Read the parameter file.

    Args:
        path: the YAML file (default transforms/thesis.yml).

    Returns:
        The primary setting with the sensitivity grid.

    Raises:
        ValueError: naming a missing key, or a grid that does not contain the primary setting.
    """
    doc = yaml.safe_load(path.read_text())
    sections = {name: doc.get(name) or {} for name in ("primary", "sensitivity", "setup")}
    sections |= {name: doc.get(name) or {} for name in ("episodes", "test")}

    def get(name: str, key: str) -> Any:
        return _required(sections[name], key, name, path)

    params = ThesisParams(
        liquidity_threshold_pct_walcl=float(get("primary", "liquidity_threshold_pct_walcl")),
        uptrend_confirm_sessions=int(get("primary", "uptrend_confirm_sessions")),
        uptrend_exit_sessions=int(get("setup", "uptrend_exit_sessions")),
        impulse_weeks=int(get("setup", "impulse_weeks")),
        release_lag_days={k: int(v) for k, v in get("setup", "release_lag_days").items()},
        max_age_days={k: int(v) for k, v in get("setup", "max_age_days").items()},
        cooldown_days=int(get("episodes", "cooldown_days")),
        horizons_days=tuple(int(h) for h in get("episodes", "horizons_days")),
        max_stale_days=int(get("episodes", "max_stale_days")),
        peak_window_days=int(get("episodes", "peak_window_days")),
        null_draws=int(get("test", "null_draws")),
        stratum_days=int(get("test", "stratum_days")),
        min_episodes=int(get("test", "min_episodes")),
        q_threshold=float(get("test", "q_threshold")),
        ci_level=float(get("test", "ci_level")),
        seed=int(get("test", "seed")),
        sensitivity_thresholds_pct=tuple(
            float(v) for v in get("sensitivity", "liquidity_threshold_pct_walcl")
        ),
        sensitivity_confirm_sessions=tuple(
            int(v) for v in get("sensitivity", "uptrend_confirm_sessions")
        ),
    )
    if (
        params.liquidity_threshold_pct_walcl not in params.sensitivity_thresholds_pct
        or params.uptrend_confirm_sessions not in params.sensitivity_confirm_sessions
    ):
        raise ValueError(f"{path.name}: the sensitivity grid must contain the primary setting")
    if params.null_draws < 1000:
        raise ValueError(f"{path.name}: test.null_draws must be at least 1000")
    return params
