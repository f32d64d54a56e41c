"""Finding and killing a local command's processes through the host's ``/proc``.

The same rule as the control shell (``sandbox/session/control.py``), in Python: a process
belongs to a command when it is in the session shell's process session, or when its
environment carries the command's ``PATCHLOOP_CMD`` marker (what ``setsid`` and double
forks keep). The driver sees the sandbox's processes under their host pids, bwrap's pid
namespace included, so no process has to be forked to find or kill them.
"""

from __future__ import annotations

import fnmatch
import os
import signal

from sandbox.session.script import MARKER_ENV

_PREFIX = (MARKER_ENV + "=").encode()
_ROUNDS = 50


def _stat(pid: str) -> tuple[str, int] | None:
    """(state, session id) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            line = handle.read()
    except OSError:
        return None
    fields = line[line.rfind(b")") + 2 :].split()
    if len(fields) < 4:
        return None
    return fields[0].decode(), int(fields[3])


def marker_of(pid: str) -> str | None:
    """The process's ``PATCHLOOP_CMD`` value, or None (none, gone, or not ours to read)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            environ = handle.read()
    except OSError:
        return None
    for entry in environ.split(b"\0"):
        if entry.startswith(_PREFIX):
            return entry[len(_PREFIX) :].decode(errors="replace")
    return None


def _marked(pid: str, pattern: str) -> bool:
    marker = marker_of(pid)
    return marker is not None and fnmatch.fnmatchcase(marker, pattern)


def orphans() -> list[int]:
    """Marked processes whose driver (the pid after the first ``+`` of the marker) is gone."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        marker = marker_of(name)
        parts = (marker or "").split("+")
        if len(parts) < 3 or not parts[1].isdigit() or _alive(int(parts[1])):
            continue
        stat = _stat(name)
        if stat is not None and stat[0] != "Z":
            found.append(int(name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_pids(pids: list[int]) -> None:
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                continue


def matching(session_id: int, marker: str | None) -> list[int]:
    """Pids (not zombies, not this process) in ``session_id`` or carrying ``marker``."""
    me = os.getpid()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        stat = _stat(name)
        if stat is None or stat[0] == "Z":
            continue
        if (session_id and stat[1] == session_id) or (marker and _marked(name, marker)):
            found.append(int(name))
    return found


def kill_matching(session_id: int, marker: str | None) -> int:
    """SIGSTOP then SIGKILL every match, round after round until a round finds none."""
    total = 0
    for _ in range(_ROUNDS):
        pids = matching(session_id, marker)
        if not pids:
            break
        kill_pids(pids)
        total += len(pids)
    return total
