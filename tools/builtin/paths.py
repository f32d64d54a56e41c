"""Path handling shared by the built-in tools."""

from __future__ import annotations

import posixpath

from tools.base import ToolContext


def resolve(ctx: ToolContext, path: str) -> str:
    """An absolute, normalised sandbox path: relative paths are relative to ctx.workdir.

    Only the sandbox decides what is allowed (a LocalSandbox refuses paths outside its
    root); this only makes the path absolute so messages and undo history are stable.
    """
    path = path.strip()
    if not posixpath.isabs(path):
        path = posixpath.join(ctx.workdir, path)
    return posixpath.normpath(path)


def display(ctx: ToolContext, path: str) -> str:
    """`path` relative to ctx.workdir when it lies inside it, else absolute."""
    workdir = posixpath.normpath(ctx.workdir)
    if path == workdir:
        return "."
    if path.startswith(workdir.rstrip("/") + "/"):
        return path[len(workdir.rstrip("/")) + 1 :]
    return path
