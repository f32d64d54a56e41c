"""Removing containers when the interpreter exits or is killed by SIGTERM.

There is exactly one piece of process-wide state in the sandbox layer, and it lives here:
the set of containers still open. Signal handlers and atexit hooks are process-wide by
nature, so the registry they act on has to be too. It is created lazily by ``reaper()``
(the first time a sandbox starts), never at import, and it holds plain callables, so a
sandbox that is closed normally simply unregisters itself.

SIGINT is left alone on purpose: Python turns it into ``KeyboardInterrupt``, which unwinds
through ``with`` blocks and ``finally`` clauses, so a program interrupted by Ctrl-C can
still use its sandbox (take the diff, say) before closing it; whatever is still open when
the interpreter exits is removed by the atexit hook. SIGTERM with its default disposition
raises nothing and runs no atexit hook, so that one case gets a handler: it removes the
containers, then lets the default action terminate the process as before. A SIGTERM handler
the program installed itself is left in place (it decides; if it exits, atexit reaps).
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
    """Calls every registered remover at exit, and on SIGTERM where nothing else handles it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # a signal may arrive while it is held
        self._removers: dict[str, Callable[[], None]] = {}
        self._sigterm_checked = False
        self._pid = os.getpid()  # a forked child must not remove its parent's containers
        atexit.register(self.reap_all)

    def _install_sigterm_handler(self) -> None:
        """Once, and only from the main thread (the only place signal.signal works).

        Only over the default disposition: a handler of the program's own (or SIG_IGN, or
        one installed outside Python) is not replaced. A sandbox first created in a worker
        thread is still covered by atexit; the handler is installed as soon as one is
        created from the main thread.
        """
        if self._sigterm_checked or threading.current_thread() is not threading.main_thread():
            return
        self._sigterm_checked = True
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, self._on_sigterm)

    def register(self, key: str, remover: Callable[[], None]) -> None:
        with self._lock:
            self._install_sigterm_handler()
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

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        """Remove the containers, then die of SIGTERM as the default action would have."""
        self.reap_all()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


@functools.cache
def reaper() -> Reaper:
    """The process's Reaper, created on first use."""
    return Reaper()
