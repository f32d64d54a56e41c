"""The control shell: an idle bash beside the session that kills, probes and checks liveness.

It uses only bash builtins (``read`` of ``/proc/*/stat`` and ``/proc/*/environ``, builtin
``kill``, arithmetic), so it still works when a fork bomb has used up every pid the sandbox
may have, which is exactly when a new process could not start. Any backend that can run a
second bash next to the session (a container exec, a remote shell) drives it through a
:class:`Channel` with :class:`ControlShell`.

A command's processes are found by what they inherit: the session's process session id
(what stays in the shell's session) and the ``PATCHLOOP_CMD`` marker in their environment
(what left it with ``setsid`` or a double fork). A process that both leaves the session
and clears its environment (``setsid env -i ...``) is out of reach until the sandbox closes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from sandbox.session.channel import Channel
from sandbox.session.script import MARKER_ENV

CONTROL_SCRIPT = (
    r"""
exec 2>&1
__pl_match() {  # $1 pid, $2 session id (0: none), $3 marker pattern (-: none)
  local line rest e
  local -a fields env
  line=
  { builtin read -r line < "/proc/$1/stat"; } 2>/dev/null
  [ -n "$line" ] || return 1
  rest=${line##*) }
  builtin set -f; fields=($rest); builtin set +f
  [ "${fields[0]}" = Z ] && return 1
  [ "$2" != 0 ] && [ "${fields[3]}" = "$2" ] && return 0
  [ "$3" = - ] && return 1
  { builtin mapfile -d '' -t env < "/proc/$1/environ"; } 2>/dev/null || return 1
  for e in "${env[@]}"; do
    [[ $e == MARKER=$3 ]] && return 0
  done
  return 1
}
__pl_scan() {  # $1 signal, $2 session id, $3 marker pattern; how many were signalled in __pl_n
  local f pid n=0
  for f in /proc/[0-9]*; do
    pid=${f#/proc/}
    [ "$pid" = "$$" ] && continue
    __pl_match "$pid" "$2" "$3" || continue
    builtin kill -s "$1" "$pid" 2>/dev/null && n=$((n + 1))
  done
  __pl_n=$n
}
__pl_kill() {  # $1 session id, $2 marker pattern, $3 reply tag
  local round total=0
  for ((round = 0; round < 50; round++)); do
    __pl_scan STOP "$1" "$2"
    __pl_scan KILL "$1" "$2"
    total=$((total + __pl_n))
    [ "$__pl_n" = 0 ] && break
  done
  builtin printf '%s %s\n' "$3" "$total"
}
__pl_alive() {  # $1 pid, $2 reply tag: 1 while the process runs (and is no zombie)
  local line state=0
  { builtin read -r line < "/proc/$1/stat"; } 2>/dev/null
  [ -n "$line" ] && line=${line##*) } && [ "${line%% *}" != Z ] && state=1
  builtin printf '%s %s\n' "$2" "$state"
}
__pl_oom() {  # $1 reply tag; the memory cgroup's oom_kill counter (-1 when unknown)
  local key value count=-1 file
  for file in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do
    [ -r "$file" ] || continue
    while builtin read -r key value; do
      [ "$key" = oom_kill ] && count=$value
    done < "$file"
    break
  done
  builtin printf '%s %s\n' "$1" "$count"
}
"""
).replace("MARKER", MARKER_ENV)


class ControlShell:
    """Drives the control script over a channel; ``start`` opens a fresh one when needed."""

    def __init__(self, start: Callable[[], Channel]) -> None:
        self._start = start
        self._channel = self._open()

    def _open(self) -> Channel:
        channel = self._start()
        channel.send(CONTROL_SCRIPT.encode())
        return channel

    def _call(self, function: str, args: list[str], timeout: float) -> str | None:
        """Run one control function; its reply, or None if none came in time."""
        for attempt in range(2):
            if self._channel.eof:
                if attempt:
                    return None
                self._channel.close()
                try:
                    self._channel = self._open()
                except Exception:  # noqa: BLE001 - the sandbox may refuse new processes; the caller decides
                    return None
            tag = "__PLC_" + secrets.token_hex(8)
            self._channel.send((" ".join([function, *args, tag]) + "\n").encode())
            reply = self._read_line(tag, time.monotonic() + timeout)
            if reply is not None or not self._channel.eof:
                return reply
        return None

    def _read_line(self, tag: str, deadline: float) -> str | None:
        buffer = b""
        marker = tag.encode() + b" "
        while True:
            index = buffer.find(marker)
            if index >= 0:
                end = buffer.find(b"\n", index)
                if end >= 0:
                    return buffer[index + len(marker) : end].decode(errors="replace")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._channel.eof:
                return None
            buffer = buffer[-4096:] + self._channel.read(remaining)

    def kill(self, session_id: int, marker: str | None, timeout: float = 5.0) -> int | None:
        """Kill every process of a process session and every one whose ``PATCHLOOP_CMD``
        matches the glob ``marker``; how many, or None without a reply.

        STOP then KILL, round after round until a round finds none, so a fork bomb cannot
        replace its processes faster than they go.
        """
        reply = self._call("__pl_kill", [str(session_id or 0), marker or "-"], timeout)
        return int(reply) if reply and reply.strip().isdigit() else None

    def alive(self, pid: int, timeout: float = 2.0) -> bool | None:
        reply = self._call("__pl_alive", [str(pid)], timeout)
        return None if reply is None else reply.strip() == "1"

    def oom_kills(self, timeout: float = 2.0) -> int | None:
        reply = self._call("__pl_oom", [], timeout)
        if reply is None:
            return None
        value = reply.strip()
        return int(value) if value.isdigit() else None

    def close(self) -> None:
        self._channel.close()
