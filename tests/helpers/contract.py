"""What the sandbox contract suite needs of a backend (see tests/sandbox/contract/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.procs import host_pids
from sandbox.backend import SandboxBackend, SandboxSpec

BASE_IMAGE = os.environ.get("PATCHLOOP_BASE_IMAGE", "patchloop-base:bookworm")


@dataclass
class Contract:
    name: str
    backend: SandboxBackend
    run_id: str
    spec: SandboxSpec  # what ``open()`` asks for
    persistent: bool  # state (cd, export, functions) carries over between commands
    isolated: bool  # no network of the host reaches the commands
    processes: Callable[[Any, str], list[int | str]]  # what still runs with ``needle`` in its command line
    kill_from_outside: Callable[[Any], None]  # lose the sandbox the way its engine can
    last_token: Callable[[Any], str] | None = None  # the last command's sentinel token (sessions)
    opened: list[Any] = field(default_factory=list)

    def open(self, **changes: Any) -> Any:
        sandbox = self.backend.open(self.spec.model_copy(update=changes))
        self.opened.append(sandbox)
        return sandbox

    def cleanup(self) -> list[str]:
        return self.backend.cleanup(self.run_id)

    def close_all(self) -> None:
        for sandbox in self.opened:
            sandbox.close()
        self.backend.cleanup(self.run_id)


# ---------------------------------------------------------------- docker


def _docker_processes(sandbox: Any, needle: str) -> list[int | str]:
    """Command lines in the container (a fresh exec sees every pid namespace member)."""
    from docker.errors import APIError

    from sandbox.engine import connect

    client = connect()
    try:
        result = client.containers.get(sandbox.container_id).exec_run(["ps", "-eo", "args="])
    except APIError:  # the container is gone: nothing of it runs
        return []
    finally:
        client.close()
    lines = result.output.decode(errors="replace").splitlines()
    return [line for line in lines if needle in line and "ps -eo" not in line]


def _docker_kill(sandbox: Any) -> None:
    from sandbox.engine import connect

    client = connect()
    try:
        client.api.kill(sandbox.container_id)
    finally:
        client.close()


def _docker(role: str) -> Callable[[Path, str], Contract]:
    def make(tmp_path: Path, run_id: str) -> Contract:
        from sandbox.docker.backend import DockerBackend, DockerConfig

        backend = DockerBackend(DockerConfig(memory="512m", pids=256))
        return Contract(
            name=f"docker-{'session' if role == 'agent' else 'exec'}",
            backend=backend,
            run_id=run_id,
            spec=SandboxSpec(run_id=run_id, role=role, image=BASE_IMAGE),  # type: ignore[arg-type]
            persistent=role == "agent",
            isolated=True,
            processes=_docker_processes,
            kill_from_outside=_docker_kill,
            last_token=(lambda sandbox: sandbox._session.last_token) if role == "agent" else None,
        )

    return make


# ---------------------------------------------------------------- local


def _local_kill(sandbox: Any) -> None:
    import shutil

    shutil.rmtree(sandbox.root)


def _local(unconfined: bool) -> Callable[[Path, str], Contract]:
    def make(tmp_path: Path, run_id: str) -> Contract:
        from sandbox.local.backend import LocalBackend, LocalConfig

        root = tmp_path / "root"
        root.mkdir()
        backend = LocalBackend(LocalConfig(unsafe_unconfined=unconfined))
        return Contract(
            name="local-unconfined" if unconfined else "local-bwrap",
            backend=backend,
            run_id=run_id,
            spec=SandboxSpec(run_id=run_id, workdir=str(root)),
            persistent=True,
            isolated=not unconfined,
            processes=lambda _sandbox, needle: list(host_pids(needle)),
            kill_from_outside=_local_kill,
            last_token=lambda sandbox: sandbox._session.last_token,
        )

    return make


MAKERS: dict[str, Callable[[Path, str], Contract]] = {
    "docker-session": _docker("agent"),
    "docker-exec": _docker("eval"),
    "local-bwrap": _local(False),
    "local-unconfined": _local(True),
}
