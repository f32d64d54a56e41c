"""`submit`: the model says it is done; the agent ends the run and takes the diff."""

from __future__ import annotations

from tools.base import ToolResult
from tools.decorator import tool


@tool(name="submit")
def submit() -> ToolResult:
    """Submit your work and end the run. Call it once your changes are complete: the
    current changes in the repository become the submission, and no further tool calls run."""
    return ToolResult(ok=True, content="Submitted. The run ends here.", ends_run=True)
