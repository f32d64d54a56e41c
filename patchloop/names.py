"""Names that become paths, and proof that every write or delete stays under its root.

An instance id, run id, task name or any other name taken from outside that becomes a
file or folder name must be a *safe single path component*: 1 to 200 characters from
letters, digits, ``.``, ``_`` and ``-``, starting with a letter, digit or ``_``. That
rules out ``/``, ``..``, ``.``, absolute paths, spaces, NUL and empty names, on every
file system patchloop writes to.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from patchloop.errors import PatchloopError, UserError

SAFE_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,199}")
RULE = "1-200 characters from letters, digits, '.', '_' and '-', starting with a letter, digit or '_'"


class UnsafeNameError(UserError):
    """A name from outside cannot be used as a file or folder name."""


class PathOutsideError(PatchloopError):
    """A write or delete would leave the folder it belongs to (a bug: names are checked first)."""


def is_component(value: object) -> bool:
    return isinstance(value, str) and SAFE_COMPONENT.fullmatch(value) is not None


def check_component(value: object, what: str) -> str:
    """``value`` if it is a safe single path component, else UnsafeNameError naming ``what``."""
    if is_component(value):
        return value  # type: ignore[return-value]
    shown = repr(value) if not isinstance(value, str) or len(value) <= 80 else repr(value[:77] + "...")
    raise UnsafeNameError(f"{what} {shown} cannot name a file or folder: use {RULE}")


def inside(root: Path, path: Path) -> Path:
    """``path`` resolved, if it is ``root`` or under it (symlinks followed); else PathOutsideError."""
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if real != real_root and real_root not in real.parents:
        raise PathOutsideError(f"{path} resolves to {real}, outside {real_root}; refusing to touch it")
    return real


def child(root: Path, name: str, what: str) -> Path:
    """``root / name`` for a checked ``name``, proven to stay under ``root``."""
    path = root / check_component(name, what)
    inside(root, path)
    return path


def remove_tree(root: Path, path: Path) -> None:
    """Delete the folder ``path``, which must be strictly under ``root`` and not a symlink.

    A symlink at ``path`` is removed itself (never what it points to).
    """
    real = inside(root, path.parent) / path.name
    if real == Path(os.path.realpath(root)):
        raise PathOutsideError(f"{path} is {root} itself; refusing to delete it")
    if real.is_symlink() or real.is_file():
        real.unlink()
    elif real.exists():
        shutil.rmtree(real)
