"""Turning a session Outcome into the ExecResult every backend returns, notes included."""

from __future__ import annotations

import time

from sandbox.base import ExecResult
from sandbox.session.shell import Outcome

TIMEOUT_NOTE = "\n[patchloop: the command timed out and was killed]\n"


def oom_note(memory: str | None) -> str:
    limit = f" (limit {memory})" if memory else ""
    return (
        f"\n[patchloop: a process was killed because the sandbox ran out of memory{limit}; "
        "use less memory or raise the limit]\n"
    )


def pids_note(pids: int | None, cwd: str) -> str:
    after = f"the shell restarted in {cwd}" if cwd else "cleaned up"
    return (
        f"\n[patchloop: the sandbox hit its process limit (pids={pids}); every process "
        f"the command started was killed and {after}]\n"
    )


def to_result(
    outcome: Outcome, started: float, *, memory: str | None = None, pids: int | None = None, cwd: str = ""
) -> ExecResult:
    output = outcome.capture.text()
    if outcome.oom_killed:
        output += oom_note(memory)
    if outcome.timed_out:
        output += TIMEOUT_NOTE
    if outcome.pids_hit:
        output += pids_note(pids, cwd)
    output += "".join(outcome.notes)
    return ExecResult(
        output=output,
        exit_code=outcome.exit_code,
        timed_out=outcome.timed_out,
        truncated=outcome.capture.truncated,
        duration_s=round(time.monotonic() - started, 6),
        oom_killed=outcome.oom_killed,
        restarted=outcome.restarted,
    )
