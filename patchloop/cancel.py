"""Cancellation and deadlines: how any wait is cut short from another thread.

A :class:`Cancel` is set once (by a signal handler, an instance timer, a budget) and
every blocking step that receives it (a model call, a sandbox command, a worker
waiting for work) checks it between bounded waits. A :class:`Deadline` is a point in
monotonic time; ``remaining()`` is what a bounded wait may still spend.

A cancel says *why* through its ``status``: ``"interrupted"`` (a signal, Ctrl-C, a user
or a budget stopping the work; the default) or ``"time_limit"`` (a deadline of the work
itself, such as a runner's per-instance timeout). An agent run ends with that exit
status.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

from patchloop.errors import PatchloopError

CancelStatus = Literal["interrupted", "time_limit"]


class Cancelled(PatchloopError):
    """Raised by :meth:`Cancel.check` once the token is set; the message is the reason."""

    def __init__(self, reason: str, *, status: CancelStatus = "interrupted") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status: CancelStatus = status


class Cancel:
    """A one-way flag with a reason and a status, safe to set from any thread or a signal
    handler. The first ``cancel`` wins; later ones change nothing."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""
        self.status: CancelStatus = "interrupted"

    def cancel(self, reason: str, *, status: CancelStatus = "interrupted") -> None:
        if not self._event.is_set():
            self.reason = reason
            self.status = status
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None) -> bool:
        """Block up to ``timeout`` seconds; True once cancelled."""
        return self._event.wait(timeout)

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason or "cancelled", status=self.status)


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
