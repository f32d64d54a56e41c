"""The agent loop: query the model, run its tool calls, record everything, end with a patch.

Every exit goes through ``_finish``: the submission is the sandbox's diff against the base
commit and ``run_end`` says which exit status and why, whatever ended the run.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.context import choose_compaction, content_chars
from agent.models.base import (
    AttemptFailure,
    ContextWindowError,
    Model,
    ModelError,
    ModelReply,
    Usage,
    message_line,
)
from agent.submission import SubmissionError, base_commit, repository_diff
from agent.task import AgentEvent, ExitStatus, RunResult, Task

if TYPE_CHECKING:
    from agent.config import AgentConfig
    from agent.prompts import Prompts
    from sandbox.base import Sandbox
    from tools.registry import ToolRegistry
    from trajectories.recorder import Recorder

AGENT_NAME = "patchloop"
Callback = Callable[[AgentEvent], None]
# ToolResult.error_type values that mean the arguments were unusable (a format error).
FORMAT_ERROR_TYPES = frozenset({"invalid_json", "unknown_tool", "invalid_arguments"})


class _Stop(Exception):
    """Ends the loop with an exit status and a reason."""

    def __init__(self, status: ExitStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class _State:
    task: Task
    started: float
    messages: list[dict] = field(default_factory=list)  # what was said, whole (as recorded)
    sent: list[dict] = field(default_factory=list)  # what is sent (compacted where needed)
    compacted: set[int] = field(default_factory=set)
    digest: Any = None  # running sha256 over `sent`
    base: str | None = None
    base_problem: str = ""
    step: int = 0
    cost: float = 0.0
    priced_calls: int = 0
    unpriced_warned: bool = False
    last_cost: float = 0.0
    usage: Usage = field(default_factory=Usage)
    format_errors: int = 0
    timeouts: int = 0


class Agent:
    """Runs one task: ``Agent(model, registry, sandbox, config, recorder).run(task)``.

    ``run_config`` (optional) is the whole configuration recorded in ``run_start``
    (default: this agent's section); ``run_id`` goes into the tool context.
    """

    def __init__(
        self,
        model: Model,
        registry: ToolRegistry,
        sandbox: Sandbox,
        config: AgentConfig,
        recorder: Recorder,
        callbacks: Sequence[Callback] = (),
        *,
        run_id: str = "",
        run_config: dict[str, Any] | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        from agent.prompts import Prompts

        self.model = model
        self.registry = registry
        self.sandbox = sandbox
        self.config = config
        self.recorder = recorder
        self.callbacks = list(callbacks)
        self.run_id = run_id
        self.run_config = run_config if run_config is not None else {"agent": config.model_dump()}
        self.prompts = prompts or Prompts(config.templates)
        self.mode = getattr(model, "mode", "tools")
        self._state: _State | None = None

    # ------------------------------------------------------------------ run

    def run(self, task: Task) -> RunResult:
        state = self._state = _State(task=task, started=time.monotonic())
        restore = self._hook_retries()
        try:
            try:
                self._start(state)
                status, reason = self._loop(state)
            except _Stop as stop:
                status, reason = stop.status, stop.reason
            except KeyboardInterrupt:
                status, reason = "interrupted", f"interrupted (KeyboardInterrupt) during step {state.step}"
            except Exception as exc:
                # A bug (in the loop, a callback, a model or the recorder), not a run outcome:
                # record it where possible and raise it.
                self._record_crash(state, exc)
                raise
            return self._finish(state, status, reason)
        finally:
            restore()
            self._state = None

    def _hook_retries(self) -> Callable[[], None]:
        """Route the model's retried failures into `error` events while this run lasts."""
        if not hasattr(self.model, "on_retry"):
            return lambda: None
        previous = self.model.on_retry

        def report(failure: AttemptFailure) -> None:
            if previous is not None:
                previous(failure)
            self._emit(
                "error",
                step=self._state.step if self._state else None,
                where="model",
                error_type=failure.error_type,
                message=failure.message,
                retryable=True,
                attempt=failure.attempt,
                feedback=None,
            )

        self.model.on_retry = report

        def restore() -> None:
            self.model.on_retry = previous  # type: ignore[attr-defined]

        return restore

    def _start(self, state: _State) -> None:
        tools = self.registry.schemas()
        self._tools = tools
        self._tool_names = [t["function"]["name"] for t in tools]
        self._ctx = self._tool_context()
        common = {"mode": self.mode, "tools": self._tool_names, "workdir": self.sandbox.workdir}
        system = self.prompts.render("system", **common)
        user = self.prompts.render(
            "task",
            **common,
            task=state.task.text,
            instance_id=state.task.instance_id,
            repo=state.task.repo,
        )
        for message in ({"role": "system", "content": system}, {"role": "user", "content": user}):
            state.messages.append(message)
        state.sent = list(state.messages)
        state.digest = _digest(state.sent)
        sandbox_problem = None
        interrupted = False
        state.base = state.task.base_commit
        if state.base is None:
            try:
                state.base = base_commit(self.sandbox)
                if state.base is None:
                    state.base_problem = f"{self.sandbox.workdir} is not a git repository"
            except SubmissionError as exc:
                state.base_problem = str(exc)
            except KeyboardInterrupt:  # still record run_start, so the trajectory is complete
                interrupted = True
            except Exception as exc:  # noqa: BLE001 - any SandboxError; checked below
                sandbox_problem = self._sandbox_exception(exc)
        task_info = state.task.model_dump()
        task_info["base_commit"] = state.base
        self._emit(
            "run_start",
            agent={"name": AGENT_NAME, "version": _version("patchloop") or "unknown"},
            model={
                "name": self.model.name,
                "kind": getattr(self.model, "kind", type(self.model).__name__),
                "params": dict(getattr(self.model, "params", {}) or {}),
            },
            tools=tools,
            plugins=[_plugin_dict(p) for p in getattr(self.registry, "plugins", [])],
            config=self.run_config,
            versions=_versions(self.sandbox),
            task=task_info,
            messages=list(state.messages),
            sandbox=_sandbox_info(self.sandbox),
            forked_from=None,
        )
        if interrupted:
            raise KeyboardInterrupt
        if sandbox_problem:
            raise _Stop("sandbox_error", sandbox_problem)

    def _tool_context(self) -> Any:
        from tools.base import ToolContext

        return ToolContext(sandbox=self.sandbox, workdir=self.sandbox.workdir, run_id=self.run_id)

    # ------------------------------------------------------------------ loop

    def _loop(self, state: _State) -> tuple[ExitStatus, str]:
        while True:
            self._check_limits(state)
            state.step += 1
            reply, call_seq = self._query(state)
            outcome = self._act(state, reply, call_seq)
            if outcome is not None:
                return outcome

    def _check_limits(self, state: _State) -> None:
        cfg = self.config
        elapsed = time.monotonic() - state.started
        if cfg.time_limit_s is not None and elapsed >= cfg.time_limit_s:
            raise _Stop(
                "time_limit",
                f"wall time limit reached: {elapsed:.1f} s of agent.time_limit_s={cfg.time_limit_s:g}",
            )
        if cfg.step_limit is not None and state.step >= cfg.step_limit:
            raise _Stop(
                "step_limit", f"step limit reached: {state.step} model calls (agent.step_limit={cfg.step_limit})"
            )
        if cfg.cost_limit is not None and state.priced_calls:
            if state.cost >= cfg.cost_limit:
                raise _Stop(
                    "cost_limit", f"cost limit reached: ${state.cost:.4f} spent (agent.cost_limit=${cfg.cost_limit:g})"
                )
            if state.cost + state.last_cost > cfg.cost_limit:
                raise _Stop(
                    "cost_limit",
                    f"cost limit would be exceeded: ${state.cost:.4f} spent and the next call would cost about "
                    f"${state.last_cost:.4f} like the last one (agent.cost_limit=${cfg.cost_limit:g})",
                )

    def _query(self, state: _State) -> tuple[ModelReply, int]:
        while True:
            request = {"n_messages": len(state.sent), "sha256": state.digest.hexdigest()}
            try:
                reply = self.model.query(state.sent, self._tools)
            except ContextWindowError as exc:
                self._model_error(state, exc, "ContextWindowError")
                if not self._compact(state, str(exc)):
                    raise _Stop(
                        "context_window",
                        f"the request does not fit the model's context window even with every older "
                        f"observation compacted: {exc}",
                    ) from None
                continue
            except ModelError as exc:
                self._model_error(state, exc, getattr(exc, "error_type", type(exc).__name__))
                kind = "transient error, retries exhausted" if exc.retryable else "not retryable"
                raise _Stop(
                    "model_error", f"model call failed ({kind}) after {exc.attempts} attempt(s): {exc}"
                ) from None
            break
        seq = self._emit(
            "model_call",
            step=state.step,
            request=request,
            response=reply.message,
            finish_reason=reply.finish_reason,
            usage=reply.usage.model_dump(),
            cost_usd=reply.cost_usd,
            latency_ms=reply.latency_ms,
            attempts=reply.attempts,
            response_id=reply.response_id,
        )
        self._account(state, reply)
        self._append(state, reply.message)
        return reply, seq

    def _model_error(self, state: _State, exc: ModelError, error_type: str) -> None:
        self._emit(
            "error",
            step=state.step,
            where="model",
            error_type=error_type,
            message=str(exc),
            retryable=bool(exc.retryable),
            attempt=max(1, exc.attempts),
            feedback=None,
        )

    def _account(self, state: _State, reply: ModelReply) -> None:
        usage = reply.usage
        state.usage = Usage(
            prompt_tokens=state.usage.prompt_tokens + usage.prompt_tokens,
            completion_tokens=state.usage.completion_tokens + usage.completion_tokens,
            cached_tokens=state.usage.cached_tokens + usage.cached_tokens,
        )
        if reply.cost_usd is not None:
            state.cost += reply.cost_usd
            state.last_cost = reply.cost_usd
            state.priced_calls += 1
        elif self.config.cost_limit is not None and not state.unpriced_warned:
            state.unpriced_warned = True
            self._emit(
                "error",
                step=state.step,
                where="agent",
                error_type="UnknownCost",
                message=f"model {self.model.name!r} has no known price: cost is recorded as null and "
                "agent.cost_limit cannot be enforced (set model.input_cost_per_token/output_cost_per_token)",
                retryable=False,
                attempt=1,
                feedback=None,
            )

    def _act(self, state: _State, reply: ModelReply, call_seq: int) -> tuple[ExitStatus, str] | None:
        calls = reply.message.get("tool_calls") or []
        ctx = self._ctx
        ctx.step = state.step
        malformed = 0
        problems: list[str] = []
        for call in calls:
            call_id, name, raw = _call_parts(call)
            arguments = _parse_arguments(raw)
            tool_seq = self._emit(
                "tool_call",
                step=state.step,
                parent=call_seq,
                tool_call_id=call_id,
                name=name,
                arguments=arguments,
                arguments_raw=raw,
            )
            result = self.registry.call(name, raw, ctx)
            content = self.prompts.render("observation", result=result, name=name)
            self._emit(
                "tool_result",
                step=state.step,
                parent=tool_seq,
                tool_call_id=call_id,
                name=name,
                ok=result.ok,
                content=content,
                exit_code=result.exit_code,
                timed_out=result.timed_out,
                truncated=result.truncated,
                duration_ms=result.duration_ms,
            )
            self._append(state, {"role": "tool", "tool_call_id": call_id, "content": content})
            error_type = result.error_type
            if result.sandbox_gone:
                self._emit(
                    "error",
                    step=state.step,
                    parent=tool_seq,
                    where="sandbox",
                    error_type=error_type,
                    message=content,
                    retryable=False,
                    attempt=1,
                    feedback=None,
                )
                return "sandbox_error", f"the sandbox is gone ({error_type}) during {name!r} at step {state.step}"
            if result.ends_run:
                return "submitted", f"the model called {name!r} at step {state.step}"
            if error_type in FORMAT_ERROR_TYPES:
                malformed += 1
                problems.append(f"{name!r}: {error_type.replace('_', ' ')}")
            state.timeouts = state.timeouts + 1 if result.timed_out else 0
        limit = self.config.max_consecutive_timeouts
        if limit is not None and state.timeouts >= limit:
            return "time_limit", (
                f"{state.timeouts} consecutive commands timed out (agent.max_consecutive_timeouts={limit})"
            )
        if not calls:
            problem = "it contained no tool call" if self.mode != "text" else "it contained no ```bash block"
            return self._format_error(state, call_seq, problem)
        if malformed == len(calls):
            return self._format_error(state, call_seq, "; ".join(problems))
        state.format_errors = 0
        return None

    def _format_error(self, state: _State, parent: int, problem: str) -> tuple[ExitStatus, str] | None:
        state.format_errors += 1
        limit = self.config.max_format_errors
        final = state.format_errors >= limit
        feedback = None
        if not final:
            feedback = self.prompts.render("format_error", mode=self.mode, tools=self._tool_names, problem=problem)
        self._emit(
            "error",
            step=state.step,
            parent=parent,
            where="format",
            error_type="FormatError",
            message=f"unusable reply at step {state.step}: {problem}",
            retryable=not final,
            attempt=state.format_errors,
            feedback=feedback,
        )
        if final:
            return "format_errors", (
                f"{state.format_errors} consecutive replies without a usable tool call "
                f"(agent.max_format_errors={limit}); last: {problem}"
            )
        self._append(state, {"role": "user", "content": feedback})
        return None

    # ------------------------------------------------------------------ messages

    def _append(self, state: _State, message: dict) -> None:
        state.messages.append(message)
        state.sent.append(message)
        state.digest.update(message_line(message))

    def _compact(self, state: _State, reason: str) -> bool:
        cfg = self.config.context
        chosen = choose_compaction(
            state.sent,
            state.compacted,
            keep_recent=cfg.keep_recent,
            min_chars=cfg.min_chars,
            placeholder=cfg.placeholder,
        )
        if not chosen:
            return False
        before = content_chars(state.sent)
        for index in chosen:
            state.sent[index] = {**state.sent[index], "content": cfg.placeholder}
            state.compacted.add(index)
        state.digest = _digest(state.sent)
        self._emit(
            "context",
            step=state.step,
            reason=reason[:2000],
            compacted=chosen,
            replacement=cfg.placeholder,
            n_messages=len(state.sent),
            chars_before=before,
            chars_after=content_chars(state.sent),
        )
        return True

    # ------------------------------------------------------------------ end

    def _finish(self, state: _State, status: ExitStatus, reason: str) -> RunResult:
        submission = ""
        try:
            if state.base is not None:
                submission = repository_diff(self.sandbox, state.base, exclude=self.config.diff_exclude)
            else:
                reason += f"; no submission: {state.base_problem or 'the base commit was never read'}"
        except KeyboardInterrupt:
            status = "interrupted"
            reason += "; interrupted again while reading the diff, so no submission"
        except SubmissionError as exc:
            reason += f"; no submission: {exc}"
        except Exception as exc:  # noqa: BLE001 - a SandboxError (container gone); reported, not raised
            problem = self._sandbox_exception(exc)
            reason += f"; no submission: {problem}"
            if status != "interrupted":
                status = "sandbox_error"
        wall_s = time.monotonic() - state.started
        cost = state.cost if state.priced_calls or state.step == 0 else None
        self._emit(
            "run_end",
            exit_status=status,
            reason=reason,
            submission=submission,
            final_metrics={
                "total_prompt_tokens": state.usage.prompt_tokens,
                "total_completion_tokens": state.usage.completion_tokens,
                "total_cached_tokens": state.usage.cached_tokens,
                "total_cost_usd": cost,
                "total_steps": state.step,
                "wall_s": wall_s,
            },
        )
        return RunResult(
            exit_status=status,
            reason=reason,
            submission=submission,
            steps=state.step,
            cost_usd=cost,
            tokens=state.usage,
            wall_s=wall_s,
            run_id=self.run_id,
        )

    def _record_crash(self, state: _State, exc: Exception) -> None:
        try:
            self._emit(
                "error",
                step=state.step or None,
                where="agent",
                error_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
                message=f"unexpected error, the run is aborted: {exc}"[:2000],
                retryable=False,
                attempt=1,
                feedback=None,
            )
        except Exception:  # noqa: BLE001 - the recorder may be what failed; the original error is raised
            pass

    def _sandbox_exception(self, exc: Exception) -> str:
        """The message of a SandboxError; anything else is a bug and is raised again."""
        from sandbox.errors import SandboxError

        if not isinstance(exc, SandboxError):
            raise exc
        return f"{type(exc).__name__}: {exc}"

    def _emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        seq = self.recorder.emit(type, step=step, parent=parent, **payload)
        if self.callbacks:
            event = AgentEvent(type=type, seq=seq, step=step, parent=parent, payload=payload)
            for callback in self.callbacks:
                callback(event)
        return seq


# ---------------------------------------------------------------------- helpers


def _digest(messages: list[dict]) -> Any:
    digest = hashlib.sha256()
    for message in messages:
        digest.update(message_line(message))
    return digest


def _call_parts(call: dict) -> tuple[str, str, str]:
    function = call.get("function") or {}
    raw = function.get("arguments")
    if raw is None:
        raw = ""
    elif not isinstance(raw, str):
        raw = json.dumps(raw)
    return str(call.get("id") or ""), str(function.get("name") or ""), raw


def _parse_arguments(raw: str) -> dict | None:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _plugin_dict(plugin: Any) -> dict[str, Any]:
    return {
        "name": getattr(plugin, "name", str(plugin)),
        "version": getattr(plugin, "version", None),
        "source": str(getattr(plugin, "source", "")),
    }


def _sandbox_info(sandbox: Any) -> dict[str, Any]:
    kinds = {"DockerSandbox": "docker", "LocalSandbox": "local"}
    kind = kinds.get(type(sandbox).__name__, type(sandbox).__name__)
    return {
        "kind": kind,
        "image": getattr(sandbox, "image", None),
        "workdir": sandbox.workdir,
        "init_script": getattr(sandbox, "init_script", None),  # replay/fork must run it again (conda env)
    }


def _version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _versions(sandbox: Any) -> dict[str, str | None]:
    versions = {"patchloop": _version("patchloop"), "python": platform.python_version()}
    for name in ("litellm", "pydantic", "docker", "tenacity", "jinja2"):
        versions[name] = _version(name)
    engine = getattr(sandbox, "engine_version", None)
    if isinstance(engine, str):
        versions["docker_engine"] = engine
    return versions
