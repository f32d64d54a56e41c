"""One attempt of a model call, run so that it can be abandoned.

The attempt runs in a worker thread; the caller waits in short slices and gives up at the
attempt's wall-clock deadline, on a cancel, or on Ctrl-C. Giving up closes the attempt's
connections (:class:`ConnectionGuard`), so the server sees the client leave and the
worker thread ends with a connection error instead of reading on.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from patchloop.cancel import Deadline

if TYPE_CHECKING:
    from patchloop.cancel import Cancel

T = TypeVar("T")
POLL_S = 0.05  # how often the waiting thread looks at the cancel token and the deadline
# The attempt's own read timeout fires at the deadline; the wall clock gets this much more,
# so a server that is merely silent ends as the client's timeout, a trickling one as ours.
GRACE_S = 1.0


class AttemptTimeout(Exception):
    """An attempt ran past its wall-clock deadline; it was abandoned and its connection closed."""


class ConnectionGuard:
    """The connections one attempt opened, so another thread can close them.

    ``network_backend()`` is an httpcore network backend that records every stream it
    opens; ``abort()`` shuts each socket down (both directions: the blocked reader wakes up,
    the server sees the close) and makes any later connection of the attempt close at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.aborted = False

    def network_backend(self) -> Any:
        import httpcore

        guard = self

        class Backend(httpcore.SyncBackend):
            def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
                return guard._opened(super().connect_tcp(*args, **kwargs))

            def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
                return guard._opened(super().connect_unix_socket(*args, **kwargs))

        return Backend()

    def _opened(self, stream: Any) -> Any:
        sock = stream.get_extra_info("socket")
        with self._lock:
            if isinstance(sock, socket.socket):
                self._sockets.append(sock)
            aborted = self.aborted
        if aborted:
            _shut(sock)
        return stream

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    @property
    def opened(self) -> int:
        with self._lock:
            return len(self._sockets)


def _shut(sock: Any) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the worker, or never connected
        pass


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None

    def run(self, fn: Callable[[ConnectionGuard], T], guard: ConnectionGuard) -> None:
        try:
            self.value = fn(guard)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which raises it
            self.error = exc
        finally:
            self.done.set()


def run_abandonable(fn: Callable[[ConnectionGuard], T], *, seconds: float | None, cancel: Cancel | None) -> T:
    """``fn(guard)`` in a worker thread, waited for at most ``seconds`` (+ GRACE_S).

    At the deadline: AttemptTimeout. On a cancel: ``Cancelled``. On KeyboardInterrupt: it
    is raised again. In every case the attempt's connections are closed first.
    """
    guard = ConnectionGuard()
    outcome: _Outcome[T] = _Outcome()
    worker = threading.Thread(target=outcome.run, args=(fn, guard), name="patchloop-model-attempt", daemon=True)
    worker.start()
    deadline = Deadline(None if seconds is None else seconds + GRACE_S)
    try:
        while not outcome.done.wait(POLL_S):
            if cancel is not None and cancel.cancelled:
                guard.abort()
                cancel.check()
            if deadline.expired:
                guard.abort()
                raise AttemptTimeout(
                    f"no complete reply within {seconds:g} s (model.timeout_s, wall clock); "
                    "the attempt was abandoned and its connection closed"
                )
    except BaseException:
        guard.abort()
        raise
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]
