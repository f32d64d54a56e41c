"""Replay a recorded run, in three modes, with the real agent loop.

- offline (``replay_offline``): the recorded model outcomes (replies, retried attempts,
  model errors) and the recorded tool results are served back; no model, no sandbox.
  The new events are compared with the recorded ones event for event, ignoring ``ts``,
  ``run_id``, latencies and durations (and, in ``run_start``, the model/sandbox
  descriptions and versions, which name the replay itself).
- execute (``replay_execute``): the recorded replies run against a fresh sandbox made
  from ``run_start`` (Docker image, or a local copy of ``--repo``); every step whose
  observation differs from the recorded one is reported, with the final patch.
- fork (``replay_fork``): steps 1..N are replayed against a fresh sandbox, then a live
  model continues; the new ``run_start.forked_from`` names the original.

Plugins recorded in ``run_start`` are loaded again; the ones that cannot be are named
(fatal where tools really run, a note offline).
"""

from __future__ import annotations

import argparse
import json
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agent.models.base import AttemptFailure, ContextWindowError, ModelCallError, ModelError, ModelReply
from agent.models.replay import recorded_reply
from agent.prompts import Prompts
from agent.submission import DIFF_FILE

if TYPE_CHECKING:
    from agent.config import RunConfig
    from tools.registry import ToolRegistry
    from trajectories.events import Error, Event, ModelCall, ToolCall
    from trajectories.events import ToolResult as ToolResultEvent
    from trajectories.trajectory import Trajectory

MODES = ("offline", "execute", "fork")
# Fields left out of the comparison: they differ on every run or name the replay itself.
IGNORED_ALWAYS = ("ts", "run_id")
IGNORED_BY_TYPE: dict[str, tuple[str, ...]] = {
    "run_start": ("model", "sandbox", "versions", "forked_from"),
    "model_call": ("latency_ms",),
    "tool_result": ("duration_ms",),
    "run_end": ("final_metrics.wall_s",),
}
RECORDED_GITDIR = "/recorded/.git"
SHOWN_LIMIT = 400


class ReplayError(Exception):
    """The replay cannot run (the message says why and what to do)."""


# ---------------------------------------------------------------------- report


@dataclass
class Difference:
    index: int  # position in the compared event lists
    step: int | None
    type: str
    path: str  # the field that differs ("" for a whole missing/extra event)
    recorded: Any
    replayed: Any

    def describe(self) -> str:
        where = f"event {self.index} ({self.type}, step {self.step})"
        if not self.path:
            return f"{where}: recorded {_short(self.recorded)}, replay {_short(self.replayed)}"
        return f"{where} field {self.path}: recorded {_short(self.recorded)}, replay {_short(self.replayed)}"


@dataclass
class ObservationDivergence:
    step: int | None
    index: int  # n-th tool result of the run
    name: str
    recorded: str | None
    replayed: str | None

    def describe(self) -> str:
        return (
            f"step {self.step} ({self.name}): observation differs\n"
            f"  recorded: {_short(self.recorded)}\n  replay:   {_short(self.replayed)}"
        )


@dataclass
class ReplayReport:
    mode: str
    source: Path
    run_id: str
    output: Path | None
    events: list[Event]
    exit_status: str
    submission: str
    recorded_submission: str | None
    differences: list[Difference] = field(default_factory=list)
    observations: list[ObservationDivergence] = field(default_factory=list)
    missing_plugins: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences

    @property
    def patch_matches(self) -> bool:
        return self.recorded_submission is not None and self.submission == self.recorded_submission

    def summary(self) -> str:
        lines = [f"replay ({self.mode}) of {self.source}: {len(self.events)} events, exit status {self.exit_status}"]
        if self.output:
            lines.append(f"new trajectory: {self.output}")
        lines += [f"note: {note}" for note in self.notes]
        if self.mode == "offline":
            if self.identical:
                lines.append("identical: the run was reproduced event for event")
            else:
                lines.append(f"differs from the recording in {len(self.differences)} place(s); first:")
                lines += [f"  {d.describe()}" for d in self.differences[:10]]
        else:
            if self.observations:
                lines.append(f"{len(self.observations)} step(s) with a diverging observation:")
                lines += [f"  {o.describe()}" for o in self.observations[:20]]
            elif self.mode == "execute":
                lines.append("every observation matches the recording")
            if self.recorded_submission is not None:
                lines.append(
                    "final patch: " + ("same as recorded" if self.patch_matches else "DIFFERS from the recorded one")
                )
            lines.append(self.submission if self.submission else "(empty patch)")
        return "\n".join(lines)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return repr(text[:SHOWN_LIMIT] + ("…" if len(text) > SHOWN_LIMIT else ""))


