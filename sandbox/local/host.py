"""LocalHost: the ShellHost of the local backend (a bash on the host, confined or not)."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile

from sandbox.errors import SandboxClosedError, SandboxError, SandboxRootGoneError
from sandbox.local import procs
from sandbox.local.confine import Confinement
from sandbox.session.channel import Channel, PipeChannel

_BASH = ["bash", "--noprofile", "--norc"]


class LocalHost:
    probes = False  # no cgroup of its own: the host's counters would mean nothing here

    def __init__(self, root: str, env: dict[str, str], confinement: Confinement) -> None:
        self._root = root
        self._env = env
        self._confinement = confinement
        # 0700, bound in when confined; on tmpfs where there is one: the snapshot after every
        # command costs ~0.1 ms there, and up to a few ms on a disk under load
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.state_dir = tempfile.mkdtemp(prefix="patchloop-local-", dir=shm)
        self.files_dir = self.state_dir
        self._process: subprocess.Popen[bytes] | None = None
        self.closed = False  # set by close() from any thread: no new shell, a running one is "closed"
        self._bash = _find_bash(env)

    def start_shell(self) -> Channel:
        if self.closed:
            raise SandboxClosedError("the sandbox was closed while it was in use")
        argv = self._confinement.argv(
            [self._bash, *_BASH[1:]], self._root, [self.state_dir], self._root, self._env.get("PATH", "")
        )
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=self._root,
                env=self._env,
                start_new_session=True,  # its own session: Ctrl-C's SIGINT never reaches it
            )
        except OSError as exc:
            raise SandboxError(f"could not start {argv[0]}: {exc}") from None
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        return PipeChannel(os.dup(process.stdin.fileno()), os.dup(process.stdout.fileno()))

    def shell_alive(self, channel: Channel, pid: int) -> bool | None:
        return self._process is not None and self._process.poll() is None

    def shell_exit_code(self, channel: Channel) -> int:
        if self._process is None:
            return -1
        try:
            code = self._process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return -1
        return code if code >= 0 else 128 - code  # killed by a signal: 128 + N, as a shell says

    def kill(self, session_pid: int, marker: str | None) -> None:
        process, self._process = self._process, None
        if process is not None:
            # The shell's session (its own, from start_new_session) and, confined, its whole
            # pid namespace: bwrap's death takes every process in it along.
            procs.kill_matching(process.pid, marker)
            _close(process)
        elif marker:
            procs.kill_matching(0, marker)

    def oom_kills(self) -> int | None:
        return None

    def put_file(self, path: str, data: bytes) -> None:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(data)

    def transient_start_failure(self, output: str) -> bool:
        """bwrap's recursive read-only bind of / can meet a mount that is going away (a
        container's overlay on a busy Docker host): "Can't bind mount ... Invalid argument"."""
        return self._confinement.confined and "bwrap: Can't" in output and "mount" in output

    def check_gone(self, settle: bool = False) -> None:
        if self.closed:
            raise SandboxClosedError("the sandbox was closed while it was in use")
        if not os.path.isdir(self._root):
            raise SandboxRootGoneError(
                f"the sandbox root {self._root} no longer exists (removed while in use); "
                "create it again or make a new LocalSandbox"
            )

    def close(self) -> None:
        import shutil

        shutil.rmtree(self.state_dir, ignore_errors=True)


def _find_bash(env: dict[str, str]) -> str:
    import shutil

    found = shutil.which("bash", path=env.get("PATH")) or shutil.which("bash")
    if not found:
        raise SandboxError("bash was not found on PATH; the local sandbox runs commands with bash")
    return os.path.realpath(found)  # a link under /tmp would not be there for a confined shell


def _close(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    try:
        process.wait(timeout=2.0)
    except subprocess.TimeoutExpired:
        pass
