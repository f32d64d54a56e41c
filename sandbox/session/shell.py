"""ShellSession: one persistent bash driven by the session protocol, over any backend.

The backend gives a :class:`ShellHost` (start a shell, tell whether it lives, kill a
command's processes, read the OOM counter, put a file); the session does the rest: start
and restore, per-command sentinels, deadlines, restarts. Every wait is bounded: a command
by its timeout, the start by ``start_timeout``, and a shell that died while its output
stays open (a background job holds it) is noticed by a liveness check within 2 s.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sandbox.errors import SandboxError
from sandbox.output import OutputCapture
from sandbox.session.channel import Channel
from sandbox.session.scanner import Sentinel, SentinelScanner
from sandbox.session.script import INLINE_COMMAND_LIMIT, bootstrap, command_script, init_text, new_token

Ended = Literal["done", "timeout", "ended"]
_FIRST_CHECK_S = 0.25  # the first liveness check of a silent command, then doubling...
_MAX_CHECK_S = 2.0  # ...up to this interval
_START_ATTEMPTS = 3


class ShellHost(Protocol):
    """What a backend gives a session."""

    state_dir: str  # a folder the shell may write, for its state snapshot (tmpfs is best)
    files_dir: str  # a folder ``put_file`` can write into, for long commands
    probes: bool  # whether the shell reads the cgroup's pids and OOM counters

    def start_shell(self) -> Channel:
        """Start ``bash --noprofile --norc`` with stdin/stdout on a channel (stderr joined later)."""
        ...

    def shell_alive(self, channel: Channel, pid: int) -> bool | None:
        """Is the shell still running? None when it cannot be told."""
        ...

    def shell_exit_code(self, channel: Channel) -> int:
        """The exit code of a shell that ended (128 + N for a signal; -1 if unknown)."""
        ...

    def kill(self, session_pid: int, marker: str | None) -> None:
        """Kill the shell ``session_pid``, its process session, and every process whose
        ``PATCHLOOP_CMD`` matches the glob ``marker``."""
        ...

    def oom_kills(self) -> int | None: ...

    def put_file(self, path: str, data: bytes) -> None: ...

    def transient_start_failure(self, output: str) -> bool:
        """Is a shell that ended before its start sentinel worth another try (its output)?"""
        ...

    def check_gone(self, settle: bool = False) -> None:
        """Raise the backend's SandboxGoneError if the sandbox itself went away (with
        ``settle``, give a dying sandbox a moment to say so)."""
        ...


@dataclass
class Outcome:
    """What one command did, before the backend turns it into an ExecResult."""

    capture: OutputCapture
    exit_code: int
    timed_out: bool = False
    restarted: bool = False  # the shell ended during the command and a new one was started
    oom_killed: bool = False
    pids_hit: bool = False  # forks were refused at the pids limit: every process was killed
    sentinel: Sentinel | None = None
    notes: list[str] = field(default_factory=list)


class ShellSession:
    def __init__(
        self,
        host: ShellHost,
        *,
        workdir: str,
        init_script: str | None,
        output_limit: int,
        start_timeout: float = 60.0,
        marker_prefix: str = "",
    ) -> None:
        self._host = host
        self.workdir = workdir
        self.cwd = workdir
        self._init_script = init_script
        self._output_limit = output_limit
        self._start_timeout = start_timeout
        self.id = marker_prefix + secrets.token_hex(6)  # every marker of this session starts with it
        self.state_file = f"{host.state_dir}/.patchloop-state-{self.id}"
        self.command_file = f"{host.files_dir}/.patchloop-cmd-{self.id}"
        self._seq = 0
        self._channel: Channel | None = None
        self.pid = 0
        self._carry = b""
        self._pids_events: int | None = None
        self._oom_seen: int | None = None
        self.last_token = ""

    @property
    def every_marker(self) -> str:
        """The marker glob that matches every command this session ever ran."""
        return f"{self.id}.*"

    # ------------------------------------------------------------------ start

    def start(self) -> bool:
        """Start a shell in ``cwd`` (init script, saved state); True if the pids limit was
        hit since the last look. A start the host calls transient is tried again (3 in all)."""
        for attempt in range(_START_ATTEMPTS):
            channel = self._host.start_shell()
            line, token = bootstrap(
                self.state_file, self.command_file, self.cwd, self.workdir, probes=self._host.probes
            )
            capture = OutputCapture(self._output_limit)
            scanner = SentinelScanner(token, capture)
            channel.send((line + init_text(self._init_script)).encode("utf-8", "surrogateescape"))
            deadline = time.monotonic() + self._start_timeout
            while not scanner.feed(channel.read(deadline - time.monotonic())):
                if channel.eof or time.monotonic() >= deadline:
                    break
            if scanner.sentinel is not None:
                break
            scanner.flush()
            how = (
                f"the shell exited with code {self._host.shell_exit_code(channel)}"
                if channel.eof
                else f"it did not answer within {self._start_timeout:g} s"
            )
            channel.close()
            self._host.check_gone(settle=True)
            if attempt + 1 < _START_ATTEMPTS and channel.eof and self._host.transient_start_failure(capture.text()):
                time.sleep(0.05 * (attempt + 1))
                continue
            raise SandboxError(
                f"the sandbox shell did not start ({how}). The image must provide bash, "
                "and init_script must neither exit nor hang. Output:\n" + capture.text()[-2000:]
            )
        sentinel = scanner.sentinel
        assert sentinel is not None
        if sentinel.exit_code != 0:
            channel.close()
            raise SandboxError(
                f"init_script failed with exit code {sentinel.exit_code}; fix it. Output:\n" + capture.text()[-4000:]
            )
        self._channel, self.pid, self._carry = channel, sentinel.pid, scanner.leftover
        self.cwd = sentinel.cwd or self.cwd
        if sentinel.oom_after is not None:
            self._oom_seen = sentinel.oom_after
        return self._note_pids(sentinel.pids_events)

    def _note_pids(self, events: int | None) -> bool:
        """Record the "fork refused at the pids limit" counter; True if it grew."""
        if events is None:
            return False
        grew = self._pids_events is not None and events > self._pids_events
        self._pids_events = events
        return grew

    # ------------------------------------------------------------------ run

    def run(self, command: str, timeout: float, cwd: str | None = None, env: dict[str, str] | None = None) -> Outcome:
        if self._channel is None:
            self.start()
        channel = self._channel
        assert channel is not None
        started = time.monotonic()
        self._seq += 1
        token, marker = new_token(), f"{self.id}.{self._seq}"
        self.last_token = token
        capture = OutputCapture(self._output_limit)
        scanner = SentinelScanner(token, capture)
        carry, self._carry = self._carry, b""
        scanner.feed(carry)
        from_file = len(command) > INLINE_COMMAND_LIMIT and cwd is None and not env
        if from_file:
            self._host.put_file(self.command_file, command.encode("utf-8", "surrogateescape"))
        script = command_script(command, token, marker, cwd=cwd, env=env, from_file=from_file)
        try:
            channel.send(script.encode("utf-8", "surrogateescape"))
            ended = self._wait(channel, scanner, started + timeout)
        except BaseException:
            # Interrupted mid-command (Ctrl-C, a broken connection): the shell may still run
            # it and would answer the next command with this one's output.
            self.abandon(marker)
            raise
        if ended == "done":
            return self._finished(scanner, capture, marker)
        scanner.flush()
        if ended == "timeout":
            oom = self._oom_since()
            pids_hit = self._restart(marker)
            return Outcome(capture, -1, timed_out=True, oom_killed=oom, pids_hit=pids_hit)
        exit_code = self._host.shell_exit_code(channel)
        self._host.check_gone()
        oom = self._oom_since()
        pids_hit = self._restart(marker)
        return Outcome(capture, exit_code, restarted=True, oom_killed=oom, pids_hit=pids_hit)

    def _finished(self, scanner: SentinelScanner, capture: OutputCapture, marker: str) -> Outcome:
        sentinel = scanner.sentinel
        assert sentinel is not None
        self.cwd = sentinel.cwd or self.cwd
        self._carry = scanner.leftover
        if sentinel.oom_after is not None:
            self._oom_seen = sentinel.oom_after
        outcome = Outcome(capture, sentinel.exit_code, oom_killed=sentinel.oom_killed, sentinel=sentinel)
        if self._note_pids(sentinel.pids_events):
            # A fork bomb (or a runaway background job) hit the pids limit: kill every
            # process the shell started, then start a fresh shell in the same folder.
            outcome.pids_hit = True
            self._restart(marker)
        return outcome

    def _wait(self, channel: Channel, scanner: SentinelScanner, deadline: float) -> Ended:
        """Read until the sentinel, the deadline, or the end of the shell."""
        interval = _FIRST_CHECK_S
        check_at = time.monotonic() + interval
        while True:
            now = time.monotonic()
            if now >= deadline:
                return "timeout"
            if channel.eof:
                return "ended"
            if scanner.feed(channel.read(min(deadline, check_at) - now)):
                return "done"
            if time.monotonic() >= check_at:
                if self._host.shell_alive(channel, self.pid) is False:
                    drain_until = time.monotonic() + 0.05  # what it printed last is on its way
                    while time.monotonic() < drain_until and not channel.eof:
                        if scanner.feed(channel.read(drain_until - time.monotonic())):
                            return "done"
                    return "ended"
                interval = min(interval * 2, _MAX_CHECK_S)
                check_at = time.monotonic() + interval

    def _oom_since(self) -> bool:
        """Did the OOM counter grow since the last look (for a command without a sentinel)?"""
        count = self._host.oom_kills() if self._host.probes else None
        if count is None:
            return False
        grew = self._oom_seen is not None and count > self._oom_seen
        self._oom_seen = count
        return grew

    # ------------------------------------------------------------------ restart and end

    def _restart(self, marker: str) -> bool:
        """Kill the shell and what the command started; start a new shell in the same folder."""
        self._drop(marker)
        return self.start()

    def _drop(self, marker: str | None) -> None:
        old, self._channel, self._carry = self._channel, None, b""
        try:
            if self.pid or marker:
                self._host.kill(self.pid, marker)
        finally:
            if old is not None:
                old.close()

    def abandon(self, marker: str | None = None) -> None:
        """Kill the running command and the shell; the next command starts a new shell.
        A failure to kill (the sandbox may be gone) must not hide why we got here."""
        try:
            self._drop(marker)
        except Exception:  # noqa: BLE001 - the original exception is the one to raise
            self._channel = None

    def close(self) -> None:
        """Kill the shell and everything any command of this session started."""
        self._drop(self.every_marker)

    def forget(self) -> None:
        """Drop the shell without killing anything (its sandbox is already gone)."""
        old, self._channel = self._channel, None
        if old is not None:
            old.close()