# ---------------------------------------------------------------------- model side


@dataclass
class _Outcome:
    """One ``query()`` of the recorded run: retried attempts, then a reply or an error."""

    step: int | None
    retries: list[Error] = field(default_factory=list)
    reply: ModelCall | None = None
    error: Error | None = None


def model_script(traj: Trajectory) -> list[_Outcome]:
    """The model outcomes of a recording, in order. A `model` error is a retried attempt
    when the next model event of the same step follows with no `context` or `run_end`
    between; otherwise it is what that query raised."""
    from trajectories.events import Error, ModelCall

    outcomes: list[_Outcome] = []
    pending: list[Error] = []
    events = traj.events
    for i, event in enumerate(events):
        if isinstance(event, ModelCall):
            outcomes.append(_Outcome(event.step, retries=pending, reply=event))
            pending = []
        elif isinstance(event, Error) and event.where == "model":
            if _is_retry(events, i):
                pending.append(event)
            else:
                outcomes.append(_Outcome(event.step, retries=pending, error=event))
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


def _raise_recorded(error: Error) -> None:
    if error.error_type == "ContextWindowError":
        raise ContextWindowError(error.message, attempts=error.attempt or 1)
    raise ModelCallError(
        error.message, retryable=error.retryable, attempts=error.attempt or 1, error_type=error.error_type
    )


class RecordedModel:
    """Serves a recording's model outcomes: the recorded replies (with their usage, cost,
    attempts and latency), retried attempts through ``on_retry``, and model errors raised
    again, so the loop emits the same events. ``through_step`` stops the script after
    that step (for a fork).

    Unlike ``ReplayModel`` it does not hash requests at all: the loop records
    ``request.sha256`` itself, and the comparison of events checks it."""

    kind = "replay"

    def __init__(self, traj: Trajectory, path: Path, *, through_step: int | None = None) -> None:
        self.name = traj.run_start.model.name  # the loop quotes it in messages: keep the recorded one
        self.mode = traj.run_start.model.params.get("mode", "tools")  # tools or text: it shapes the prompts
        self.source = path
        self._script = [o for o in model_script(traj) if through_step is None or (o.step or 0) <= through_step]
        self._next = 0
        self.on_retry: Any = None

    @property
    def params(self) -> dict[str, Any]:
        return {"source": str(self.source), "n_outcomes": len(self._script)}

    @property
    def remaining(self) -> int:
        return len(self._script) - self._next

    def query(self, messages: list[dict], tools: list[dict]) -> ModelReply:
        if self._next >= len(self._script):
            raise ModelError(
                f"{self.source}: the recording has no model call left after {len(self._script)}; "
                "the replay went further than the original run"
            )
        outcome = self._script[self._next]
        self._next += 1
        for retry in outcome.retries:
            if self.on_retry is not None:
                self.on_retry(AttemptFailure(retry.error_type, retry.message, retry.attempt or 1, 0.0))
        if outcome.error is not None:
            _raise_recorded(outcome.error)
        call = outcome.reply
        assert call is not None
        return recorded_reply(call, latency_ms=call.latency_ms, attempts=call.attempts)


def request_divergences(recorded: list[Event], replayed: list[Event]) -> list[int]:
    """Steps whose model request (by ``request.sha256``) differs from the recorded one."""
    from trajectories.events import ModelCall

    old = [e for e in recorded if isinstance(e, ModelCall)]
    new = [e for e in replayed if isinstance(e, ModelCall)]
    return [b.step or 0 for a, b in zip(old, new, strict=False) if a.request.sha256 != b.request.sha256]


