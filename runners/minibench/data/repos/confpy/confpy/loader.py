"""Layered loading: INI file < environment < command line, then a schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from confpy.argv import Option, parse_argv
from confpy.env import env_overlay
from confpy.ini import load, loads
from confpy.merge import merge_all
from confpy.schema import Schema


def load_config(
    path: str | Path | None = None,
    *,
    text: str | None = None,
    environ: Mapping[str, str] | None = None,
    env_prefix: str | None = None,
    argv: Sequence[str] | None = None,
    options: Iterable[Option] = (),
    schema: Schema | None = None,
    list_strategy: str = "replace",
) -> dict[str, Any]:
    """Merge the given layers (later ones win) and validate the result.

    Command line options use dotted names (``--server.port=80``) to reach
    a section.
    """
    if path is not None and text is not None:
        raise ValueError("pass either path or text, not both")
    layers: list[Mapping[str, Any]] = []
    if path is not None:
        layers.append(load(path).as_dict())
    elif text is not None:
        layers.append(loads(text).as_dict())
    if environ is not None and env_prefix:
        layers.append(env_overlay(environ, env_prefix))
    if argv is not None:
        layers.append(parse_argv(argv, options).options)
    merged = merge_all(*layers, list_strategy=list_strategy)
    return schema.validate(merged) if schema is not None else merged
