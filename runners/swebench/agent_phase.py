"""The agent step of the pipeline: config, model, tools, trajectory, ``Agent.run``.

``--model oracle`` swaps in :class:`runners.swebench.oracle.OracleModel` (the gold patch
applied through the tools); everything else is the agent package's ``make_model``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from runners.swebench.dataset import Instance
from runners.swebench.errors import RunnerError
from runners.swebench.oracle import ORACLE_NAME
from runners.swebench.pipeline import AgentOutcome


def _split_config(entries: list[str]) -> tuple[str | None, list[str]]:
    """``-c FILE`` (at most one) and ``-c key=value`` overrides, in order."""
    files = [e for e in entries if "=" not in e or Path(e).exists()]
    if len(files) > 1:
        raise RunnerError(f"give at most one config file with -c (got {', '.join(files)}); use key=value for the rest")
    return (files[0] if files else None), [e for e in entries if e not in files]


class AgentPhase:
    """Callable per instance; built once per run (config and plugins checked up front)."""

    def __init__(self, model: str | None, config: Any, plugins: list[str], dataset: str) -> None:
        self.model_spec = model
        self.model_name = model or ""
        self.is_oracle = model == ORACLE_NAME
        self.config = config
        self.plugins = plugins
        self.dataset = dataset

    def _registry(self):
        from tools.registry import ToolRegistry

        registry = ToolRegistry.with_builtins()
        if self.config.tools.entry_points:
            registry.load_plugins()
        for spec in [*self.config.tools.plugins, *self.plugins]:
            registry.load(spec)
        return registry

    def _model(self, instance: Instance):
        if self.is_oracle:
            from runners.swebench.oracle import OracleModel

            return OracleModel(instance.patch)
        from agent.models.factory import make_model

        return make_model(self.model_spec, self.config.model)

    def __call__(self, instance: Instance, *, image: str, out_dir: Path,
                 open_sandbox: Callable[[str, dict[str, str], bool], Any]) -> AgentOutcome:
        from agent.loop import Agent
        from agent.prompts import Prompts
        from agent.task import Task
        from trajectories.writer import TrajectoryWriter

        run_id = f"{instance.instance_id}"
        sandbox = open_sandbox(image, {"patchloop.role": "agent"}, True)
        try:
            with TrajectoryWriter(out_dir / "trajectory.jsonl", run_id) as writer:
                agent = Agent(
                    self._model(instance),
                    self._registry(),
                    sandbox,
                    self.config.agent,
                    writer,
                    run_id=run_id,
                    run_config=self.config.model_dump(mode="json"),
                    prompts=Prompts(self.config.agent.templates),
                )
                result = agent.run(Task(text=instance.problem_statement, instance_id=instance.instance_id,
                                        dataset=self.dataset, repo=instance.repo))
        finally:
            sandbox.close()
        tokens = result.tokens.model_dump()
        return AgentOutcome(
            exit_status=str(result.exit_status),
            reason=result.reason,
            patch=result.submission,
            cost_usd=result.cost_usd,
            tokens={k: int(v) for k, v in tokens.items()},
            steps=result.steps,
        )


def make_agent_phase(model: str | None, *, config: list[str], plugins: list[str], dataset: str = "") -> AgentPhase:
    """Check config, model and plugins once, before any instance runs."""
    from agent.config import ConfigError, load_config
    from agent.models.base import ModelError
    from tools.errors import ToolError

    path, overrides = _split_config(config)
    try:
        run_config = load_config(path, overrides)
        phase = AgentPhase(model, run_config, plugins, dataset)
        if not phase.is_oracle:
            from agent.models.factory import make_model

            phase.model_name = make_model(model, run_config.model).name
        phase._registry()
    except (ConfigError, ModelError, ToolError, OSError) as exc:
        raise RunnerError(str(exc)) from None
    return phase