class ForkModel:
    """The recorded outcomes of steps 1..N, then a live model."""

    kind = "fork"

    def __init__(self, recorded: RecordedModel, live: Any, from_step: int) -> None:
        self.recorded = recorded
        self.live = live
        self.from_step = from_step
        self.name = getattr(live, "name", str(live))
        self.mode = getattr(live, "mode", "tools")
        self._on_retry: Any = None

    @property
    def params(self) -> dict[str, Any]:
        return {
            "replayed_steps": self.from_step,
            "source": str(self.recorded.source),
            "live_kind": getattr(self.live, "kind", type(self.live).__name__),
            "live_params": dict(getattr(self.live, "params", {}) or {}),
        }

    @property
    def on_retry(self) -> Any:
        return self._on_retry

    @on_retry.setter
    def on_retry(self, callback: Any) -> None:
        self._on_retry = callback
        self.recorded.on_retry = callback
        if hasattr(self.live, "on_retry"):
            self.live.on_retry = callback

    def query(self, messages: list[dict], tools: list[dict]) -> ModelReply:
        if self.recorded.remaining:
            return self.recorded.query(messages, tools)
        return self.live.query(messages, tools)


# ---------------------------------------------------------------------- tool side (offline)


@dataclass
class _RecordedCall:
    call: ToolCall
    result: ToolResultEvent
    error_type: str | None
    ends_run: bool


def tool_script(traj: Trajectory) -> list[_RecordedCall]:
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
        script.append(_RecordedCall(call, result, error_type, ends_run))
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


class _VerbatimObservation(Prompts):
    """The recorded tool_result content is already the rendered observation: send it as is."""

    def render(self, role: str, **variables: Any) -> str:
        if role == "observation":
            return variables["result"].content
        return super().render(role, **variables)


class RecordedSandbox:
    """Stands in for the sandbox offline: it only answers the loop's own git commands
    (base commit, final diff) from the recording; anything else is a SandboxError."""

    def __init__(self, traj: Trajectory) -> None:
        start = traj.run_start
        self.workdir = start.sandbox.workdir
        self.image = start.sandbox.image
        end = traj.run_end
        self._submission = end.submission if end is not None else ""

    def execute(
        self, command: str, *, timeout: float = 120, cwd: str | None = None, env: dict[str, str] | None = None
    ) -> Any:
        from sandbox.base import ExecResult
        from sandbox.errors import SandboxError

        if DIFF_FILE in command:
            return ExecResult(
                output=RECORDED_GITDIR + "\n", exit_code=0, timed_out=False, truncated=False, duration_s=0.0
            )
        if "rev-parse --is-inside-work-tree" in command:  # the recording had no base commit
            return ExecResult(output="", exit_code=3, timed_out=False, truncated=False, duration_s=0.0)
        raise SandboxError(f"offline replay has no sandbox to run {command[:80]!r}")

    def read_file(self, path: str) -> bytes:
        from sandbox.errors import SandboxFileNotFoundError

        if path.endswith(DIFF_FILE):
            return self._submission.encode("utf-8")
        raise SandboxFileNotFoundError(f"offline replay has no files ({path})")

    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None:
        from sandbox.errors import SandboxError

        raise SandboxError("offline replay has no sandbox to write to")

    def file_mode(self, path: str) -> int | None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> RecordedSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ---------------------------------------------------------------------- recorders


class _Tee:
    """Writes events to a file (if any) and keeps them validated in memory."""

    def __init__(self, run_id: str, output: Path | None, forked_from: dict[str, Any] | None = None) -> None:
        from trajectories.recorder import MemoryRecorder
        from trajectories.writer import TrajectoryWriter

        self.memory = MemoryRecorder(run_id)
        self.writer = TrajectoryWriter(output, run_id) if output is not None else None
        self.forked_from = forked_from

    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        if type == "run_start" and self.forked_from is not None:
            payload["forked_from"] = self.forked_from
        if self.writer is not None:
            self.writer.emit(type, step=step, parent=parent, **payload)
        return self.memory.emit(type, step=step, parent=parent, **payload)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# ---------------------------------------------------------------------- comparison


def _normal(event: Event) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    for name in IGNORED_ALWAYS:
        data.pop(name, None)
    for dotted in IGNORED_BY_TYPE.get(event.type, ()):
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.get(part, {})
        node.pop(leaf, None)
    return data


