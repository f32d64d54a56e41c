"""A recording served back: its model outcomes as a CannedModel, its tool results as a
registry, and the stand-ins offline replay needs instead of a sandbox.

A ``model`` error is a retried attempt when the next model event of the same step follows
with no ``context`` or ``run_end`` between; otherwise it is what that query raised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.models.base import (
    NO_CONTEXT,
    AttemptFailure,
    CallContext,
    ContextWindowError,
    ModelCallError,
    ModelError,
    ModelReply,
)
from agent.models.canned import CannedModel, Outcome
from agent.models.replay import recorded_reply
from agent.prompts import Prompts

if TYPE_CHECKING:
    from trajectories.events import Error, Event, ToolCall
    from trajectories.events import ToolResult as ToolResultEvent
    from trajectories.trajectory import Trajectory


class ReplayError(Exception):
    """The replay cannot run (the message says why and what to do)."""


def model_script(traj: Trajectory) -> list[Outcome]:
    """What each ``query()`` of the recorded run did, in order."""
    from trajectories.events import Error, ModelCall

    outcomes: list[Outcome] = []
    pending: list[AttemptFailure] = []
    events = traj.events
    for i, event in enumerate(events):
        if isinstance(event, ModelCall):
            reply = recorded_reply(event, latency_ms=event.latency_ms, attempts=event.attempts)
            outcomes.append(Outcome(reply=reply, retries=pending, step=event.step))
            pending = []
        elif isinstance(event, Error) and event.where == "model":
            if _is_retry(events, i):
                pending.append(AttemptFailure(event.error_type, event.message, event.attempt or 1, 0.0))
            else:
                outcomes.append(Outcome(error=_recorded_error(event), retries=pending, step=event.step))
                pending = []
    return outcomes


def _is_retry(events: list[Event], i: int) -> bool:
    error = events[i]
    for later in events[i + 1 :]:
        if later.type in ("context", "run_end"):
            return False
        if later.type == "model_call" or (later.type == "error" and getattr(later, "where", None) == "model"):
            return later.step == error.step
    return False


def _recorded_error(error: Error) -> ModelError:
    if error.error_type == "ContextWindowError":
        return ContextWindowError(error.message, attempts=error.attempt or 1)
    return ModelCallError(
        error.message, retryable=error.retryable, attempts=error.attempt or 1, error_type=error.error_type
    )


class RecordedModel(CannedModel):
    """The recorded model outcomes (replies with their usage, cost, attempts and latency;
    retried attempts; errors), under the recorded name and mode; ``through_step`` stops
    the script after that step (a fork). Requests are not checked here: the loop records
    ``request.sha256`` and the comparison of events checks it."""

    kind = "replay"

    def __init__(self, traj: Trajectory, path: Path, *, through_step: int | None = None) -> None:
        self.source = path
        script = [o for o in model_script(traj) if through_step is None or (o.step or 0) <= through_step]
        super().__init__(
            script,
            name=traj.run_start.model.name,  # the loop quotes it in messages: keep the recorded one
            mode=traj.run_start.model.params.get("mode", "tools"),  # tools or text: it shapes the prompts
            exhausted=f"{path}: the recording has no model call left after {len(script)}; "
            "the replay went further than the original run",
        )

    @property
    def params(self) -> dict[str, Any]:
        return {"source": str(self.source), "n_outcomes": len(self._outcomes)}


class ForkModel:
    """The recorded outcomes of steps 1..N, then a live model."""

    kind = "fork"

    def __init__(self, recorded: RecordedModel, live: Any, from_step: int) -> None:
        self.recorded, self.live, self.from_step = recorded, live, from_step
        self.name = live.name
        self.mode = live.mode

    @property
    def params(self) -> dict[str, Any]:
        return {
            "replayed_steps": self.from_step,
            "source": str(self.recorded.source),
            "live_kind": self.live.kind,
            "live_params": dict(self.live.params),
        }

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        if self.recorded.remaining:
            return self.recorded.query(messages, tools, context)
        return self.live.query(messages, tools, context)


@dataclass
class RecordedCall:
    call: ToolCall
    result: ToolResultEvent
    error_type: str | None
    ends_run: bool


def tool_script(traj: Trajectory) -> list[RecordedCall]:
    """Every recorded tool call with its result and what the loop needs to act the same:
    the failure kind (format/sandbox) and whether the call ended the run."""
    from trajectories.events import Error, ToolCall
    from trajectories.events import ToolResult as ToolResultEvent

    names = {t.get("function", {}).get("name") for t in traj.run_start.tools}
    calls = {e.seq: e for e in traj.events if isinstance(e, ToolCall)}
    sandbox_errors = {e.parent: e.error_type for e in traj.events if isinstance(e, Error) and e.where == "sandbox"}
    format_steps = {e.step for e in traj.events if isinstance(e, Error) and e.where == "format"}
    results = [e for e in traj.events if isinstance(e, ToolResultEvent)]
    end = traj.run_end
    script = []
    for n, result in enumerate(results):
        call = calls.get(result.parent) if result.parent is not None else None
        if call is None:
            raise ReplayError(
                f"tool_result seq {result.seq} has no tool_call parent; this recording cannot be replayed offline"
            )
        error_type = sandbox_errors.get(call.seq)
        if error_type is None and not result.ok and result.step in format_steps:
            if call.arguments is None:
                error_type = "invalid_json"
            elif call.name not in names:
                error_type = "unknown_tool"
            else:
                error_type = "invalid_arguments"
        ends_run = n == len(results) - 1 and end is not None and end.exit_status == "submitted"
        script.append(RecordedCall(call, result, error_type, ends_run))
    return script


class RecordedTools:
    """A tool registry that answers each call with the recorded result, in order."""

    def __init__(self, traj: Trajectory) -> None:
        self._tools = [dict(t) for t in traj.run_start.tools]
        self.plugins = list(traj.run_start.plugins)
        self._script = tool_script(traj)
        self._next = 0

    def schemas(self) -> list[dict]:
        return [dict(t) for t in self._tools]

    def call(self, name: str, arguments: str | dict | None, ctx: Any) -> Any:
        from tools.base import ToolResult

        if self._next >= len(self._script):
            return ToolResult(
                ok=False,
                content=f"replay: the recording has no tool call left for {name}",
                error_type="replay_exhausted",
            )
        recorded = self._script[self._next]
        self._next += 1
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        if name != recorded.call.name or raw != recorded.call.arguments_raw:
            return ToolResult(
                ok=False,
                content=f"replay: the recording has {recorded.call.name}({recorded.call.arguments_raw}) here, "
                f"not {name}({raw})",
                error_type="replay_mismatch",
            )
        r = recorded.result
        return ToolResult(
            ok=r.ok,
            content=r.content,
            exit_code=r.exit_code,
            timed_out=r.timed_out,
            truncated=r.truncated,
            duration_ms=r.duration_ms,
            ends_run=recorded.ends_run,
            error_type=recorded.error_type,
        )


class VerbatimObservation(Prompts):
    """The recorded tool_result content is already the rendered observation: send it as is."""

    def render(self, role: str, **variables: Any) -> str:
        if role == "observation":
            return str(variables["result"].content)
        return super().render(role, **variables)


class NoSandbox:
    """Offline replay's sandbox: the recorded workdir and image, and nothing to run (the
    tools and the submission come from the recording)."""

    def __init__(self, traj: Trajectory) -> None:
        self.workdir = traj.run_start.sandbox.workdir
        self.image = traj.run_start.sandbox.image

    def execute(self, command: str, **kwargs: Any) -> Any:
        from sandbox.errors import SandboxError

        raise SandboxError(f"offline replay has no sandbox to run {command[:80]!r}")

    def read_file(self, path: str) -> bytes:
        from sandbox.errors import SandboxError

        raise SandboxError(f"offline replay has no files ({path})")

    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None:
        from sandbox.errors import SandboxError

        raise SandboxError("offline replay has no sandbox to write to")

    def file_mode(self, path: str) -> int | None:
        return None

    def close(self) -> None:
        return None
