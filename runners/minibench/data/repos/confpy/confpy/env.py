"""Overlay of environment variables named ``PREFIX_SECTION__KEY``."""

from __future__ import annotations

from typing import Mapping

from confpy.errors import ConfigError
from confpy.ini import Config


def env_overlay(environ: Mapping[str, str], prefix: str, sep: str = "__") -> dict[str, dict[str, str]]:
    """Collect ``PREFIX_SECTION__KEY=value`` variables as ``{section: {key: value}}``.

    The prefix is matched case-sensitively in upper case and may be given with
    or without its trailing underscore. Section and key names are lower-cased.
    Variables that carry the prefix but no ``sep`` are ignored.
    """
    stem = prefix.strip().rstrip("_").upper()
    if not stem:
        raise ConfigError("env_overlay needs a non-empty prefix such as 'MYAPP'")
    if not sep:
        raise ConfigError("env_overlay needs a non-empty separator such as '__'")
    head = f"{stem}_"
    overlay: dict[str, dict[str, str]] = {}
    for name in sorted(environ):
        if not name.startswith(head):
            continue
        section, found, key = name[len(head) :].partition(sep)
        if not found or not section or not key:
            continue
        overlay.setdefault(section.lower(), {})[key.lower()] = environ[name]
    return overlay


def apply_env(config: Config, environ: Mapping[str, str], prefix: str, sep: str = "__") -> Config:
    """Write the overlay into ``config`` (in place) and return it."""
    for section, values in env_overlay(environ, prefix, sep).items():
        for key, value in values.items():
            config.set(section, key, value)
    return config
