"""What a replay is made from: the recording, its config, task and plugins, and a fresh
sandbox like the recorded one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.replay.script import ReplayError

if TYPE_CHECKING:
    from agent.build import SandboxFactory
    from agent.config import RunConfig
    from agent.task import Task
    from tools.registry import ToolRegistry
    from trajectories.events import Event
    from trajectories.trajectory import Trajectory


def load_recording(path: Path) -> Trajectory:
    import warnings

    from trajectories.reader import TornLineWarning, load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TornLineWarning)
        return load(path)


def run_config_of(traj: Trajectory) -> RunConfig:
    """The configuration recorded in ``run_start.config`` (defaults for absent sections)."""
    from pydantic import ValidationError

    from agent.config import RunConfig
    from patchloop.validation import explain

    try:
        return RunConfig.model_validate(traj.run_start.config)
    except ValidationError as exc:
        title = f"run_start.config of {traj.path} is not a configuration this patchloop understands"
        raise ReplayError(explain(exc, title=title)) from None


def task_of(traj: Trajectory) -> Task:
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


def new_run_id(traj: Trajectory, mode: str) -> str:
    return f"{traj.run_id}-{mode}-{uuid.uuid4().hex[:6]}"


def default_output(source: Path, run_id: str, mode: str) -> Path:
    return source.with_name(f"{source.stem}.{mode}-{run_id.rsplit('-', 1)[-1]}.jsonl")


def sandbox_for(traj: Trajectory, config: RunConfig, repo: Path | None, run_id: str) -> SandboxFactory:
    """A factory of fresh sandboxes like the recorded one (``run_start.sandbox``: Docker
    image, or local), with ``repo`` copied in when given (needed for local runs). What
    cannot work is refused here, before anything is made."""
    recorded = traj.run_start.sandbox
    if recorded.kind not in ("docker", "local"):
        raise ReplayError(f"the recorded sandbox kind {recorded.kind!r} cannot be made again (docker or local)")
    sandbox_cfg = config.sandbox.model_copy(
        update={"kind": recorded.kind, "image": recorded.image or config.sandbox.image, "workdir": recorded.workdir}
    )
    config = config.model_copy(update={"sandbox": sandbox_cfg})
    host_repo = traj.run_start.task.repo
    if repo is None and recorded.kind == "docker" and host_repo and Path(host_repo).is_absolute():
        raise ReplayError(
            f"the run copied the local repository {host_repo} into a fresh {recorded.image} container "
            f"(python -m agent run); the image alone does not hold it: give --repo PATH (e.g. --repo {host_repo}) "
            "to copy it in again"
        )
    if repo is None and recorded.kind == "local":
        hint = f" (e.g. --repo {host_repo}, where it ran)" if host_repo and Path(host_repo).is_absolute() else ""
        raise ReplayError(
            f"the run used a local sandbox ({recorded.workdir}); give --repo PATH{hint}, the repository to replay in "
            "(a scratch copy is made)"
        )
    root = None
    if repo is not None:
        from agent.workspace import WorkspaceError, repo_root

        try:
            root = repo_root(repo)
        except WorkspaceError as exc:
            raise ReplayError(str(exc)) from None

    @contextmanager
    def opened() -> Iterator[Any]:
        with ExitStack() as stack:
            yield _open(config, root, run_id, stack, recorded.init_script)

    return opened


def _open(config: RunConfig, root: Path | None, run_id: str, stack: ExitStack, init_script: str | None) -> Any:
    from agent.build import UsageError
    from agent.sandboxes import open_sandbox
    from sandbox.docker import DockerSandbox
    from sandbox.errors import SandboxError

    cfg = config.sandbox
    try:
        if root is not None:
            return open_sandbox(config, root, run_id, stack, init_script=init_script)
        sandbox = DockerSandbox(
            cfg.image,
            workdir=cfg.workdir,
            env=dict(cfg.env),
            network=cfg.network,
            memory=cfg.memory,
            cpus=cfg.cpus,
            pids=cfg.pids,
            run_id=run_id,
            labels={"patchloop.component": "replay"},
            init_script=init_script,
        )
    except (UsageError, SandboxError) as exc:
        raise ReplayError(f"cannot start a fresh sandbox from {cfg.image}: {exc}") from None
    return stack.enter_context(sandbox)


class Tee:
    """Writes events to a file (if any) and keeps them validated in memory."""

    def __init__(self, run_id: str, output: Path | None, forked_from: dict[str, Any] | None = None) -> None:
        from trajectories.recorder import MemoryRecorder
        from trajectories.writer import TrajectoryWriter

        self.memory = MemoryRecorder(run_id)
        self.writer = TrajectoryWriter(output, run_id) if output is not None else None
        self.forked_from = forked_from

    @property
    def events(self) -> list[Event]:
        return self.memory.events

    def emit(self, type: str, *, step: int | None = None, parent: int | None = None, **payload: Any) -> int:
        if type == "run_start" and self.forked_from is not None:
            payload["forked_from"] = self.forked_from
        if self.writer is not None:
            self.writer.emit(type, step=step, parent=parent, **payload)
        return self.memory.emit(type, step=step, parent=parent, **payload)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
