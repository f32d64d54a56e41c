"""The built-in tools. Each goes through the `Sandbox` protocol only, so it behaves the
same in a Docker container and in a local folder."""

from __future__ import annotations

from tools.base import Tool
from tools.builtin.bash import BashTool
from tools.builtin.editor import EditorTool
from tools.builtin.search import SearchTool
from tools.builtin.submit import submit

BUILTIN_NAMES = ("bash", "str_replace_editor", "search", "submit")


def builtin_tools() -> list[Tool]:
    """Fresh instances of the built-in tools (the editor keeps per-registry undo history)."""
    return [BashTool(), EditorTool(), SearchTool(), submit]


__all__ = ["BUILTIN_NAMES", "BashTool", "EditorTool", "SearchTool", "builtin_tools", "submit"]
