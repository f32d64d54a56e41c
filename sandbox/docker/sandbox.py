"""DockerSandbox: commands in a locked-down container, through one persistent bash session."""

from __future__ import annotations

import logging
import posixpath
import threading
import time
import uuid
from typing import TYPE_CHECKING, Literal

from sandbox.base import DEFAULT_OUTPUT_LIMIT, DEFAULT_TIMEOUT_S, ExecResult
from sandbox.checks import check_execute, check_output_limit, check_write, sandbox_env
from sandbox.docker.container import (
    MANAGED_LABEL,
    RUN_ID_LABEL,
    close_quietly,
    create_container,
    is_running,
)
from sandbox.docker.exec_mode import run_exec
from sandbox.docker.files import ContainerFiles
from sandbox.docker.host import DockerHost
from sandbox.engine import api_call, connect
from sandbox.errors import ContainerGoneError, SandboxClosedError, SandboxError
from sandbox.reaper import reaper
from sandbox.session.result import to_result
from sandbox.session.shell import Outcome, ShellSession

if TYPE_CHECKING:
    import docker

log = logging.getLogger("sandbox.docker")

__all__ = ["MANAGED_LABEL", "RUN_ID_LABEL", "DockerSandbox"]


class DockerSandbox:
    """A container started from ``image`` with no network and memory/CPU/pids limits.

    ``mode="session"`` (default) runs every command in one persistent bash, so ``cd`` and
    ``export`` carry over; ``mode="exec"`` runs each command in a fresh ``docker exec``.
    """

    def __init__(
        self,
        image: str,
        *,
        workdir: str = "/testbed",
        env: dict[str, str] | None = None,
        network: bool = False,
        memory: str | None = "4g",
        cpus: float | None = 2,
        pids: int | None = 512,
        run_id: str | None = None,
        labels: dict[str, str] | None = None,
        mode: Literal["session", "exec"] = "session",
        init_script: str | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        pull_attempts: int = 3,
        client: docker.DockerClient | None = None,
    ) -> None:
        if mode not in ("session", "exec"):
            raise ValueError(f"mode must be 'session' or 'exec', got {mode!r}")
        if not workdir.startswith("/"):
            raise ValueError(f"workdir must be an absolute path inside the container, got {workdir!r}")
        check_output_limit(output_limit)
        checked_env = sandbox_env(env, log)
        self.image = image
        self.workdir = posixpath.normpath(workdir)
        self.mode = mode
        self.memory = memory
        self.pids = pids
        self.run_id = run_id or f"sbx-{uuid.uuid4().hex[:12]}"
        self.init_script = init_script
        self.output_limit = output_limit
        self._lock = threading.RLock()  # one command (or file operation) at a time
        self._close_lock = threading.Lock()
        self._closed = False
        self._gone = False
        self._pids_events: int | None = None
        self._host: DockerHost | None = None
        self._session: ShellSession | None = None
        self.container_id = ""

        self._owns_client = client is None
        self._client = client or connect()
        self.container_id = create_container(
            self._client,
            image,
            workdir=self.workdir,
            env=checked_env,
            network=network,
            memory=memory,
            cpus=cpus,
            pids=pids,
            labels={**(labels or {}), MANAGED_LABEL: "1", RUN_ID_LABEL: self.run_id},
            pull_attempts=pull_attempts,
        )
        reaper().register(self.container_id, self._remove_container)
        try:
            api_call(self._client.api.start, self.container_id)
            self._files = ContainerFiles(
                self._client, self.container_id, self.workdir, lambda: self._running(), self._lost
            )
            self._host = DockerHost(
                self._client, self.container_id, self.workdir, self._files, self._lost, self._running
            )
            self._session = ShellSession(
                self._host, workdir=self.workdir, init_script=init_script, output_limit=output_limit
            )
            if mode == "session":
                self._session.start()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the container (kill, not stop: it is gone when this returns). Idempotent.

        Safe to call from another thread while a command runs: the container goes first,
        so that command ends at once (with SandboxClosedError) instead of being waited for.
        A removal the engine already has in progress (409) counts as done; an engine that
        no longer answers is logged, not raised (``python -m sandbox cleanup`` finds what is
        left).
        """
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        if self.container_id:
            reaper().unregister(self.container_id)
            self._remove_container()
        with self._lock:
            if self._host is not None:
                self._host.close()
            if self._session is not None:
                self._session.forget()
            if self._owns_client:
                self._client.close()

    def _remove_container(self) -> None:
        close_quietly(self._client, self.container_id)

    def _lost(self) -> SandboxError:
        """The error for "the container went away under us" (closed by us, or from outside)."""
        if self._closed:
            return SandboxClosedError("the sandbox was closed while it was in use")
        self._gone = True
        return ContainerGoneError(self._gone_message())

    def _check_usable(self) -> None:
        if self._closed:
            raise SandboxClosedError("this sandbox was closed; create a new DockerSandbox")
        if self._gone:
            raise ContainerGoneError(self._gone_message())

    def _gone_message(self) -> str:
        return (
            f"container {self.container_id[:12]} (image {self.image}) stopped or was removed "
            "from outside while in use; create a new sandbox"
        )

    def _running(self, settle_s: float = 0.0) -> bool:
        return is_running(self._client, self.container_id, settle_s)

    @property
    def cwd(self) -> str:
        """The session's current working directory (the workdir in exec mode)."""
        return self._session.cwd if self._session is not None and self.mode == "session" else self.workdir

    # ------------------------------------------------------------------ execute

    def execute(
        self,
        command: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
    ) -> ExecResult:
        timeout, env = check_execute(command, timeout, env)
        with self._lock:
            self._check_usable()
            assert self._session is not None and self._host is not None
            started = time.monotonic()
            if self.mode == "exec":
                outcome = self._execute_exec(command, timeout, cwd, env)
            else:
                outcome = self._session.run(command, timeout, cwd, env)
            if self._closed:  # closed from another thread while it ran: the result is the kill's
                raise SandboxClosedError("the sandbox was closed while it was in use")
            cwd = self.cwd if self.mode == "session" else ""
            return to_result(outcome, started, memory=self.memory, pids=self.pids, cwd=cwd)

    def _execute_exec(self, command: str, timeout: float, cwd: str | None, env: dict[str, str] | None) -> Outcome:
        assert self._host is not None
        outcome = run_exec(
            self._host,
            command,
            timeout,
            cwd=cwd or self.workdir,
            env=env,
            init_script=self.init_script,
            output_limit=self.output_limit,
        )
        events = outcome.sentinel.pids_events if outcome.sentinel is not None else None
        if events is not None:
            if self._pids_events is not None and events > self._pids_events and outcome.sentinel is not None:
                self._host.kill(outcome.sentinel.pid, None)
                outcome.pids_hit = True
            self._pids_events = events
        return outcome

    # ------------------------------------------------------------------ files

    def file_mode(self, path: str) -> int | None:
        """Permission bits of a file (following symlinks), or None when it does not exist."""
        with self._lock:
            self._check_usable()
            return self._files.file_mode(path)

    def read_file(self, path: str) -> bytes:
        """The bytes of a file inside the container (relative paths are under workdir)."""
        with self._lock:
            self._check_usable()
            return self._files.read(path)

    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None:
        """Write bytes to a file, creating parent folders.

        ``mode=None`` keeps an existing file's permission bits (0o644 for a new file).
        """
        check_write(data, mode)
        with self._lock:
            self._check_usable()
            self._files.write(path, data, mode)
