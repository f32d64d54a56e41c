"""Recording a run: every event goes to the recorder, then to each callback.

Also what ``run_start`` says about the run's parts (agent, model, plugins, versions,
sandbox) and the shapes of the ``error`` events the loop writes.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from agent.task import AgentEvent

if TYPE_CHECKING:
    from agent.models.base import AttemptFailure, Model, ModelError, ModelReply
    from agent.task import Task
    from trajectories.recorder import Recorder

AGENT_NAME = "patchloop"
Callback = Callable[[AgentEvent], None]
VERSIONED = ("litellm", "pydantic", "docker", "tenacity", "jinja2")


class Events:
    def __init__(self, recorder: Recorder, callbacks: Sequence[Callback] = ()) -> None:
        self.recorder = recorder
        self.callbacks = list(callbacks)

    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        seq = self.recorder.emit(type, step=step, parent=parent, **payload)
        if self.callbacks:
            event = AgentEvent(type=type, seq=seq, step=step, parent=parent, payload=payload)
            for callback in self.callbacks:
                callback(event)
        return seq

    def error(
        self,
        where: str,
        error_type: str,
        message: str,
        *,
        step: int | None,
        parent: int | None = None,
        retryable: bool = False,
        attempt: int = 1,
        feedback: str | None = None,
    ) -> int:
        return self.emit(
            "error",
            step=step,
            parent=parent,
            where=where,
            error_type=error_type,
            message=message,
            retryable=retryable,
            attempt=attempt,
            feedback=feedback,
        )

    def run_start(self, agent: Any, task: Task, base: str | None, messages: list[dict]) -> int:
        """``agent``: the Agent (its model, registry, sandbox and run_config are described)."""
        return self.emit(
            "run_start",
            agent=agent_info(),
            model=model_info(agent.model),
            tools=agent.registry.schemas(),
            plugins=[plugin_dict(p) for p in agent.registry.plugins],
            config=agent.run_config,
            versions=versions(agent.sandbox),
            task={**task.model_dump(), "base_commit": base},
            messages=list(messages),
            sandbox=sandbox_info(agent.sandbox),
            forked_from=None,
        )

    def model_call(self, step: int, request: dict[str, Any], message: dict, reply: ModelReply) -> int:
        return self.emit(
            "model_call",
            step=step,
            request=request,
            response=message,
            finish_reason=reply.finish_reason,
            usage=reply.usage.model_dump(),
            cost_usd=reply.cost_usd,
            latency_ms=reply.latency_ms,
            attempts=reply.attempts,
            response_id=reply.response_id,
        )

    def tool_call(self, step: int, parent: int, call_id: str, name: str, arguments: Any, raw: str) -> int:
        return self.emit(
            "tool_call",
            step=step,
            parent=parent,
            tool_call_id=call_id,
            name=name,
            arguments=arguments,
            arguments_raw=raw,
        )

    def tool_result(self, step: int, parent: int, call_id: str, name: str, result: Any, content: str) -> int:
        return self.emit(
            "tool_result",
            step=step,
            parent=parent,
            tool_call_id=call_id,
            name=name,
            ok=result.ok,
            content=content,
            exit_code=result.exit_code,
            timed_out=result.timed_out,
            truncated=result.truncated,
            duration_ms=result.duration_ms,
        )

    def model_error(self, exc: ModelError, step: int, error_type: str = "") -> int:
        error_type = error_type or exc.error_type or type(exc).__name__
        attempt = max(1, exc.attempts)
        return self.error("model", error_type, str(exc), step=step, retryable=exc.retryable, attempt=attempt)

    def retried(self, failure: AttemptFailure, step: int) -> None:
        self.error(
            "model", failure.error_type, failure.message, step=step or None, retryable=True, attempt=failure.attempt
        )

    def format_error(self, step: int, parent: int, problem: str, attempt: int, feedback: str | None) -> int:
        return self.error(
            "format",
            "FormatError",
            f"unusable reply at step {step}: {problem}",
            step=step,
            parent=parent,
            retryable=feedback is not None,
            attempt=attempt,
            feedback=feedback,
        )

    def run_end(self, status: str, reason: str, submission: str, final_metrics: dict[str, Any]) -> int:
        return self.emit(
            "run_end", exit_status=status, reason=reason, submission=submission, final_metrics=final_metrics
        )

    def sandbox_gone(self, step: int, called: Any) -> str:
        """Records the dead sandbox a tool met; returns the run's reason."""
        error_type = str(called.result.error_type)
        self.error("sandbox", error_type, called.content, step=step, parent=called.seq)
        return f"the sandbox is gone ({error_type}) during {called.name!r} at step {step}"

    def unknown_cost(self, model_name: str, step: int) -> int:
        return self.error(
            "agent",
            "UnknownCost",
            f"model {model_name!r} has no known price: cost is recorded as null and agent.cost_limit cannot "
            "be enforced (set model.input_cost_per_token/output_cost_per_token)",
            step=step,
        )

    def crash(self, exc: BaseException, step: int) -> None:
        """A bug ended the run: record it where possible (the caller raises it)."""
        try:
            self.error(
                "agent",
                f"{type(exc).__module__}.{type(exc).__qualname__}",
                f"unexpected error, the run is aborted: {exc}"[:2000],
                step=step or None,
            )
        except Exception:  # noqa: BLE001 - the recorder may be what failed; the original error is raised
            pass


def agent_info() -> dict[str, str]:
    return {"name": AGENT_NAME, "version": version("patchloop") or "unknown"}


def model_info(model: Model) -> dict[str, Any]:
    return {"name": model.name, "kind": model.kind, "params": dict(model.params)}


def plugin_dict(plugin: Any) -> dict[str, Any]:
    return {"name": plugin.name, "version": plugin.version, "source": str(plugin.source)}


def sandbox_info(sandbox: Any) -> dict[str, Any]:
    """``run_start.sandbox``; until sandbox backends describe themselves, from the two
    built-in classes' attributes."""
    kinds = {"DockerSandbox": "docker", "LocalSandbox": "local"}
    return {
        "kind": kinds.get(type(sandbox).__name__, type(sandbox).__name__),
        "image": getattr(sandbox, "image", None),
        "workdir": sandbox.workdir,
        "init_script": getattr(sandbox, "init_script", None),  # replay/fork must run it again (conda env)
    }


def versions(sandbox: Any) -> dict[str, str | None]:
    found = {"patchloop": version("patchloop"), "python": platform.python_version()}
    for name in VERSIONED:
        found[name] = version(name)
    engine = getattr(sandbox, "engine_version", None)
    if isinstance(engine, str):
        found["docker_engine"] = engine
    return found


def version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