def _first_difference(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            found = _first_difference(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else (path, a, b)


def compare_events(recorded: list[Event], replayed: list[Event]) -> list[Difference]:
    """Field-level differences, one per differing event, plus missing/extra events."""
    differences = []
    for index in range(max(len(recorded), len(replayed))):
        a = recorded[index] if index < len(recorded) else None
        b = replayed[index] if index < len(replayed) else None
        if a is None or b is None:
            present = a or b
            assert present is not None
            differences.append(
                Difference(
                    index,
                    present.step,
                    present.type,
                    "",
                    a.type if a else "(no event)",
                    b.type if b else "(no event)",
                )
            )
            continue
        found = _first_difference(_normal(a), _normal(b))
        if found:
            differences.append(Difference(index, a.step, a.type, *found))
    return differences


def diverging_observations(recorded: list[Event], replayed: list[Event]) -> list[ObservationDivergence]:
    from trajectories.events import ToolResult as ToolResultEvent

    old = [e for e in recorded if isinstance(e, ToolResultEvent)]
    new = [e for e in replayed if isinstance(e, ToolResultEvent)]
    out = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a is not None and b is not None and a.content == b.content and a.name == b.name:
            continue
        ref = a or b
        assert ref is not None
        out.append(ObservationDivergence(ref.step, i, ref.name, a.content if a else None, b.content if b else None))
    return out


# ---------------------------------------------------------------------- shared set-up


def _load(path: Path) -> Trajectory:
    import warnings

    from trajectories.reader import TornLineWarning, load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TornLineWarning)
        return load(path)


def run_config_of(traj: Trajectory) -> RunConfig:
    """The configuration recorded in ``run_start.config`` (defaults for absent sections)."""
    from pydantic import ValidationError

    from agent.config import RunConfig

    try:
        return RunConfig.model_validate(traj.run_start.config)
    except ValidationError as exc:
        raise ReplayError(
            f"run_start.config of {traj.path} is not a configuration this patchloop understands: "
            f"{exc.error_count()} problem(s), first: {exc.errors(include_url=False)[0]['msg']} "
            f"at {'.'.join(map(str, exc.errors(include_url=False)[0]['loc']))}"
        ) from None


def _task_of(traj: Trajectory) -> Any:
    from agent.task import Task

    fields = Task.model_fields
    return Task(**{k: v for k, v in traj.run_start.task.model_dump().items() if k in fields})


def load_registry(traj: Trajectory, config: RunConfig) -> tuple[ToolRegistry, list[str]]:
    """Built-in tools plus the recorded plugins loaded again, narrowed to the recorded
    ``tools.names``; also the names of the plugins that could not be loaded."""
    from tools.registry import ToolRegistry

    registry = ToolRegistry.with_builtins()
    recorded = traj.run_start.plugins
    if config.tools.entry_points or any(p.source.startswith("entry point") for p in recorded):
        registry.load_plugins(strict=False)
    loaded_specs: set[str] = set()
    for plugin in recorded:
        for prefix in ("file ", "module "):
            if plugin.source.startswith(prefix):
                spec = plugin.source.removeprefix(prefix)
                if spec not in loaded_specs:
                    loaded_specs.add(spec)
                    registry.load(spec, strict=False)
    have = {(p.name, p.version) for p in registry.plugins}
    have_names = {p.name for p in registry.plugins}
    missing = []
    for plugin in recorded:
        if plugin.name not in have_names:
            missing.append(f"{plugin.name} {plugin.version or ''} (from {plugin.source})".replace("  ", " "))
        elif (plugin.name, plugin.version) not in have:
            now = next(p.version for p in registry.plugins if p.name == plugin.name)
            missing.append(f"{plugin.name} {plugin.version} (installed: {now})")
    if config.tools.names is not None and not missing:
        from tools.errors import UnknownToolError

        try:
            registry = registry.select(config.tools.names)
        except UnknownToolError as exc:
            missing.append(f"the recorded tool selection ({exc})")
    return registry, missing


def _new_run_id(traj: Trajectory, mode: str) -> str:
    return f"{traj.run_id}-{mode}-{uuid.uuid4().hex[:6]}"


def _default_output(source: Path, run_id: str, mode: str) -> Path:
    return source.with_name(f"{source.stem}.{mode}-{run_id.rsplit('-', 1)[-1]}.jsonl")


def fresh_sandbox(traj: Trajectory, config: RunConfig, repo: Path | None, run_id: str, stack: ExitStack) -> Any:
    """A new sandbox like the recorded one: from ``run_start.sandbox`` (Docker image, or
    local), with ``repo`` copied in when given (needed for local runs)."""
    recorded = traj.run_start.sandbox
    if recorded.kind not in ("docker", "local"):
        raise ReplayError(f"the recorded sandbox kind {recorded.kind!r} cannot be made again (docker or local)")
    sandbox_cfg = config.sandbox.model_copy(
        update={"kind": recorded.kind, "image": recorded.image or config.sandbox.image, "workdir": recorded.workdir}
    )
    config = config.model_copy(update={"sandbox": sandbox_cfg})
    if repo is not None:
        from agent.runner import UsageError, open_sandbox
        from agent.workspace import WorkspaceError, repo_root

        try:
            return open_sandbox(config, repo_root(repo), run_id, stack, init_script=recorded.init_script)
        except (UsageError, WorkspaceError) as exc:
            raise ReplayError(str(exc)) from None
    host_repo = traj.run_start.task.repo
    if recorded.kind == "docker" and host_repo and Path(host_repo).is_absolute():
        raise ReplayError(
            f"the run copied the local repository {host_repo} into a fresh {recorded.image} container "
            f"(python -m agent run); the image alone does not hold it: give --repo PATH (e.g. --repo {host_repo}) "
            "to copy it in again"
        )
    if recorded.kind == "local":
        hint = f" (e.g. --repo {host_repo}, where it ran)" if host_repo and Path(host_repo).is_absolute() else ""
        raise ReplayError(
            f"the run used a local sandbox ({recorded.workdir}); give --repo PATH{hint}, the repository to replay in "
            "(a scratch copy is made)"
        )
    from sandbox.docker import DockerSandbox
    from sandbox.errors import SandboxError

    try:
        sandbox = DockerSandbox(
            sandbox_cfg.image,
            workdir=sandbox_cfg.workdir,
            env=dict(sandbox_cfg.env),
            network=sandbox_cfg.network,
            memory=sandbox_cfg.memory,
            cpus=sandbox_cfg.cpus,
            pids=sandbox_cfg.pids,
            run_id=run_id,
            labels={"patchloop.component": "replay"},
            init_script=recorded.init_script,
        )
    except SandboxError as exc:
        raise ReplayError(f"cannot start a fresh sandbox from {sandbox_cfg.image}: {exc}") from None
    return stack.enter_context(sandbox)


def _run(
    agent_model: Any,
    registry: Any,
    sandbox: Any,
    config: RunConfig,
    traj: Trajectory,
    recorder: _Tee,
    run_id: str,
    prompts: Prompts,
) -> Any:
    from agent.loop import Agent

    agent = Agent(
        agent_model,
        registry,
        sandbox,
        config.agent,
        recorder,
        run_id=run_id,
        run_config=traj.run_start.config,
        prompts=prompts,
    )
    try:
        return agent.run(_task_of(traj))
    finally:
        recorder.close()


# ---------------------------------------------------------------------- the three modes


def replay_offline(path: str | Path, *, output: Path | None = None) -> ReplayReport:
    """Recorded replies and tool results through the real loop; compares event for event."""
    path = Path(path)
    traj = _load(path)
    config = run_config_of(traj)
    notes = []
    missing: list[str] = []
    if traj.run_start.plugins:
        _, missing = load_registry(traj, config)
        if missing:
            notes.append("plugins not installed here (not needed offline): " + ", ".join(missing))
    if traj.run_end is None:
        notes.append("the recording has no run_end (unfinished or torn): the end cannot match")
    run_id = _new_run_id(traj, "offline")
    recorder = _Tee(run_id, output)
    model = RecordedModel(traj, path)
    # wall time does not repeat in a replay; every other limit is kept as recorded
    agent_cfg = config.agent.model_copy(update={"time_limit_s": None})
    config = config.model_copy(update={"agent": agent_cfg})
    result = _run(
        model,
        RecordedTools(traj),
        RecordedSandbox(traj),
        config,
        traj,
        recorder,
        run_id,
        _VerbatimObservation(config.agent.templates),
    )
    if traj.run_end is not None and traj.run_end.exit_status == "time_limit" and result.exit_status != "time_limit":
        notes.append("the original run hit its wall-time limit, which a replay cannot reproduce")
    events = recorder.memory.events
    return ReplayReport(
        mode="offline",
        source=path,
        run_id=run_id,
        output=output,
        events=events,
        exit_status=result.exit_status,
        submission=result.submission,
        recorded_submission=traj.run_end.submission if traj.run_end else None,
        differences=compare_events(traj.events, events),
        missing_plugins=missing,
        notes=notes,
    )


def replay_execute(path: str | Path, *, repo: Path | None = None, output: Path | None = None) -> ReplayReport:
    """Recorded replies against a fresh sandbox; reports diverging observations and the patch."""
    path = Path(path)
    traj = _load(path)
    config = run_config_of(traj)
    registry, missing = load_registry(traj, config)
    if missing:
        raise ReplayError(
            "the run used plugins that cannot be loaded here: "
            + "; ".join(missing)
            + ". Install them (or give their files) and replay again"
        )
    run_id = _new_run_id(traj, "execute")
    output = output or _default_output(path, run_id, "execute")
    model = RecordedModel(traj, path)
    with ExitStack() as stack:
        sandbox = fresh_sandbox(traj, config, repo, run_id, stack)
        recorder = _Tee(run_id, output)
        result = _run(model, registry, sandbox, config, traj, recorder, run_id, Prompts(config.agent.templates))
        workdir = sandbox.workdir
    events = recorder.memory.events
    notes = []
    if workdir != traj.run_start.sandbox.workdir:
        notes.append(
            f"the workdir is {workdir}, not the recorded {traj.run_start.sandbox.workdir}: the prompts differ by it"
        )
    diverged = request_divergences(traj.events, events)
    if diverged:
        notes.append(f"requests differed from the recorded ones from step {diverged[0]} on (steps {_ranges(diverged)})")
    return ReplayReport(
        mode="execute",
        source=path,
        run_id=run_id,
        output=output,
        events=events,
        exit_status=result.exit_status,
        submission=result.submission,
        recorded_submission=traj.run_end.submission if traj.run_end else None,
        observations=diverging_observations(traj.events, events),
        notes=notes,
    )


def replay_fork(
    path: str | Path, *, from_step: int, model: str, repo: Path | None = None, output: Path | None = None
) -> ReplayReport:
    """Steps 1..from_step replayed in a fresh sandbox, then ``model`` continues."""
    from agent.models.factory import make_model

    path = Path(path)
    traj = _load(path)
    steps = [s.number for s in traj.steps() if s.model_call is not None]
    last = steps[-1] if steps else 0
    if not 0 <= from_step <= last:
        raise ReplayError(f"--from-step {from_step} is outside the recorded steps 0..{last}")
    config = run_config_of(traj)
    registry, missing = load_registry(traj, config)
    if missing:
        raise ReplayError(
            "the run used plugins that cannot be loaded here: "
            + "; ".join(missing)
            + ". Install them (or give their files) and fork again"
        )
    try:
        live = make_model(model, config.model)
    except ModelError as exc:
        raise ReplayError(f"--model {model}: {exc}") from None
    run_id = _new_run_id(traj, "fork")
    output = output or _default_output(path, run_id, f"fork{from_step}")
    forked_from = {"path": str(path), "run_id": traj.run_id, "step": from_step}
    fork = ForkModel(RecordedModel(traj, path, through_step=from_step), live, from_step)
    with ExitStack() as stack:
        sandbox = fresh_sandbox(traj, config, repo, run_id, stack)
        recorder = _Tee(run_id, output, forked_from=forked_from)
        result = _run(fork, registry, sandbox, config, traj, recorder, run_id, Prompts(config.agent.templates))
    events = recorder.memory.events
    replayed = [e for e in events if e.step is None or e.step <= from_step]
    recorded = [e for e in traj.events if e.step is None or e.step <= from_step]
    return ReplayReport(
        mode="fork",
        source=path,
        run_id=run_id,
        output=output,
        events=events,
        exit_status=result.exit_status,
        submission=result.submission,
        recorded_submission=None,
        observations=diverging_observations(recorded, replayed),
        notes=[f"steps 1..{from_step} replayed from the recording, then {live.name} continued"],
    )


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:20]) + (" …" if len(numbers) > 20 else "")


# ---------------------------------------------------------------------- CLI


def replay_cli(args: argparse.Namespace, out: TextIO) -> int:
    """``python -m trajectories replay``: 0 when the replay matches, 1 when it differs or fails."""
    import sys

    from trajectories.errors import TrajectoryError

    try:
        if args.from_step is not None:
            report = replay_fork(
                args.file, from_step=args.from_step, model=args.model, repo=args.repo, output=args.output
            )
        elif args.execute:
            report = replay_execute(args.file, repo=args.repo, output=args.output)
        else:
            report = replay_offline(args.file, output=args.output)
    except (ReplayError, TrajectoryError) as exc:
        print(f"replay failed: {exc}", file=sys.stderr)
        return 1
    print(report.summary(), file=out)
    if report.mode == "offline":
        return 0 if report.identical else 1
    if report.mode == "execute":
        return 0 if not report.observations and report.patch_matches else 1
    return 0
