"""Stop a run on SIGINT (Ctrl-C), SIGTERM and SIGHUP (terminal closed, SSH dropped) alike.

The handler only calls ``stop(signal name)``, which sets flags: the pool's main loop acts
on them within a fraction of a second (a handler that took locks or wrote to a stream
could deadlock or break a write it interrupted). A SIGHUP that was ignored when the
process started (``nohup``) stays ignored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextmanager
def stop_on_signals(stop: Callable[[str], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in STOP_SIGNALS:
        signum = getattr(signal, name)
        current = signal.getsignal(signum)
        if name == "SIGHUP" and current == signal.SIG_IGN:
            continue

        def handler(_signum: int, _frame: Any, _name: str = name) -> None:
            stop(_name)

        previous[signum] = current
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
