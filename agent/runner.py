"""run_single: everything ``python -m agent run`` does between parsing and printing.

Config, model, tools, sandbox (with the repository copied in), trajectory writer, the
run itself and the clean-up. Secrets stay out of the sandbox: its environment is only
``sandbox.env`` from the config, checked against the model's key variable.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.task import AgentEvent, RunResult
from agent.textfile import read_utf8

if TYPE_CHECKING:
    from agent.config import RunConfig, ToolsConfig
    from tools.registry import ToolRegistry

CONTAINER_TAR = "/tmp/patchloop-repo.tar"
RUN_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
SECRET_SUFFIXES = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")


class UsageError(Exception):
    """Bad command-line input or configuration (the message says what to change)."""


@dataclass
class RunOptions:
    repo: Path
    task: str | None = None
    task_file: Path | None = None
    model: str | None = None
    sandbox: str | None = None
    image: str | None = None
    in_place: bool = False
    allow_dirty: bool = False  # start from uncommitted changes (else a dirty repository is a UsageError)
    plugins: list[str] = field(default_factory=list)
    tools: list[str] | None = None  # tool names the agent sees (None: tools.names of the config)
    config: Path | None = None
    overrides: list[str] = field(default_factory=list)
    output: Path = Path("runs")
    run_id: str | None = None


@dataclass
class Outcome:
    result: RunResult
    trajectory_path: Path
    patch_path: Path


def run_single(
    options: RunOptions,
    *,
    log: Callable[[str], None] = lambda _m: None,
    callbacks: Sequence[Callable[[AgentEvent], None]] = (),
) -> Outcome:
    from agent.config import ConfigError, load_config
    from agent.models.base import ModelError
    from agent.prompts import PromptError
    from agent.workspace import WorkspaceError, dirty_paths, repo_root

    overrides = list(options.overrides)
    if options.sandbox:
        overrides.append(f"sandbox.kind={options.sandbox}")
    if options.image:
        overrides.append(f"sandbox.image={options.image}")
    try:
        config = load_config(options.config, overrides)
        text = _task_text(options)
        root = repo_root(options.repo)
        _check_sandbox_env(config)
        if options.in_place and config.sandbox.kind != "local":
            raise UsageError("--in-place works only with --sandbox local")
        from agent.models.factory import make_model

        model = make_model(options.model, config.model)
        config = with_tool_selection(config, options.plugins, options.tools)
        registry = make_registry(config.tools)
        from agent.prompts import Prompts

        prompts = Prompts(config.agent.templates)
    except (ConfigError, ModelError, PromptError, WorkspaceError) as exc:
        raise UsageError(str(exc)) from None
    dirty = dirty_paths(root)
    if dirty and not options.allow_dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise UsageError(
            f"{root} has uncommitted changes ({shown}); commit or stash them, or pass --allow-dirty "
            "to start from them (they will then be part of the patch)"
        )
    if dirty:
        log(f"note: {root} has uncommitted changes; they are copied and will be part of the patch")

    run_id = options.run_id
    if run_id is None:  # an empty --run-id is refused below, not replaced
        run_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    if not RUN_ID.fullmatch(run_id):
        raise UsageError(
            f"--run-id {run_id!r}: use letters, digits, '.', '_' and '-' only (it names files and containers)"
        )
    output = options.output
    trajectory_path = output / f"{run_id}.jsonl"
    patch_path = output / f"{run_id}.patch"
    if trajectory_path.exists():
        raise UsageError(f"{trajectory_path} exists; choose another --run-id or --output")
    _check_output(output)

    from agent.loop import Agent
    from agent.task import Task
    from trajectories.writer import TrajectoryWriter

    with ExitStack() as stack:
        sandbox = open_sandbox(config, root, run_id, stack, in_place=options.in_place, log=log)
        output.mkdir(parents=True, exist_ok=True)  # only now: a sandbox that fails to start leaves nothing
        writer = stack.enter_context(TrajectoryWriter(trajectory_path, run_id))
        agent = Agent(
            model,
            registry,
            sandbox,
            config.agent,
            writer,
            callbacks,
            run_id=run_id,
            run_config=config.model_dump(mode="json"),
            prompts=prompts,
        )
        result = agent.run(Task(text=text, repo=str(root)))
    patch_path.parent.mkdir(parents=True, exist_ok=True)
    patch_path.write_text(result.submission, encoding="utf-8")
    return Outcome(result=result, trajectory_path=trajectory_path, patch_path=patch_path)


def with_tool_selection(
    config: RunConfig, plugins: Sequence[str] = (), tools: Sequence[str] | None = None
) -> RunConfig:
    """The config with ``--plugin`` specs added to ``tools.plugins`` and ``--tools`` as
    ``tools.names``, so ``run_start.config.tools`` records exactly what decided the tools."""
    from pydantic import ValidationError

    from agent.config import ConfigError

    specs = [_absolute_file_spec(spec) for spec in [*config.tools.plugins, *plugins]]
    update: dict[str, Any] = {"plugins": list(dict.fromkeys(specs))}
    if tools is not None:
        update["names"] = list(tools)
    try:
        selected = type(config.tools).model_validate({**config.tools.model_dump(), **update})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ConfigError(f"tools.{'.'.join(map(str, first['loc']))}: {first['msg']} (from --tools/--plugin)") from None
    return config.model_copy(update={"tools": selected})


def _check_output(output: Path) -> None:
    """``--output`` must be (or be makeable as) a writable folder; nothing is made here."""
    existing = output.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--output {output}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output}: {existing} is not writable")


def _absolute_file_spec(spec: str) -> str:
    """A ``.py`` plugin path made absolute, so the recorded config loads it from anywhere."""
    return str(Path(spec).absolute()) if spec.endswith(".py") else spec


def _task_text(options: RunOptions) -> str:
    if options.task is not None:
        text = options.task
    elif options.task_file is not None:
        text = read_utf8(options.task_file, "--task-file", UsageError)
    else:
        raise UsageError("give the task with --task TEXT or --task-file FILE")
    if not text.strip():
        raise UsageError("the task text is empty")
    return text


def _check_sandbox_env(config: object) -> None:
    """sandbox.env must not carry the model's key (or anything named like a secret)."""
    env = config.sandbox.env  # type: ignore[attr-defined]
    key_env = config.model.api_key_env  # type: ignore[attr-defined]
    for name in env:
        if name == key_env or name.upper().endswith(SECRET_SUFFIXES):
            raise UsageError(f"sandbox.env.{name} looks like a secret; API keys are never passed into the sandbox")


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


