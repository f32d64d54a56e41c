"""The plugin module named by the `patchloop` entry point in pyproject.toml."""

from __future__ import annotations

import shlex
from typing import Annotated

from pydantic import BaseModel, Field

from tools import Tool, ToolContext, hookimpl, tool


@tool
def find_files(
    pattern: Annotated[str, Field(description="A glob matched against file names, e.g. '*.py'.")],
    path: str = ".",
    *,
    ctx: ToolContext,
) -> str:
    """Find files whose name matches a glob, under a folder of the repository.

    Args:
        path: The folder to search, relative to the repository root.
    """
    command = f"find {shlex.quote(path)} -type f -name {shlex.quote(pattern)} | LC_ALL=C sort | head -n 200"
    result = ctx.sandbox.execute(command, timeout=30, cwd=ctx.workdir)
    return result.output or "(no files match)"


class Notes(Tool):
    """A scratchpad the model can write to and read back: a tool that keeps state."""

    name = "notes"
    description = "Keep notes across steps: add a note, or list the notes taken so far."

    class Params(BaseModel):
        add: str | None = Field(default=None, description="A note to remember; omit to list the notes.")

    def __init__(self) -> None:
        self.notes: list[str] = []

    def run(self, params: Params, ctx: ToolContext) -> str:
        if params.add is not None:
            self.notes.append(params.add)
            return f"noted ({len(self.notes)} notes)"
        return "\n".join(f"{i}. {note}" for i, note in enumerate(self.notes, 1)) or "(no notes yet)"


@hookimpl
def register_tools(register):
    register(find_files)
    register(Notes)  # a class: each registry gets its own instance
