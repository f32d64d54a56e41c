"""Removing containers when the interpreter exits or is told to stop (SIGINT/SIGTERM).

There is exactly one piece of process-wide state in the sandbox layer, and it lives here:
the set of containers still open. Signal handlers and atexit hooks are process-wide by
nature, so the registry they act on has to be too. It is created lazily by ``reaper()``
(the first time a sandbox starts), never at import, and it holds plain callables, so a
sandbox that is closed normally simply unregisters itself.
"""

from __future__ import annotations

import atexit
import functools
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType


class Reaper:
    """Calls every registered remover at exit or on SIGINT/SIGTERM, then chains on."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # a signal may arrive while it is held
        self._removers: dict[str, Callable[[], None]] = {}
        self._previous: dict[int, object] = {}
        self._pid = os.getpid()  # a forked child must not remove its parent's containers
        atexit.register(self.reap_all)

    def _install_signal_handlers(self) -> None:
        """Once, and only from the main thread (the only place signal.signal works).

        A sandbox first created in a worker thread is still covered by atexit; the handlers
        are installed as soon as one is created from the main thread.
        """
        if self._previous or threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.getsignal(signum)
            signal.signal(signum, self._on_signal)

    def register(self, key: str, remover: Callable[[], None]) -> None:
        with self._lock:
            self._install_signal_handlers()
            self._removers[key] = remover

    def unregister(self, key: str) -> None:
        with self._lock:
            self._removers.pop(key, None)

    def live(self) -> list[str]:
        with self._lock:
            return list(self._removers)

    def reap_all(self) -> None:
        if os.getpid() != self._pid:
            return
        with self._lock:
            removers = list(self._removers.values())
            self._removers.clear()
        for remove in removers:
            try:
                remove()
            except Exception:  # noqa: BLE001 - at exit, one failure must not stop the rest
                continue

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.reap_all()
        previous = self._previous.get(signum)
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        # SIG_IGN (or None: installed outside Python): nothing more to do


@functools.cache
def reaper() -> Reaper:
    """The process's Reaper, created on first use."""
    return Reaper()
