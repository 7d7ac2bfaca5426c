"""The alt universe's parameters and exclusion list, read from transforms/alt_universe.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PARAMS_PATH = Path(__file__).resolve().parent.parent / "alt_universe.yml"
REBALANCE_SCHEDULES = ("monthly_first_day",)


@dataclass(frozen=True)
class AltUniverseParams:
    """Every setting of the alt universe and basket (alt_universe.yml says what each one means)."""

    top_n: int
    volume_window_days: int
    min_listing_age_days: int
    min_members: int
    delisted_after_days: int
    excluded_assets: dict[str, str]  # base asset -> reason
    leveraged_suffixes: tuple[str, ...]
    not_leveraged: frozenset[str]
    leveraged_reason: str

    def exclusion_reason(self, base_asset: str) -> str | None:
        """Why a base asset is not an alt, or None when it is one.

        Args:
            base_asset: e.g. ``"USDC"`` or ``"BTCUP"``.

        Returns:
            The reason of its exclusion group, or None.
        """
        if base_asset in self.excluded_assets:
            return self.excluded_assets[base_asset]
        is_leveraged = any(
            base_asset.endswith(suffix) and len(base_asset) > len(suffix)
            for suffix in self.leveraged_suffixes
        )
        if is_leveraged and base_asset not in self.not_leveraged:
            return self.leveraged_reason
        return None


def _required(section: dict[str, Any], key: str, path: Path) -> Any:
    if key not in section:
        raise ValueError(f"{path.name}: {key} is missing")
    return section[key]


def load_params(path: Path = PARAMS_PATH) -> AltUniverseParams:
    """Read and check the alt universe's parameters.

    Args:
        path: the YAML file (transforms/alt_universe.yml by default).

    Returns:
        The parameters.

    Raises:
        ValueError: a key is missing, a count is not positive or the schedule is unknown.
    """
    spec = yaml.safe_load(path.read_text())
    if _required(spec, "rebalance", path) not in REBALANCE_SCHEDULES:
        raise ValueError(f"{path.name}: rebalance must be one of {REBALANCE_SCHEDULES}")
    counts = {
        key: int(_required(spec, key, path))
        for key in (
            "top_n",
            "volume_window_days",
            "min_listing_age_days",
            "min_members",
            "delisted_after_days",
        )
    }
    if min(counts.values()) < 1:
        raise ValueError(f"{path.name}: counts must be positive, got {counts}")
    groups = _required(spec, "exclusions", path)
    excluded: dict[str, str] = {}
    for name, group in groups.items():
        if name == "leveraged":
            continue
        for asset in _required(group, "assets", path):
            excluded.setdefault(str(asset), str(_required(group, "reason", path)))
    leveraged = _required(groups, "leveraged", path)
    return AltUniverseParams(
        **counts,
        excluded_assets=excluded,
        leveraged_suffixes=tuple(_required(leveraged, "suffixes", path)),
        not_leveraged=frozenset(leveraged.get("not_leveraged", ())),
        leveraged_reason=str(_required(leveraged, "reason", path)),
    )
