"""SIGTERM and SIGHUP end ``python -m agent run`` the way Ctrl-C does.

While a run goes on, each of SIGINT, SIGTERM and SIGHUP sets the run's cancel (its reason
names the signal) and raises KeyboardInterrupt in the main thread, which unwinds whatever
the run waits on (a model call, a command): the loop ends the run ``interrupted``, takes
the diff and writes ``run_end``. Once ``run_end`` is written, a further signal
is only remembered, so the clean-up (the scratch copy, the container) is never cut short.
The exit code is 128 + the first signal's number (130 for Ctrl-C, 143 for SIGTERM, 129
for SIGHUP).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from patchloop.cancel import Cancel

if TYPE_CHECKING:
    from agent.task import AgentEvent

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SignalStop:
    """The signal handler of one run; ``received`` is the first signal's number."""

    def __init__(self, cancel: Cancel) -> None:
        self.cancel = cancel
        self.received: int | None = None
        self.settled = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        self.cancel.cancel(signal.Signals(signum).name)
        if not self.settled:
            raise KeyboardInterrupt(signal.Signals(signum).name)

    def settle_at_run_end(self, event: AgentEvent) -> None:
        """A run callback: from ``run_end`` on, signals no longer interrupt."""
        if event.type == "run_end":
            self.settled = True

    @property
    def exit_code(self) -> int | None:
        return None if self.received is None else 128 + self.received


@contextmanager
def stop_on_signals(cancel: Cancel) -> Iterator[SignalStop]:
    """Install the handlers for the block (main thread only; elsewhere a no-op)."""
    stop = SignalStop(cancel)
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {signum: signal.signal(signum, stop.handle) for signum in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
