"""A single-file patchloop plugin: load it with `--plugin path/to/single_file.py`.

It needs no hook: every @tool function (and Tool subclass) defined here is registered.
"""

from __future__ import annotations

from typing import Literal

from tools import ToolContext, tool

__version__ = "1.2.0"


@tool
def count_lines(path: str, *, ctx: ToolContext) -> str:
    """Count the lines of a file in the repository.

    Args:
        path: File path, relative to the repository root.
    """
    data = ctx.sandbox.read_file(path if path.startswith("/") else f"{ctx.workdir}/{path}")
    return str(data.count(b"\n"))


@tool(name="shout")
def make_loud(text: str, style: Literal["upper", "title"] = "upper") -> str:
    """Return the text in capitals."""
    return text.upper() if style == "upper" else text.title()
