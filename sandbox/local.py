"""LocalSandbox: the Sandbox protocol over host subprocesses, confined (for files) to a root.

Each command is a fresh ``bash`` in its own process session (``start_new_session``), so a
timeout can kill its whole process group. The working directory carries over from one
command to the next through the same sentinel line the Docker session uses; exported
variables do not (each command starts from the sandbox's environment).
"""

from __future__ import annotations

import logging
import os
import select
import shlex
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from sandbox.base import DEFAULT_OUTPUT_LIMIT, DEFAULT_TIMEOUT_S, ExecResult
from sandbox.checks import check_execute, check_output_limit, check_path, check_write, sandbox_env
from sandbox.errors import (
    PathEscapeError,
    SandboxClosedError,
    SandboxError,
    SandboxFileNotFoundError,
)
from sandbox.output import OutputCapture
from sandbox.protocol import SentinelScanner, command_script, new_nonce

log = logging.getLogger(__name__)

# Only these host variables reach commands, so API keys in the driver's environment do not.
PASSED_HOST_ENV = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ")
_KILL_WAIT_S = 0.5


class LocalSandbox:
    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        env: dict[str, str] | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
    ) -> None:
        root_path = Path(root).expanduser()
        if not root_path.is_dir():
            raise FileNotFoundError(f"LocalSandbox root {root_path} is not a folder; create it first")
        check_output_limit(output_limit)
        self.root = root_path.resolve()
        self.workdir = str(self.root)
        self.output_limit = output_limit
        self._env = {k: os.environ[k] for k in PASSED_HOST_ENV if k in os.environ}
        self._env.update(sandbox_env(env, log))
        self._cwd = self.workdir
        self._nonce = new_nonce()
        self._groups: set[int] = set()
        self._lock = threading.RLock()
        self._closed = False

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def cwd(self) -> str:
        return self._cwd

    def close(self) -> None:
        """Kill whatever commands (and their background children) are still running."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for group in self._groups:
                _kill_group(group)
            self._groups.clear()

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
            script = (
                "exec 2>&1\n"
                + f"cd -- {shlex.quote(self._cwd)} 2>/dev/null || cd -- {shlex.quote(self.workdir)}\n"
                + command_script(command, self._nonce, cwd=cwd, env=env)
            )
            started = time.monotonic()
            # From a file, not `bash -c`: one argv string may not exceed 128 KiB on Linux.
            handle, script_path = tempfile.mkstemp(prefix="patchloop-cmd-", suffix=".sh")
            with os.fdopen(handle, "w", encoding="utf-8", errors="surrogateescape") as out:
                out.write(script)
            process = subprocess.Popen(
                ["bash", "--noprofile", "--norc", script_path],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=self._env,
                start_new_session=True,
            )
            self._groups.add(process.pid)
            capture = OutputCapture(self.output_limit)
            scanner = SentinelScanner(self._nonce, capture)
            assert process.stdout is not None
            fd = process.stdout.fileno()
            try:
                finished, eof = _pump(fd, scanner, started + timeout)
                timed_out = not finished and not eof
                if timed_out:
                    _kill_group(process.pid)
                    _pump(fd, scanner, time.monotonic() + 0.2)
            except BaseException:
                _kill_group(process.pid)  # interrupted (Ctrl-C): the command must not run on
                raise
            finally:
                process.stdout.close()
                os.unlink(script_path)
            if finished:
                assert scanner.sentinel is not None
                exit_code = scanner.sentinel.exit_code
                self._cwd = scanner.sentinel.cwd or self._cwd
            else:
                scanner.flush()
                exit_code = -1
            try:
                code = process.wait(timeout=_KILL_WAIT_S)
                if not finished and not timed_out:
                    # The shell itself exited (`exit 3`), or was killed by a signal: 128 + N,
                    # as a shell reports it and as DockerSandbox does.
                    exit_code = code if code >= 0 else 128 - code
            except subprocess.TimeoutExpired:
                _kill_group(process.pid)
                process.wait()
            if not _group_alive(process.pid):
                self._groups.discard(process.pid)
            output = capture.text()
            if timed_out:
                output += "\n[patchloop: the command timed out and was killed]\n"
            return ExecResult(
                output=output,
                exit_code=exit_code,
                timed_out=timed_out,
                truncated=capture.truncated,
                duration_s=round(time.monotonic() - started, 6),
            )

    def _check_usable(self) -> None:
        if self._closed:
            raise SandboxClosedError("this sandbox was closed; create a new LocalSandbox")
        if not self.root.is_dir():
            raise SandboxError(
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


def _pump(fd: int, scanner: SentinelScanner, deadline: float) -> tuple[bool, bool]:
    """Read until the sentinel; returns (sentinel seen, end of stream)."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False, False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        data = os.read(fd, 256 * 1024)
        if not data:
            return False, True
        if scanner.feed(data):
            return True, False


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
