"""`bash`: run a shell command in the sandbox."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolContext, ToolResult
from tools.text import truncate_middle

DEFAULT_TIMEOUT_S = 120.0
MAX_TIMEOUT_S = 3600.0
DEFAULT_MAX_OUTPUT_CHARS = 16_000


class BashParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str = Field(min_length=1, description="The shell command to run (bash).")
    timeout: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TIMEOUT_S,
        description=f"Seconds before the command is killed (default {DEFAULT_TIMEOUT_S:g}).",
    )


class BashTool(Tool):
    """Runs a command in the sandbox's shell; `cd` and `export` persist between calls
    (both backends keep one shell session)."""

    name = "bash"
    description = (
        "Run a bash command in the repository's environment and get its output (stdout and "
        "stderr together) and exit code. The shell session persists between calls (cd, "
        "export). Commands are killed after the timeout; long outputs are cut in the middle. "
        "There is no network and no interactive input: do not run editors or pagers."
    )
    Params = BashParams

    def __init__(
        self, *, default_timeout: float = DEFAULT_TIMEOUT_S, max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS
    ) -> None:
        if not 0 < default_timeout <= MAX_TIMEOUT_S:
            raise ValueError(f"default_timeout must be in (0, {MAX_TIMEOUT_S:g}] seconds, got {default_timeout!r}")
        if max_output_chars < 1:
            raise ValueError(f"max_output_chars must be at least 1, got {max_output_chars!r}")
        self.default_timeout = default_timeout
        self.max_output_chars = max_output_chars

    def run(self, params: BashParams, ctx: ToolContext) -> ToolResult:
        timeout = params.timeout if params.timeout is not None else self.default_timeout
        result = ctx.sandbox.execute(params.command, timeout=timeout)
        output, cut = truncate_middle(result.output, self.max_output_chars)
        notes = []
        if result.timed_out:
            notes.append(
                f"[timed out after {timeout:g} s. Run long jobs in the background "
                "(cmd > log 2>&1 &) and check on them, or pass a larger timeout.]"
            )
        if result.oom_killed:
            notes.append("[the command ran out of memory and was killed]")
        if not result.timed_out and result.exit_code != 0:
            notes.append(f"[exit code {result.exit_code}]")
        if not output.strip() and not notes:
            output = "(no output)"
        content = output
        if notes:
            content = (output.rstrip("\n") + "\n" if output.strip() else "") + "\n".join(notes)
        return ToolResult(
            ok=result.exit_code == 0 and not result.timed_out,
            content=content,
            exit_code=result.exit_code,
            timed_out=result.timed_out,
            truncated=cut or result.truncated,
        )
