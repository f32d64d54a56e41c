"""The cache root: what outlives a run (image bookkeeping, preflight results).

One documented place, never inside a run's ``--output``: ``$PATCHLOOP_CACHE_DIR`` if set,
else ``$XDG_CACHE_HOME/patchloop``, else ``~/.cache/patchloop``. Nothing else in patchloop
writes outside a run's output or this folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from patchloop.names import child

CACHE_ENV = "PATCHLOOP_CACHE_DIR"


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "patchloop"
    return Path(env.get("HOME") or Path.home()).expanduser() / ".cache" / "patchloop"


def cache_dir(*parts: str, environ: Mapping[str, str] | None = None) -> Path:
    """A folder under the cache root (made when missing); each part a safe name."""
    path = cache_root(environ)
    for part in parts:
        path = child(path, part, "cache folder")
    path.mkdir(parents=True, exist_ok=True)
    return path
