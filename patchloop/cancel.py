"""Cancellation and deadlines: how any wait is cut short from another thread.

A :class:`Cancel` is set once (by a signal handler, an instance timer, a budget) and
every blocking step that receives it (a model call, a sandbox command, a worker
waiting for work) checks it between bounded waits. A :class:`Deadline` is a point in
monotonic time; ``remaining()`` is what a bounded wait may still spend.
"""

from __future__ import annotations

import threading
import time

from patchloop.errors import PatchloopError


class Cancelled(PatchloopError):
    """Raised by :meth:`Cancel.check` once the token is set; the message is the reason."""


class Cancel:
    """A one-way flag with a reason, safe to set from any thread or a signal handler."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None) -> bool:
        """Block up to ``timeout`` seconds; True once cancelled."""
        return self._event.wait(timeout)

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason or "cancelled")


class Deadline:
    """A point in monotonic time (``None`` seconds: never)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def cap(self, seconds: float | None) -> float | None:
        """The smaller of ``seconds`` and what is left (None where both are unbounded)."""
        left = self.remaining()
        if left is None:
            return seconds
        return left if seconds is None else min(seconds, left)
