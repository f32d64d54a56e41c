"""DockerHost: the session protocol's ShellHost for one container.

Shells are ``docker exec -i bash`` processes (``stream.ExecStream``); liveness, kills and
the OOM counter go through the idle control shell (builtins only, so they work when a fork
bomb has taken every pid); the exit code of an ended shell comes from ``exec_inspect``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sandbox.docker.files import ContainerFiles
from sandbox.docker.stream import ExecStream
from sandbox.errors import SandboxError
from sandbox.session.channel import Channel
from sandbox.session.control import ControlShell

if TYPE_CHECKING:
    import docker

BASH = ["bash", "--noprofile", "--norc"]
EXIT_CODE_WAIT_S = 1.0


class DockerHost:
    probes = True
    state_dir = "/dev/shm"  # tmpfs: the snapshot after each command costs ~0.2 ms, not ~1 ms
    files_dir = "/tmp"  # the archive API cannot write into the /dev/shm mount

    def __init__(
        self,
        client: docker.DockerClient,
        container_id: str,
        workdir: str,
        files: ContainerFiles,
        lost: Callable[[], SandboxError],
        running: Callable[[float], bool],
    ) -> None:
        self._client = client
        self._id = container_id
        self._workdir = workdir
        self._files = files
        self._lost = lost
        self._running = running
        self.control = ControlShell(lambda: self.open(BASH))

    def open(self, cmd: list[str], environment: dict[str, str] | None = None) -> ExecStream:
        """Start a process in the container; the sandbox's gone error if the container is."""
        from docker.errors import APIError

        try:
            return ExecStream(self._client, self._id, cmd, workdir=self._workdir, environment=environment)
        except APIError as exc:
            if exc.status_code in (404, 409) or not self._running(0.0):
                raise self._lost() from None
            raise SandboxError(
                f"could not start a process in container {self._id[:12]}: {exc.explanation or exc}"
            ) from None

    def start_shell(self) -> Channel:
        return self.open(BASH)

    def shell_alive(self, channel: Channel, pid: int) -> bool | None:
        alive = self.control.alive(pid) if pid else None
        if alive is None and isinstance(channel, ExecStream):
            return channel.exit_code() is None
        return alive

    def shell_exit_code(self, channel: Channel) -> int:
        if not isinstance(channel, ExecStream):
            return -1
        deadline = time.monotonic() + EXIT_CODE_WAIT_S
        while time.monotonic() < deadline:
            code = channel.exit_code()
            if code is not None:
                return code
            time.sleep(0.01)
        return -1

    def kill(self, session_pid: int, marker: str | None) -> None:
        self.control.kill(session_pid, marker)

    def oom_kills(self) -> int | None:
        return self.control.oom_kills()

    def put_file(self, path: str, data: bytes) -> None:
        self._files.put(path, data)

    def transient_start_failure(self, output: str) -> bool:
        return False

    def check_gone(self, settle: bool = False) -> None:
        # A dying container can still report "running" for a moment: ask for up to 1 s.
        if not self._running(1.0 if settle else 0.0):
            raise self._lost()

    def close(self) -> None:
        self.control.close()
