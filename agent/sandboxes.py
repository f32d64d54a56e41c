"""The sandbox of ``python -m agent run`` and of the replays: a copy of a local repository
in a scratch folder (local) or in a container (Docker), removed afterwards.

Secrets stay out: the sandbox's environment is only ``sandbox.env`` from the config, and
a name there that looks like a secret (``patchloop.secrets``) or is the model's key
variable is refused.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.build import SandboxFactory, UsageError
from patchloop.secrets import is_secret_name

if TYPE_CHECKING:
    from agent.config import RunConfig

CONTAINER_TAR = "/tmp/patchloop-repo.tar"


def check_sandbox_env(config: RunConfig) -> None:
    """sandbox.env must not carry the model's key (or anything named like a secret)."""
    for name in config.sandbox.env:
        if name == config.model.api_key_env or is_secret_name(name):
            raise UsageError(f"sandbox.env.{name} looks like a secret; API keys are never passed into the sandbox")


def sandbox_factory(
    config: RunConfig,
    root: Path,
    run_id: str,
    *,
    in_place: bool = False,
    init_script: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> SandboxFactory:
    """A factory for ``run_agent(open_sandbox=...)``: each call opens a sandbox holding the
    repository at ``root``; leaving it removes the sandbox and its scratch copy."""

    @contextmanager
    def opened() -> Iterator[Any]:
        with ExitStack() as stack:
            yield open_sandbox(config, root, run_id, stack, in_place=in_place, init_script=init_script, log=log)

    return opened


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
