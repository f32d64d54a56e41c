"""Finding host processes by a unique word in their command line (pids inside a sandbox's
own pid namespace mean nothing on the host, so tests look for what they started by name)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable


def unique_sleep(seconds: int = 1000) -> str:
    """A ``sleep`` argument no other process uses: ``sleep 1000.000123456``."""
    return f"{seconds}.{uuid.uuid4().int % 10**9:09d}"


def host_pids(needle: str) -> list[int]:
    """Pids (zombies excluded) whose command line contains ``needle``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{name}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != b"Z":
            found.append(int(name))
    return found


def wait_gone(needle: str, timeout: float = 3.0) -> list[int]:
    """Wait until no process matches; what is still there after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (left := host_pids(needle)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def wait_present(find: Callable[[], list], timeout: float = 3.0) -> list:
    """Wait until ``find()`` returns something (a detached process may still be starting)."""
    deadline = time.monotonic() + timeout
    while not (found := find()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return found
