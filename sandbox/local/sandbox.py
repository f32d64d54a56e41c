"""LocalSandbox: the Sandbox protocol on the host, through one persistent, confined bash.

Commands run in one bash session driven by the shared session protocol
(``sandbox/session/``): ``cd``, ``export``, functions and aliases carry over, as in
Docker's session. With bubblewrap the shell lives in its own namespaces
(``sandbox/local/confine.py``); file operations are host-side and confined to the root.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
import weakref
from pathlib import Path

from sandbox.base import DEFAULT_OUTPUT_LIMIT, DEFAULT_TIMEOUT_S, ExecResult
from sandbox.checks import check_execute, check_output_limit, check_path, check_write, sandbox_env
from sandbox.errors import (
    PathEscapeError,
    SandboxClosedError,
    SandboxError,
    SandboxFileNotFoundError,
    SandboxRootGoneError,
)
from sandbox.local.confine import PASSED_HOST_ENV, ConfinementError, choose, shell_env
from sandbox.local.host import LocalHost
from sandbox.session.result import to_result
from sandbox.session.shell import ShellSession

log = logging.getLogger("sandbox.local")

__all__ = ["PASSED_HOST_ENV", "LocalSandbox", "run_marker"]


def run_marker(run_id: str | None) -> str:
    """The start of every command marker of a run's local sandboxes: ``<run>+`` (cleanup by
    run id); the driver's pid follows (``<run>+<pid>+``), so a cleanup of every run can
    leave the sandboxes of drivers still alive alone."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id or "") + "+"


class LocalSandbox:
    """Commands in ``root`` on this machine.

    ``bwrap="auto"`` confines them with bubblewrap when it is installed (pass a path to use
    another binary, None to act as if it were missing); ``unsafe_unconfined=True`` runs them
    unconfined even so, which lets them read the driver's environment. ``network=True``
    keeps the host's network (confined or not; the default is loopback only, confined).
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        env: dict[str, str] | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        bwrap: str | None = "auto",
        unsafe_unconfined: bool = False,
        network: bool = False,
        run_id: str | None = None,
        init_script: str | None = None,
    ) -> None:
        root_path = Path(root).expanduser()
        if not root_path.is_dir():
            raise FileNotFoundError(f"LocalSandbox root {root_path} is not a folder; create it first")
        check_output_limit(output_limit)
        self.root = root_path.resolve()
        self.workdir = str(self.root)
        self.output_limit = output_limit
        extra = sandbox_env(env, log)
        self.run_id = run_id
        self.confinement = choose(bwrap, unsafe_unconfined, os.environ, network=network)
        self._host = LocalHost(self.workdir, shell_env(extra, self.confinement.confined), self.confinement)
        self._session = ShellSession(
            self._host,
            workdir=self.workdir,
            init_script=init_script,
            output_limit=output_limit,
            marker_prefix=f"{run_marker(run_id)}{os.getpid()}+",
        )
        self._lock = threading.RLock()
        self._closed = False
        # A sandbox dropped without close() (or still open at exit) still kills its shell
        # and removes its state folder.
        self._finalizer = weakref.finalize(self, _release, self._session, self._host)
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        try:
            self._session.start()
        except ConfinementError:
            raise
        except SandboxError as exc:
            if not self.confinement.confined:
                raise
            raise ConfinementError(
                f"bwrap could not start a confined shell: {exc}. If this kernel refuses unprivileged "
                "user namespaces, allow them (sysctl kernel.unprivileged_userns_clone=1) or run "
                "unconfined with -c sandbox.unsafe_unconfined=true"
            ) from None

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def cwd(self) -> str:
        return self._session.cwd

    @property
    def confined(self) -> bool:
        return self.confinement.confined

    def close(self) -> None:
        """Kill the shell and everything any command started (also what left with setsid).

        Safe to call from another thread while a command runs: the shell goes first, so that
        command ends at once with SandboxClosedError instead of being waited for.
        """
        if self._closed:
            return
        self._closed = True
        self._host.closed = True
        self._host.kill(0, self._session.every_marker)  # what runs now dies; the next start is refused
        with self._lock:
            self._finalizer()

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
            started = time.monotonic()
            outcome = self._session.run(command, timeout, cwd, env)
            if self._closed:  # closed from another thread while it ran: the result is the kill's
                raise SandboxClosedError("the sandbox was closed while it was in use")
            return to_result(outcome, started)

    def _check_usable(self) -> None:
        if self._closed:
            raise SandboxClosedError("this sandbox was closed; create a new LocalSandbox")
        if not self.root.is_dir():
            raise SandboxRootGoneError(
                f"the sandbox root {self.root} no longer exists (removed while in use); "
                "create it again or make a new LocalSandbox"
            )

    # ------------------------------------------------------------------ files

    def _resolve(self, path: str) -> Path:
        check_path(path)
        self._check_usable()
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.root / candidate
        resolved = candidate.resolve()
        if resolved != self.root and not resolved.is_relative_to(self.root):
            raise PathEscapeError(
                f"path {path!r} resolves to {resolved}, outside the sandbox root {self.root}; "
                "use a path inside the root (relative paths are taken from the root)"
            )
        return resolved

    def file_mode(self, path: str) -> int | None:
        target = self._resolve(path)
        try:
            return target.stat().st_mode & 0o7777
        except FileNotFoundError:
            return None

    def read_file(self, path: str) -> bytes:
        target = self._resolve(path)
        if target.is_dir():
            raise SandboxFileNotFoundError(f"{target} is a folder, not a regular file")
        if not target.is_file():
            raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}")
        return target.read_bytes()

    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None:
        check_write(data, mode)
        target = self._resolve(path)  # symlinks inside the root are written through
        if target.is_dir():
            raise SandboxError(f"{target} is a folder; write_file writes files")
        if mode is None:
            mode = self.file_mode(str(target))
            if mode is None:
                mode = 0o644
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".pl-write-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temp, mode)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _release(session: ShellSession, host: LocalHost) -> None:
    try:
        session.close()
    finally:
        host.close()
