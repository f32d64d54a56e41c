"""The sandbox contract: the result of a command and the protocol every backend implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_OUTPUT_LIMIT = 100_000  # bytes kept per command: the first half and the last half


class ExecResult(BaseModel):
    """What one command did."""

    model_config = ConfigDict(extra="forbid")

    output: str  # stdout and stderr interleaved, decoded utf-8 with errors="replace"
    exit_code: int  # -1 when timed out and no code could be had
    timed_out: bool
    truncated: bool  # output was capped: head and tail kept, a note in between
    duration_s: float
    oom_killed: bool = False  # a process of the command was killed for memory (any, not only the last)
    restarted: bool = False  # the shell ended during the command (exit, exec, a signal) and a new one
    # was started in the same folder with the saved exports, functions and aliases


@runtime_checkable
class Sandbox(Protocol):
    """Where commands run. Backends: DockerSandbox, LocalSandbox."""

    workdir: str

    def execute(
        self,
        command: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
    ) -> ExecResult: ...

    def read_file(self, path: str) -> bytes: ...

    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None: ...

    def file_mode(self, path: str) -> int | None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Sandbox: ...

    def __exit__(self, *exc_info: object) -> None: ...
