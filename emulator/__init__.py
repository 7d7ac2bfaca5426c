"""The offline default: a loopback emulator of every upstream API, serving one synthetic market."""

from __future__ import annotations

from emulator.bad_data import BAD_DATA_KINDS
from emulator.server import Emulator, serve_emulator

__all__ = ["BAD_DATA_KINDS", "Emulator", "serve_emulator"]
