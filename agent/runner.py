"""run_single: everything ``python -m agent run`` does between parsing and printing.

Every input is checked first (config, task, repository, model, tools, run id, output), so
bad input is one UsageError and nothing is made; then one ``run_agent`` call (agent/build.py)
opens the sandbox with the repository copied in, writes the trajectory, runs and cleans up.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from agent.build import UsageError, make_registry, prepare, run_agent
from agent.config import with_tool_selection
from agent.progress import progress_printer
from agent.sandboxes import check_sandbox_env, open_sandbox, sandbox_factory
from agent.task import AgentEvent, RunResult, Task
from agent.textfile import read_utf8

if TYPE_CHECKING:
    from patchloop.cancel import Cancel

__all__ = [
    "Outcome",
    "RunOptions",
    "UsageError",
    "make_registry",
    "open_sandbox",
    "progress_printer",
    "run_single",
    "with_tool_selection",
]


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
    config: Path | Sequence[Path] | None = None  # one file or several, merged in order
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
    cancel: Cancel | None = None,
) -> Outcome:
    from agent.config import load_config
    from agent.workspace import dirty_paths, repo_root
    from patchloop.errors import UserError
    from patchloop.names import check_component

    overrides = list(options.overrides)
    if options.sandbox:
        overrides.append(f"sandbox.kind={options.sandbox}")
    if options.image:
        overrides.append(f"sandbox.image={options.image}")
    try:
        config = load_config(options.config, overrides)
        text = _task_text(options)
        root = repo_root(options.repo)
        check_sandbox_env(config)
        if options.in_place and config.sandbox.kind != "local":
            raise UsageError("--in-place works only with --sandbox local")
        parts = prepare(config, model=options.model, plugins=options.plugins, tools=options.tools)
        run_id = options.run_id
        if run_id is None:  # an empty --run-id is refused, not replaced
            run_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
        check_component(run_id, "--run-id")
    except UserError as exc:
        raise UsageError(str(exc)) from None
    _check_dirty(root, dirty_paths(root), options.allow_dirty, log)
    trajectory_path = options.output / f"{run_id}.jsonl"
    patch_path = options.output / f"{run_id}.patch"
    if trajectory_path.exists():
        raise UsageError(f"{trajectory_path} exists; choose another --run-id or --output")
    _check_output(options.output)
    result = run_agent(
        parts,
        Task(text=text, repo=str(root)),
        run_id=run_id,
        open_sandbox=sandbox_factory(parts.config, root, run_id, in_place=options.in_place, log=log),
        trajectory=trajectory_path,
        callbacks=callbacks,
        cancel=cancel,
    )
    patch_path.parent.mkdir(parents=True, exist_ok=True)
    patch_path.write_text(result.submission, encoding="utf-8")
    return Outcome(result=result, trajectory_path=trajectory_path, patch_path=patch_path)


def _check_dirty(root: Path, dirty: list[str], allowed: bool, log: Callable[[str], None]) -> None:
    if dirty and not allowed:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise UsageError(
            f"{root} has uncommitted changes ({shown}); commit or stash them, or pass --allow-dirty "
            "to start from them (they will then be part of the patch)"
        )
    if dirty:
        log(f"note: {root} has uncommitted changes; they are copied and will be part of the patch")


def _check_output(output: Path) -> None:
    """``--output`` must be (or be makeable as) a writable folder; nothing is made here."""
    existing = output.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--output {output}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output}: {existing} is not writable")


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
