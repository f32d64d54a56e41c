"""DockerSandbox: commands in a locked-down container, through one persistent bash session."""

from __future__ import annotations

import logging
import posixpath
import shlex
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from sandbox.archive import (
    GO_DIR,
    first_entry,
    is_symlink,
    resolve_link,
    single_file_tar,
    unix_mode,
)
from sandbox.base import DEFAULT_OUTPUT_LIMIT, DEFAULT_TIMEOUT_S, ExecResult
from sandbox.checks import check_execute, check_output_limit, check_path, check_write, sandbox_env
from sandbox.control import ControlShell
from sandbox.engine import api_call, connect
from sandbox.errors import (
    ContainerGoneError,
    ImageNotFoundError,
    SandboxClosedError,
    SandboxError,
    SandboxFileNotFoundError,
)
from sandbox.images import ensure_image
from sandbox.output import OutputCapture
from sandbox.protocol import (
    INLINE_COMMAND_LIMIT,
    SentinelScanner,
    command_script,
    env_exports,
    eval_script,
    new_nonce,
    sentinel_printf,
)
from sandbox.reaper import reaper
from sandbox.stream import ExecStream

if TYPE_CHECKING:
    import docker

log = logging.getLogger(__name__)

MANAGED_LABEL = "patchloop.managed"
RUN_ID_LABEL = "patchloop.run_id"
# Builtins only (works when no process can be forked): how often a fork hit the pids limit.
PIDS_PROBE = (
    "{ read -r _ __pl_x < /sys/fs/cgroup/pids/pids.events"
    " || read -r _ __pl_x < /sys/fs/cgroup/pids.events; } 2>/dev/null"
)
_BASH = ["bash", "--noprofile", "--norc"]
_EXEC_ARG_LIMIT = 64 * 1024


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
        env = sandbox_env(env, log)
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
        self._session: ExecStream | None = None
        self._session_pid = 0
        self._nonce = new_nonce()
        self._state_file = f"/dev/shm/.patchloop-state-{self._nonce}"  # tmpfs: cheap writes
        self._carry = b""
        self._cwd = self.workdir
        self._oom_seen = 0
        self._pids_events = 0
        self._control: ControlShell | None = None
        self.container_id = ""

        self._owns_client = client is None
        self._client = client or connect()
        self.container_id = self._create_container(image, env, network, memory, cpus, pids, labels, pull_attempts)
        reaper().register(self.container_id, self._remove_container)
        try:
            api_call(self._client.api.start, self.container_id)
            self._control = ControlShell(self._client, self.container_id)
            if mode == "session":
                self._start_session(self.workdir)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def _create_container(
        self,
        image: str,
        env: dict[str, str] | None,
        network: bool,
        memory: str | None,
        cpus: float | None,
        pids: int | None,
        labels: dict[str, str] | None,
        pull_attempts: int,
    ) -> str:
        from docker.errors import APIError, DockerException, ImageNotFound

        try:
            host_config = self._client.api.create_host_config(
                init=True,
                network_mode=None if network else "none",
                mem_limit=memory,
                memswap_limit=memory,  # no swap: a memory hog is killed, not slowed to a crawl
                nano_cpus=int(cpus * 1e9) if cpus else None,
                pids_limit=pids,
            )
        except (DockerException, TypeError, ValueError) as exc:
            raise SandboxError(
                f"invalid container limits (memory={memory!r}, cpus={cpus!r}, pids={pids!r}): "
                f"{exc}. Pass memory like '4g' or '512m', cpus as a number, pids as an integer."
            ) from None

        def create() -> str:
            created = api_call(
                self._client.api.create_container,
                image,
                entrypoint=["sleep"],
                command=["infinity"],
                working_dir=self.workdir,
                environment=env or {},
                labels={**(labels or {}), MANAGED_LABEL: "1", RUN_ID_LABEL: self.run_id},
                host_config=host_config,
                detach=True,
            )
            return created["Id"]

        try:
            try:
                return create()  # the common case: the image is there; no separate inspect
            except ImageNotFound:
                ensure_image(image, client=self._client, pull_attempts=pull_attempts)
                return create()
        except APIError as exc:
            if isinstance(exc, ImageNotFound):  # pulled, yet still missing at create
                raise ImageNotFoundError(image, str(exc.explanation or exc)) from None
            raise SandboxError(
                f"Docker refused to create a container from {image!r}: "
                f"{exc.explanation or exc}. Check the limits (memory={memory!r}, cpus={cpus!r}, "
                f"pids={pids!r}) and the other arguments."
            ) from None

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the container (kill, not stop: it is gone when this returns). Idempotent.

        Safe to call from another thread while a command runs: the container goes first,
        so that command ends at once (with SandboxClosedError) instead of being waited for.
        """
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        if self.container_id:
            reaper().unregister(self.container_id)
            self._remove_container()
        with self._lock:
            for stream in (self._session, self._control):
                if stream is not None:
                    stream.close()
            self._session = None
            if self._owns_client:
                self._client.close()

    def _lost(self) -> SandboxError:
        """The error for "the container went away under us" (closed by us, or from outside)."""
        if self._closed:
            return SandboxClosedError("the sandbox was closed while it was in use")
        self._gone = True
        return ContainerGoneError(self._gone_message())

    def _remove_container(self) -> None:
        from docker.errors import NotFound

        try:
            api_call(self._client.api.remove_container, self.container_id, force=True)
        except NotFound:
            pass

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

    def _container_running(self, settle_s: float = 0.0) -> bool:
        """Is the container running? With ``settle_s``, keep asking that long while it says
        yes: a container being killed can still report "running" for a moment."""
        from docker.errors import NotFound

        deadline = time.monotonic() + settle_s
        while True:
            try:
                state = api_call(self._client.api.inspect_container, self.container_id)["State"]
            except NotFound:
                return False
            if not state.get("Running") or state.get("Restarting"):
                return False
            if time.monotonic() >= deadline:
                return True
            time.sleep(0.05)

    # ------------------------------------------------------------------ session

    def _new_stream(self, cmd: list[str]) -> ExecStream:
        """Start a process in the container; ContainerGoneError if the container is gone."""
        from docker.errors import APIError

        try:
            return ExecStream(self._client, self.container_id, cmd, workdir=self.workdir)
        except APIError as exc:
            if exc.status_code in (404, 409) or not self._container_running():
                raise self._lost() from None
            raise SandboxError(
                f"could not start a process in container {self.container_id[:12]}: {exc.explanation or exc}"
            ) from None

    def _start_session(self, cwd: str) -> bool:
        """Start the session shell in ``cwd``; True if the pids limit was hit since last seen."""
        stream = self._new_stream(_BASH)
        script = (
            "exec 2>&1\n"
            '__pl_return() { return "$1"; }\n'
            + eval_script(self.init_script or ":")
            + "__pl_irc=$?\n"
            # a restarted session gets back the exported variables, functions and aliases
            # saved after the last command that finished
            + f"[ -r {self._state_file} ] && . {self._state_file} >/dev/null 2>&1\n"
            + f"cd -- {shlex.quote(cwd)} 2>/dev/null || cd -- {shlex.quote(self.workdir)}\n"
            + '__pl_return "$__pl_irc"\n'
            + sentinel_printf(self._nonce, PIDS_PROBE, last="$$")
        )
        stream.send(script.encode("utf-8", "surrogateescape"))
        capture = OutputCapture(self.output_limit)
        scanner = SentinelScanner(self._nonce, capture)
        deadline = time.monotonic() + 60
        while not scanner.feed(stream.read(deadline - time.monotonic())):
            if stream.eof or time.monotonic() >= deadline:
                stream.close()
                if not self._container_running(settle_s=1.0):
                    raise self._lost()
                scanner.flush()
                how = (
                    f"the shell exited with code {self._exit_code_of(stream)}"
                    if stream.eof
                    else "it did not answer within 60 s"
                )
                raise SandboxError(
                    f"the sandbox shell did not start ({how}). The image must provide bash, "
                    "and init_script must neither exit nor hang. Output:\n" + capture.text()[-2000:]
                )
        sentinel = scanner.sentinel
        assert sentinel is not None
        if sentinel.exit_code != 0:
            stream.close()
            raise SandboxError(
                f"init_script failed with exit code {sentinel.exit_code}; fix it. Output:\n" + capture.text()[-4000:]
            )
        self._session = stream
        self._session_pid = int(sentinel.cwd)
        self._carry = scanner.leftover
        self._cwd = cwd
        return self._note_pids_events(sentinel.probe)

    def _note_pids_events(self, probe: str) -> bool:
        """Record the cgroup's "fork refused at the pids limit" counter; True if it grew."""
        if not probe.isdigit():
            return False
        grew = int(probe) > self._pids_events
        self._pids_events = int(probe)
        return grew

    def _restart_session(self) -> bool:
        """Kill the session shell and everything it started; start a new one in its cwd."""
        self._kill_session()
        return self._start_session(self._cwd)

    def _kill_session(self) -> None:
        """Kill the session shell and everything it started; the next command starts a new one."""
        old, self._session, self._carry = self._session, None, b""
        if old is not None:
            try:
                if self._control is not None and self._session_pid:
                    self._control.kill_session(self._session_pid, timeout=5.0)
            finally:
                old.close()

    def _abandon_session(self) -> None:
        """_kill_session for an interrupted command: a failure to kill (the container may be
        gone) must not hide the interruption; the next command reports it."""
        try:
            self._kill_session()
        except Exception:  # noqa: BLE001 - the original exception is the one to raise
            self._session = None

    @property
    def cwd(self) -> str:
        """The session's current working directory (the workdir in exec mode)."""
        return self._cwd

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
            if self.mode == "exec":
                return self._execute_exec(command, timeout, cwd, env)
            return self._execute_session(command, timeout, cwd, env)

    def _pump(self, stream: ExecStream, scanner: SentinelScanner, deadline: float) -> bool:
        """Read until the sentinel (True), the end of the stream or the deadline (False)."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stream.eof:
                return False
            if scanner.feed(stream.read(remaining)):
                return True

    def _execute_session(self, command: str, timeout: float, cwd: str | None, env: dict[str, str] | None) -> ExecResult:
        if self._session is None:
            self._restart_session()
        session = self._session
        assert session is not None
        started = time.monotonic()
        capture = OutputCapture(self.output_limit)
        scanner = SentinelScanner(self._nonce, capture)
        carry, self._carry = self._carry, b""
        scanner.feed(carry)
        from_file = None
        if len(command) > INLINE_COMMAND_LIMIT:
            from_file = f"/tmp/.patchloop-cmd-{self._nonce}"
            self._put_file(from_file, command.encode("utf-8", "surrogateescape"), 0o600)
        # After each command (builtins only, no fork): save what a restart should restore,
        # then read the pids probe.
        after = f"{{ export -p; declare -f; alias -p; }} >{self._state_file} 2>/dev/null; {PIDS_PROBE}"
        script = command_script(command, self._nonce, cwd=cwd, env=env, after=after, from_file=from_file)
        try:
            session.send(script.encode("utf-8", "surrogateescape"))
            finished = self._pump(session, scanner, started + timeout)
        except BaseException:
            # Interrupted mid-command (Ctrl-C, a broken connection): the shell may still be
            # running it and would answer the next command with this one's sentinel.
            self._abandon_session()
            raise
        # On a timeout the whole session goes, shell included: killing only the running
        # process would let the shell go on with the rest of the command (`sleep 9; rm x`).
        timed_out = not finished and not session.eof
        exit_code = -1
        notes: list[str] = []
        if finished:
            assert scanner.sentinel is not None
            exit_code = scanner.sentinel.exit_code
            self._cwd = scanner.sentinel.cwd or self._cwd
            self._carry = scanner.leftover
            if self._note_pids_events(scanner.sentinel.probe):
                # A fork bomb (or a runaway background job) hit the pids limit: kill every
                # process the shell started, then start a fresh shell in the same folder.
                notes.append(self._pids_note())
                self._restart_session()
        else:
            scanner.flush()
            if session.eof and not self._container_running():
                session.close()
                raise self._lost()
            if session.eof and not timed_out:
                exit_code = self._exit_code_of(session)
            if self._restart_session():
                notes.append(self._pids_note())
        return self._result(capture, exit_code, timed_out, started, notes)

    def _pids_note(self) -> str:
        after = f"the shell restarted in {self._cwd}" if self.mode == "session" else "cleaned up"
        return (
            f"\n[patchloop: the sandbox hit its process limit (pids={self.pids}); every process "
            f"the command started was killed and {after}]\n"
        )

    def _exit_code_of(self, stream: ExecStream) -> int:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            code = stream.exit_code()
            if code is not None:
                return code
            time.sleep(0.01)
        return -1

    def _result(
        self,
        capture: OutputCapture,
        exit_code: int,
        timed_out: bool,
        started: float,
        notes: list[str] | None = None,
    ) -> ExecResult:
        oom = False
        if exit_code == 137 and self._control is not None:
            count = self._control.oom_kills()
            if count is not None and count > self._oom_seen:
                oom = True
                self._oom_seen = count
        output = capture.text()
        if oom:
            output += (
                f"\n[patchloop: a process was killed because the sandbox ran out of memory "
                f"(limit {self.memory}); use less memory or raise the limit]\n"
            )
        if timed_out:
            output += "\n[patchloop: the command timed out and was killed]\n"
        output += "".join(notes or [])
        return ExecResult(
            output=output,
            exit_code=exit_code,
            timed_out=timed_out,
            truncated=capture.truncated,
            duration_s=round(time.monotonic() - started, 6),
            oom_killed=oom,
        )

    def _execute_exec(self, command: str, timeout: float, cwd: str | None, env: dict[str, str] | None) -> ExecResult:
        inner = (
            (self.init_script + "\n" if self.init_script else "")
            + env_exports(env)
            + f"cd -- {shlex.quote(cwd or self.workdir)} || exit 1\n"
            + command
        )
        wrapper = (
            # Wait for a go byte first: output sent before exec_start returns could be
            # buffered by the HTTP client while it parses the upgrade, and lost to us.
            "IFS= read -r -n 1 _\n"
            "exec 2>&1\n"
            + "printf '%s\\n' \"$$\"\n"
            + f'timeout -s KILL {max(timeout, 0.001):.3f} bash --noprofile --norc -c "$1" </dev/null\n'
            + sentinel_printf(self._nonce, PIDS_PROBE)
        )
        started = time.monotonic()
        if len(inner) > _EXEC_ARG_LIMIT:  # beyond what fits in argv: run it from a file
            path = f"/tmp/.patchloop-cmd-{uuid.uuid4().hex}"
            self._put_file(path, inner.encode("utf-8", "surrogateescape"), 0o600)
            inner = f"trap {shlex.quote('rm -f ' + shlex.quote(path))} EXIT; . {shlex.quote(path)}"
        stream = self._new_stream([*_BASH, "-c", wrapper, "bash", inner])
        pid = 0
        try:
            stream.send(b"\n")
            pid_line = b""
            while b"\n" not in pid_line and not stream.eof:
                pid_line += stream.read(max(0.0, started + timeout + 2 - time.monotonic()))
                if time.monotonic() > started + timeout + 2:
                    break
            head, _, rest = pid_line.partition(b"\n")
            pid = int(head) if head.strip().isdigit() else 0
            capture = OutputCapture(self.output_limit)
            scanner = SentinelScanner(self._nonce, capture)
            scanner.feed(rest)
            finished = scanner.sentinel is not None or self._pump(stream, scanner, started + timeout + 1.0)
            if not finished:
                scanner.flush()
                if stream.eof:  # the wrapper itself died (killed, or the container went)
                    if not self._container_running():
                        raise self._lost()
                    return self._result(capture, self._exit_code_of(stream), False, started)
                if pid and self._control is not None:
                    self._control.kill_session(pid)  # backstop: timeout(1) itself is stuck
                return self._result(capture, -1, True, started)
            assert scanner.sentinel is not None
            exit_code = scanner.sentinel.exit_code
            elapsed = time.monotonic() - started
            timed_out = exit_code == 137 and elapsed >= timeout * 0.98
            if timed_out:
                exit_code = -1  # killed by timeout(1): no exit code of its own, as in session mode
            notes = []
            if self._note_pids_events(scanner.sentinel.probe) and pid and self._control:
                self._control.kill_session(pid)
                notes.append(self._pids_note())
            return self._result(capture, exit_code, timed_out, started, notes)
        except BaseException:
            if pid and self._control is not None:  # interrupted (Ctrl-C): stop the command too
                try:
                    self._control.kill_session(pid)
                except Exception:  # noqa: BLE001 - the original exception is the one to raise
                    pass
            raise
        finally:
            stream.close()

    # ------------------------------------------------------------------ files

    def _abspath(self, path: str) -> str:
        check_path(path)
        return posixpath.normpath(path if path.startswith("/") else posixpath.join(self.workdir, path))

    def _stat(self, path: str) -> dict[str, Any] | None:
        """The archive endpoint's stat header for a path (a HEAD: no content is sent).

        docker-py has no public call for it; ``_url`` is the helper its own ``get_archive``
        uses to build the address.
        """
        from docker.utils import decode_json_header

        response = api_call(
            self._client.api.head,
            self._client.api._url("/containers/{0}/archive", self.container_id),
            params={"path": path},
        )
        if response.status_code == 404:
            if not self._container_running():
                raise self._lost()
            return None
        if response.status_code >= 400:
            raise SandboxError(
                f"cannot look up {path} in the container (HTTP {response.status_code}); "
                "is one of its parent folders a file?"
            )
        header = response.headers.get("x-docker-container-path-stat")
        return decode_json_header(header) if header else None

    def _follow(self, path: str) -> tuple[str, dict[str, Any] | None]:
        """Follow symlinks from ``path``: the final path and its stat (None if missing)."""
        target = path
        for _ in range(16):
            stat = self._stat(target)
            if stat is None or not (is_symlink(stat["mode"]) and stat.get("linkTarget")):
                return target, stat
            target = resolve_link(target, stat["linkTarget"])
        raise SandboxError(f"too many levels of symbolic links at {path!r}")

    def file_mode(self, path: str) -> int | None:
        """Permission bits of a file (following symlinks), or None when it does not exist."""
        with self._lock:
            self._check_usable()
            _target, stat = self._follow(self._abspath(path))
            return None if stat is None else unix_mode(stat["mode"])

    def read_file(self, path: str) -> bytes:
        """The bytes of a file inside the container (relative paths are under workdir)."""
        from docker.errors import APIError, NotFound

        with self._lock:
            self._check_usable()
            # A stat (a HEAD, ~1.5 ms) first: get_archive of a folder would pack the whole
            # tree (10 s for /usr) only to be refused.
            target, stat = self._follow(self._abspath(path))
            if stat is None:
                raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}")
            if stat["mode"] & GO_DIR:
                raise SandboxFileNotFoundError(f"{target} is a folder, not a regular file")
            for _ in range(16):
                try:
                    chunks, _stat = api_call(self._client.api.get_archive, self.container_id, target)
                    entry = first_entry(b"".join(chunks))
                except NotFound:
                    if not self._container_running():
                        raise self._lost() from None
                    raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}") from None
                except APIError as exc:
                    raise SandboxError(
                        f"reading {target} from the container failed: {exc.explanation or exc}"
                    ) from None
                if entry.kind == "symlink":
                    target = resolve_link(target, entry.link)
                    continue
                if entry.kind == "file":
                    return entry.data
                if entry.kind == "missing":
                    raise SandboxFileNotFoundError(f"no such file in the sandbox: {target}")
                raise SandboxFileNotFoundError(f"{target} is not a regular file")
            raise SandboxError(f"too many levels of symbolic links at {path!r}")

    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None:
        """Write bytes to a file, creating parent folders.

        ``mode=None`` keeps an existing file's permission bits (0o644 for a new file).
        """
        check_write(data, mode)
        with self._lock:
            self._check_usable()
            target, stat = self._follow(self._abspath(path))  # write through symlinks
            if stat is not None and stat["mode"] & GO_DIR:
                raise SandboxError(f"{target} is a folder; write_file writes files")
            if mode is None:
                mode = 0o644 if stat is None else unix_mode(stat["mode"])
            self._put_file(target, bytes(data), mode)

    def _put_file(self, target: str, payload: bytes, mode: int) -> None:
        """One file into the container by a tar archive unpacked at / (the daemon creates
        missing parent folders)."""
        from docker.errors import APIError, NotFound

        archive = single_file_tar(target, payload, mode)
        try:
            ok = api_call(self._client.api.put_archive, self.container_id, "/", archive)
        except NotFound:
            raise self._lost() from None
        except APIError as exc:
            raise SandboxError(f"writing {target} into the container failed: {exc.explanation or exc}") from None
        if not ok:
            raise SandboxError(f"writing {target} into the container failed")
