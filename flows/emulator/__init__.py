"""The offline default: a loopback emulator of FRED, DTS, Yahoo and Binance on synthetic data."""

from __future__ import annotations

from flows.emulator.server import Emulator, serve_emulator

__all__ = ["Emulator", "serve_emulator"]