def open_sandbox(
    config: RunConfig,
    root: Path,
    run_id: str,
    stack: ExitStack,
    *,
    in_place: bool = False,
    init_script: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> Any:
    """A sandbox (``sandbox.kind``) holding a copy of the repository at ``root``, closed by ``stack``.

    Local: a scratch copy in a temporary folder (or ``root`` itself with ``in_place``).
    Docker: a container from ``sandbox.image`` with the repository (history included)
    extracted at ``sandbox.workdir``; ``init_script`` runs at every session start.
    """
    cfg = config.sandbox
    if cfg.kind == "local":
        from agent.workspace import copy_repo
        from sandbox.local import LocalSandbox

        if in_place:
            workdir = root
        else:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"patchloop-{run_id}-")))
            workdir = copy_repo(root, scratch / root.name)
            log(f"working in a scratch copy: {workdir}")
        return stack.enter_context(LocalSandbox(workdir, env=dict(cfg.env)))

    from agent.workspace import repo_tar
    from sandbox.docker import DockerSandbox
    from sandbox.errors import SandboxError

    try:
        sandbox = DockerSandbox(
            cfg.image,
            workdir=cfg.workdir,
            env=dict(cfg.env),
            network=cfg.network,
            memory=cfg.memory,
            cpus=cfg.cpus,
            pids=cfg.pids,
            run_id=run_id,
            labels={"patchloop.component": "agent-run"},
            init_script=init_script,
        )
    except SandboxError as exc:
        raise UsageError(str(exc)) from None
    stack.enter_context(sandbox)
    log(f"copying {root} into {cfg.image}:{cfg.workdir} (container {sandbox.container_id[:12]})")
    sandbox.write_file(CONTAINER_TAR, repo_tar(root))
    result = sandbox.execute(
        f"mkdir -p {cfg.workdir} && tar -xf {CONTAINER_TAR} --no-same-owner -C {cfg.workdir} && rm -f {CONTAINER_TAR}",
        timeout=300,
        cwd="/",
    )
    if result.exit_code != 0:
        raise UsageError(f"copying the repository into the container failed: {result.output[-500:]}")
    return sandbox


def progress_printer(write: Callable[[str], None]) -> Callable[[AgentEvent], None]:
    """A callback printing one short line per tool call, result, error and compaction."""

    def show(event: AgentEvent) -> None:
        p = event.payload
        if event.type == "tool_call":
            args = p["arguments_raw"].replace("\n", " ")
            write(f"step {event.step}: {p['name']} {args[:100]}{'...' if len(args) > 100 else ''}")
        elif event.type == "tool_result":
            first = next((line for line in p["content"].splitlines() if line.strip()), "")
            state = "timed out" if p["timed_out"] else ("ok" if p["ok"] else "failed")
            write(f"  -> {state}: {first[:100]}")
        elif event.type == "error":
            write(f"  ! {p['where']} {p['error_type']}: {p['message'][:160]}")
        elif event.type == "context":
            count, before, after = len(p["compacted"]), p["chars_before"], p["chars_after"]
            write(f"  context: compacted {count} observation(s), {before} -> {after} chars")

    return show
