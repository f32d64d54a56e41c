"""One run per ``--output``: an OS lock on ``<output>/run.lock`` that dies with its holder.

``fcntl.flock`` on a file of the output: a second process asking for it is refused at
once with the holder's pid and command; a holder killed in any way (kill -9 included)
releases it, since the kernel drops the lock with the last descriptor, so a stale lock
never blocks. The file holds only the holder's pid; the command is read from ``/proc``
by the refused process (nothing of the holder's command line is written to the output).
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from patchloop.names import remove_tree
from runners.swebench.errors import OutputInUseError, RunnerError
from runners.swebench.outdir import OutputDir

LOCK_NAME = "run.lock"


def _command(pid: int, limit: int = 160) -> str:
    """The command line of ``pid`` when /proc has it (empty otherwise)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    text = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class OutputLock:
    """Held for the whole run; ``release`` (or the process's end) gives it back."""

    def __init__(self, out: OutputDir, *, describe=_command) -> None:
        self.out = out
        self.path = out.file(LOCK_NAME)
        self._describe = describe
        self._fd: int | None = None

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            return os.open(self.path, flags, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
        remove_tree(self.out.root, self.path)  # a symlink planted at the lock's name: removed, never followed
        return os.open(self.path, flags, 0o644)

    def _refuse(self, fd: int, redact) -> OutputInUseError:
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        os.close(fd)
        who = f"pid {holder}" if holder.isdigit() else "another process"
        command = self._describe(int(holder)) if holder.isdigit() else ""
        shown = f" ({redact(command)})" if command else ""
        return OutputInUseError(
            f"--output {self.out.root} is in use by another run: {who}{shown}; "
            "wait for it to end (or stop it), or pick another --output"
        )

    def probe(self, redact=lambda text: text) -> None:
        """Refuse at once when another run holds the lock; writes nothing (an existing lock file
        is only opened). ``acquire`` decides for good later."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return  # no lock file (a new output), or not one to open: acquire handles it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise self._refuse(fd, redact) from None
        os.close(fd)  # it was free: closing drops the lock we just took

    def acquire(self, redact=lambda text: text) -> None:
        self.out.root.mkdir(parents=True, exist_ok=True)
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise self._refuse(fd, redact) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:  # a full disk: the lock is held all the same
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                os.close(fd)
                raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def check_is_run_folder(out: OutputDir) -> None:
    """An existing ``--output`` must be a run's folder (or empty): the runner deletes instance
    folders under it, so a folder of the user's that holds other things is refused."""
    root = out.root
    if not root.is_dir():
        return
    names = {p.name for p in root.iterdir()}
    if names and "run.json" not in names and names != {LOCK_NAME}:
        raise RunnerError(
            f"--output {root} holds files but no run.json: it is not a run's output folder; pick a new or empty folder"
        )
