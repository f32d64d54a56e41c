"""The agent step of the pipeline: config, model, tools, trajectory, ``Agent.run``.

``--model oracle`` swaps in :class:`runners.swebench.oracle.OracleModel` (the gold patch
applied through the tools); everything else is the agent package's ``make_model``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from patchloop.cancel import Cancel
from runners.swebench.dataset import Instance
from runners.swebench.errors import RunnerError
from runners.swebench.oracle import ORACLE_NAME
from runners.swebench.pipeline import AgentOutcome


def load_run_config(files: list[str], overrides: list[str]):
    """configs/default.yaml, then each file in order, then each ``key.path=value`` override.

    ``agent.config.load_config`` takes one file: each further file is first validated on
    its own (so an error names that file), then applied as the dotted overrides of its
    leaves, which merges it exactly as a file is merged (sections key by key).
    """
    from agent.config import load_config

    for extra in files[1:]:
        load_config(extra)
    return load_config(files[0] if files else None, [*_file_overrides(files[1:]), *overrides])


def _file_overrides(files: list[str]) -> list[str]:
    import json

    import yaml

    def leaves(prefix: str, value: Any):
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                yield from leaves(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            yield f"{prefix}={json.dumps(value, default=str)}"  # JSON is YAML: read back as is (a date as its text)

    return [item for path in files for item in leaves("", yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})]


def accepts_cancel(run: Callable[..., Any]) -> bool:
    """Whether ``Agent.run`` takes a ``cancel`` token (read from its signature, not by trying)."""
    return "cancel" in inspect.signature(run).parameters


class AgentPhase:
    """Callable per instance; built once per run (config, model and tools checked up front).

    ``redactor``: what each trajectory writer and the loop redact (the run's secrets:
    environment, secret config values, secret ``-c`` overrides), one for both so that what
    is sent is what the file holds (its request hashes verify); default: theirs.
    """

    def __init__(self, model: str | None, config: Any, dataset: str, redactor: Any = None) -> None:
        self.model_spec = model
        self.model_name = model or ""
        self.is_oracle = model == ORACLE_NAME
        self.config = config
        self.dataset = dataset
        self.redactor = redactor

    def _registry(self):
        """The same registry ``python -m agent run`` builds from the config's ``tools`` section."""
        from agent.runner import make_registry

        return make_registry(self.config.tools)

    def _model(self, instance: Instance):
        if self.is_oracle:
            from runners.swebench.oracle import OracleModel

            return OracleModel(instance.patch)
        from agent.models.factory import make_model

        return make_model(self.model_spec, self.config.model)

    def __call__(
        self,
        instance: Instance,
        *,
        image: str,
        out_dir: Path,
        open_sandbox: Callable[[str, dict[str, str], bool], Any],
        cancel: Cancel | None = None,
    ) -> AgentOutcome:
        from agent.loop import Agent
        from agent.prompts import Prompts
        from agent.task import Task
        from trajectories.writer import TrajectoryWriter

        run_id = f"{instance.instance_id}"
        sandbox = open_sandbox(image, {"patchloop.role": "agent"}, True)
        try:
            redact = self.redactor if self.redactor is not None else True
            with TrajectoryWriter(out_dir / "trajectory.jsonl", run_id, redact=redact) as writer:
                agent = Agent(
                    self._model(instance),
                    self._registry(),
                    sandbox,
                    self.config.agent,
                    writer,
                    run_id=run_id,
                    run_config=self.config.model_dump(mode="json"),
                    prompts=Prompts(self.config.agent.templates),
                    redactor=self.redactor,
                )
                task = Task(
                    text=instance.problem_statement,
                    instance_id=instance.instance_id,
                    dataset=self.dataset,
                    repo=instance.repo,
                )
                # the loop ends on the token once it takes one; until then the pool's bound holds
                run: Any = agent.run
                result = run(task, cancel=cancel) if accepts_cancel(run) else run(task)
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


def with_tool_selection(config: Any, plugins: list[str], tools: list[str] | None) -> Any:
    """``--plugin`` and ``--tools`` folded into the config's ``tools`` section (as ``agent run``
    does), so each trajectory's ``run_start.config.tools`` records what decided the tools."""
    update: dict[str, Any] = {"plugins": list(dict.fromkeys([*config.tools.plugins, *plugins]))}
    if tools is not None:
        update["names"] = list(tools)
    return config.model_copy(update={"tools": config.tools.model_copy(update=update)})


def make_agent_phase(
    model: str | None,
    *,
    config_files: list[str],
    overrides: list[str],
    plugins: list[str],
    tools: list[str] | None = None,
    dataset: str = "",
) -> AgentPhase:
    """Check config, model and tools once, before any instance runs."""
    from agent.config import ConfigError
    from agent.models.base import ModelError
    from agent.runner import UsageError

    try:
        run_config = with_tool_selection(load_run_config(config_files, overrides), plugins, tools)
        phase = AgentPhase(model, run_config, dataset)
        if not phase.is_oracle:
            from agent.models.factory import make_model

            phase.model_name = make_model(model, run_config.model).name
        phase._registry()
    except (ConfigError, ModelError, UsageError, OSError) as exc:
        raise RunnerError(str(exc)) from None
    return phase
