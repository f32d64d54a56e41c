"""Argument checks both backends share: each bad value gets a typed error saying what to pass."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from patchloop.secrets import is_secret_name

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


def check_env(env: Mapping[str, object] | None) -> dict[str, str]:
    """Environment variables as str -> str; names must be shell names, values text or numbers."""
    if env is None:
        return {}
    if not isinstance(env, Mapping):
        raise TypeError(f"env must be a dict of names to values, got {type(env).__name__}")
    checked: dict[str, str] = {}
    for key, value in env.items():
        if (
            not isinstance(key, str)
            or not key
            or not (key[0].isalpha() or key[0] == "_")
            or not all(c.isalnum() or c == "_" for c in key)
        ):
            raise ValueError(
                f"invalid environment variable name {key!r}: use letters, digits and '_', not starting with a digit"
            )
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError(
                f"environment variable {key} must be a str (or a number), got "
                f"{type(value).__name__}; leave it out to not set it"
            )
        checked[key] = str(value)
    return checked


def secret_looking(env: Mapping[str, str]) -> list[str]:
    """The names in ``env`` that look like they hold a secret (the one rule:
    ``patchloop.secrets.is_secret_name``)."""
    return sorted(name for name in env if is_secret_name(name))


def check_execute(
    command: str, timeout: float, env: Mapping[str, object] | None
) -> tuple[float, dict[str, str] | None]:
    """The checks of ``execute``'s arguments: (timeout as used, env as str -> str or None)."""
    check_command(command)
    return check_timeout(timeout), check_env(env) or None


def sandbox_env(env: Mapping[str, object] | None, logger: logging.Logger) -> dict[str, str]:
    """A sandbox's own environment, checked; secret-looking names are warned about once."""
    checked = check_env(env)
    secrets = secret_looking(checked)
    if secrets:
        logger.warning(
            "the sandbox environment sets %s: every command in the sandbox, and so the model "
            "driving it, can read %s; pass secrets only when the task needs them",
            ", ".join(secrets),
            "it" if len(secrets) == 1 else "them",
        )
    return checked
