"""Exec mode: one fresh ``docker exec bash -c`` per command (nothing persists between them).

The command runs under ``timeout -s KILL`` inside the container (GNU timeout signals its
process group); on a timeout the control shell then kills the exec's process session and
every process carrying the command's marker, so what it detached with ``setsid`` goes too.
A host-side deadline at timeout + 1 s is the backstop when timeout(1) itself is stuck.
"""

from __future__ import annotations

import secrets
import shlex
import time

from sandbox.docker.host import BASH, DockerHost
from sandbox.docker.stream import ExecStream
from sandbox.output import OutputCapture
from sandbox.session.scanner import SentinelScanner
from sandbox.session.script import MARKER_ENV, env_exports, exec_wrapper, new_token
from sandbox.session.shell import Outcome

_EXEC_ARG_LIMIT = 64 * 1024
_BACKSTOP_S = 1.0
_LATE_START_S = 0.3


def run_exec(
    host: DockerHost,
    command: str,
    timeout: float,
    *,
    cwd: str,
    env: dict[str, str] | None,
    init_script: str | None,
    output_limit: int,
) -> Outcome:
    # The wrapper prepares (init script, folder, variables) and the command runs alone in
    # its own `bash -c`, so its line numbers are its own.
    prelude = (init_script + "\n" if init_script else "") + env_exports(env) + f"cd -- {shlex.quote(cwd)} || exit 1\n"
    inner = command
    if len(inner) > _EXEC_ARG_LIMIT:  # beyond what fits in argv: run it from a file
        path = f"/tmp/.patchloop-cmd-{secrets.token_hex(8)}"
        host.put_file(path, inner.encode("utf-8", "surrogateescape"))
        inner = f"trap {shlex.quote('rm -f ' + shlex.quote(path))} EXIT; . {shlex.quote(path)}"
    token, marker = new_token(), "exec." + secrets.token_hex(6)
    oom_before = host.oom_kills()
    started = time.monotonic()
    # The marker is in the exec's own environment: the wrapper carries it from its first
    # instruction, so an interrupt that comes before the wrapper said its pid still kills it.
    wrapper = [*BASH, "-c", exec_wrapper(token, marker, timeout, prelude), "bash", inner]
    pid = 0
    capture = OutputCapture(output_limit)
    scanner = SentinelScanner(token, capture)
    stream: ExecStream | None = None
    try:
        stream = host.open(wrapper, environment={MARKER_ENV: marker})
        stream.send(b"\n")
        pid_line = b""
        pid_deadline = started + timeout + _BACKSTOP_S
        while b"\n" not in pid_line and not stream.eof and time.monotonic() < pid_deadline:
            pid_line += stream.read(pid_deadline - time.monotonic())
        head, _, rest = pid_line.partition(b"\n")
        pid = int(head) if head.strip().isdigit() else 0
        finished = scanner.feed(rest) or _pump(stream, scanner, started + timeout + _BACKSTOP_S)
        if not finished:
            scanner.flush()
            if stream.eof:  # the wrapper itself died (killed, or the container went)
                host.check_gone()
                return Outcome(capture, host.shell_exit_code(stream))
            host.kill(pid, marker)  # backstop: timeout(1) itself is stuck
            return Outcome(capture, -1, timed_out=True, oom_killed=_oom_grew(host, oom_before))
        sentinel = scanner.sentinel
        assert sentinel is not None
        exit_code = sentinel.exit_code
        timed_out = exit_code == 137 and time.monotonic() - started >= timeout * 0.98
        if timed_out:
            exit_code = -1  # killed by timeout(1): no exit code of its own, as in session mode
            host.kill(pid, marker)  # what left its process group (setsid, double forks)
        return Outcome(capture, exit_code, timed_out=timed_out, oom_killed=sentinel.oom_killed, sentinel=sentinel)
    except BaseException:
        try:  # interrupted (Ctrl-C): stop the command too, wherever it had got to
            host.kill(pid, marker)
            # The engine may start the process after exec_start has returned: look again.
            time.sleep(_LATE_START_S)
            host.kill(0, marker)
        except Exception:  # noqa: BLE001 - the original exception is the one to raise
            pass
        raise
    finally:
        if stream is not None:
            stream.close()


def _pump(stream: ExecStream, scanner: SentinelScanner, deadline: float) -> bool:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or stream.eof:
            return False
        if scanner.feed(stream.read(remaining)):
            return True


def _oom_grew(host: DockerHost, before: int | None) -> bool:
    count = host.oom_kills()
    return before is not None and count is not None and count > before
