"""Argument checks both backends share: each bad value gets a typed error saying what to pass."""

from __future__ import annotations

import math

# A longer timeout is taken as this one (about 11.6 days): "no real limit" without
# overflowing select(), socket timeouts or timeout(1).
MAX_TIMEOUT_S = 1_000_000.0


def check_command(command: str) -> None:
    if not isinstance(command, str):
        raise TypeError(f"command must be a str, got {type(command).__name__}")
    if "\x00" in command:
        raise ValueError("command contains a NUL byte, which a shell cannot receive; remove it")


def check_timeout(timeout: float) -> float:
    """The timeout as a float of at most MAX_TIMEOUT_S; a positive number is required."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
    if math.isnan(timeout) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return min(float(timeout), MAX_TIMEOUT_S)


def check_output_limit(output_limit: int) -> None:
    if output_limit < 2:
        raise ValueError(f"output_limit must be at least 2 bytes, got {output_limit}")


def check_path(path: str) -> None:
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, got {type(path).__name__}")
    if not path:
        raise ValueError("path must not be empty")
    if "\x00" in path:
        raise ValueError(f"path {path!r} contains a NUL byte, which no file name can hold")


def check_write(data: bytes, mode: int | None) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}; encode text first")
    if mode is not None and (isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o7777):
        raise ValueError(f"mode must be permission bits from 0 to 0o7777 (e.g. 0o644), got {mode!r}")
