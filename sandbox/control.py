"""The control shell: an idle bash started with each container that kills and inspects.

It uses only bash builtins (``read`` of ``/proc/*/stat``, builtin ``kill``, arithmetic),
so it still works when a fork bomb has used up every pid the container may have, which is
exactly when a new ``docker exec`` could not start.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

from sandbox.stream import ExecStream

if TYPE_CHECKING:
    import docker

CONTROL_SCRIPT = r"""
exec 2>&1
__pl_scan() {  # $1 signal, $2 session id; how many were signalled in __pl_n
  local f line pid rest n=0
  local -a fields
  for f in /proc/[0-9]*/stat; do
    line=
    { read -r line < "$f"; } 2>/dev/null
    [ -n "$line" ] || continue
    pid=${line%% *}
    rest=${line##*) }
    set -f; fields=($rest); set +f
    [ "${fields[3]}" = "$2" ] || continue
    [ "${fields[0]}" = Z ] && continue
    [ "$pid" = "$$" ] && continue
    kill -s "$1" "$pid" 2>/dev/null && n=$((n + 1))
  done
  __pl_n=$n
}
__pl_kill() {  # $1 session id, $2 reply tag
  local round total=0
  for ((round = 0; round < 50; round++)); do
    __pl_scan STOP "$1"
    __pl_scan KILL "$1"
    total=$((total + __pl_n))
    [ "$__pl_n" = 0 ] && break
  done
  printf '%s %s\n' "$2" "$total"
}
__pl_oom() {  # $1 reply tag; prints the cgroup's oom_kill counter (-1 when unknown)
  local key value count=-1 file
  for file in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do
    [ -r "$file" ] || continue
    while read -r key value; do
      [ "$key" = oom_kill ] && count=$value
    done < "$file"
    break
  done
  printf '%s %s\n' "$1" "$count"
}
"""


class ControlShell:
    def __init__(self, client: docker.DockerClient, container_id: str) -> None:
        self._client = client
        self._container_id = container_id
        self._stream = self._start()

    def _start(self) -> ExecStream:
        stream = ExecStream(self._client, self._container_id, ["bash", "--noprofile", "--norc"])
        stream.send(CONTROL_SCRIPT.encode())
        return stream

    def _call(self, function: str, args: list[str], timeout: float) -> str | None:
        """Run one control function; its reply, or None if none came in time."""
        from docker.errors import APIError

        for attempt in range(2):
            if self._stream.eof:
                if attempt:
                    return None
                self._stream.close()
                try:
                    self._stream = self._start()
                except APIError:  # the container is gone or refuses new processes
                    return None
            tag = "__PLC_" + secrets.token_hex(8)
            self._stream.send((" ".join([function, *args, tag]) + "\n").encode())
            reply = self._read_line(tag, time.monotonic() + timeout)
            if reply is not None or not self._stream.eof:
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
            if remaining <= 0 or self._stream.eof:
                return None
            buffer = buffer[-4096:] + self._stream.read(remaining)

    def kill_session(self, session_id: int, timeout: float = 1.0) -> int | None:
        """Kill every process of a process session; how many, or None without a reply.

        STOP then KILL, round after round until a round finds none, so a fork bomb cannot
        replace its processes faster than they go.
        """
        reply = self._call("__pl_kill", [str(session_id)], timeout)
        return int(reply) if reply and reply.strip().isdigit() else None

    def oom_kills(self, timeout: float = 1.0) -> int | None:
        reply = self._call("__pl_oom", [], timeout)
        if reply is None:
            return None
        value = reply.strip()
        return int(value) if value.isdigit() else None

    def close(self) -> None:
        self._stream.close()
