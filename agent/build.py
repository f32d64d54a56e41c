"""One wiring: a run made from a config, a task, a sandbox and a recorder, cleaned up after.

Two calls, so that what can be checked once is checked before any sandbox exists:

    parts = prepare(config, model="openai/gpt-4o-mini", plugins=[...], tools=[...])
    result = run_agent(parts, task, open_sandbox=factory, trajectory=path, run_id=..., cancel=...)

``prepare`` folds the tool selection into the config and makes the model, the tool
registry and the prompts (every usage error is raised here). ``run_agent`` runs one task:
it opens the sandbox (from ``open_sandbox``, a factory of context managers, closed after
the run) or uses the caller's ``sandbox`` (left open), writes the trajectory to
``trajectory`` (a path; the file is made only once the sandbox is up) or to the caller's
``recorder``, and returns the RunResult. A model made per run (the runner's oracle) is
passed as ``model=``; otherwise ``parts.model`` is shared by every run of the parts.
``python -m agent run``, the replay modes and the SWE-bench runner use these two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.task import AgentEvent, RunResult, Task
from patchloop.errors import UserError

if TYPE_CHECKING:
    import pluggy

    from agent.config import RunConfig, ToolsConfig
    from agent.prompts import Prompts
    from agent.submission import SubmissionSource
    from patchloop.cancel import Cancel
    from tools.registry import ToolRegistry
    from trajectories.recorder import Recorder
    from trajectories.redact import Redactor

SandboxFactory = Callable[[], AbstractContextManager[Any]]


class UsageError(UserError):
    """Bad command-line input or configuration (the message says what to change)."""


@dataclass(frozen=True)
class Parts:
    """What runs share: the config (tool selection folded in), model, tools and prompts.
    ``run_config`` is what ``run_start.config`` records (default: the whole config)."""

    config: RunConfig
    model: Any
    registry: Any
    prompts: Prompts
    run_config: dict[str, Any] | None = None

    def recorded_config(self) -> dict[str, Any]:
        return self.run_config if self.run_config is not None else self.config.model_dump(mode="json")


def prepare(
    config: RunConfig,
    *,
    model: Any = None,
    plugins: Sequence[str] = (),
    tools: Sequence[str] | None = None,
    per_run_model: bool = False,
    registry: Any = None,
    prompts: Prompts | None = None,
    manager: pluggy.PluginManager | None = None,
) -> Parts:
    """Check and make everything a run needs but the sandbox; ``model`` is a ``--model``
    spec (None: ``model.name``) or a model object. ``per_run_model``: no shared model is
    made, each ``run_agent`` brings its own (the runner's oracle, one per instance)."""
    from agent.config import with_tool_selection
    from agent.models.factory import make_model
    from agent.prompts import Prompts

    config = with_tool_selection(config, plugins, tools)
    if per_run_model:
        made = None
    elif model is None or isinstance(model, str):
        made = make_model(model, config.model, manager=manager)
    else:
        made = model
    registry = registry if registry is not None else make_registry(config.tools)
    return Parts(config, made, registry, prompts or Prompts(config.agent.templates))


def run_agent(
    parts: Parts,
    task: Task,
    *,
    run_id: str,
    open_sandbox: SandboxFactory | None = None,
    sandbox: Any = None,
    trajectory: str | Path | None = None,
    recorder: Recorder | None = None,
    model: Any = None,
    callbacks: Sequence[Callable[[AgentEvent], None]] = (),
    cancel: Cancel | None = None,
    redactor: Redactor | None = None,
    submission: SubmissionSource | None = None,
) -> RunResult:
    """One run of ``task``; every resource opened here is closed here, whatever happens."""
    from agent.loop import Agent
    from trajectories.redact import Redactor
    from trajectories.writer import TrajectoryWriter

    if (open_sandbox is None) == (sandbox is None):
        raise ValueError("run_agent takes either open_sandbox (a factory) or sandbox (an open one)")
    if (trajectory is None) == (recorder is None):
        raise ValueError("run_agent takes either trajectory (a path) or recorder")
    if model is None and parts.model is None:
        raise ValueError("these parts were prepared with per_run_model=True: pass model= to run_agent")
    redactor = redactor if redactor is not None else Redactor.from_environ()
    with ExitStack() as stack:
        box = sandbox if open_sandbox is None else stack.enter_context(open_sandbox())
        if recorder is None:  # only now: a sandbox that fails to start leaves no file
            recorder = stack.enter_context(TrajectoryWriter(Path(str(trajectory)), run_id, redact=redactor))
        agent = Agent(
            model if model is not None else parts.model,
            parts.registry,
            box,
            parts.config.agent,
            recorder,
            callbacks,
            run_id=run_id,
            run_config=parts.recorded_config(),
            prompts=parts.prompts,
            redactor=redactor,
            submission=submission,
        )
        return agent.run(task, cancel=cancel)


def make_registry(tools_config: ToolsConfig, extra_plugins: Sequence[str] = ()) -> ToolRegistry:
    """The tools a run sees, from the config's ``tools`` section (plus ``--plugin`` specs).

    Built-ins, then entry-point plugins (``tools.entry_points``), then every spec of
    ``tools.plugins`` and ``extra_plugins`` (each must load), then only ``tools.names``
    when given. A plugin that fails to load or an unknown name raises UsageError.
    """
    from tools.errors import ToolError
    from tools.selection import build_registry

    specs = list(dict.fromkeys([*tools_config.plugins, *extra_plugins]))
    try:
        return build_registry(tools_config.names, specs, load_entry_points=tools_config.entry_points)
    except ToolError as exc:
        raise UsageError(f"tools: {exc}") from None
