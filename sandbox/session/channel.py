"""The transport a session runs over: bytes to a shell's stdin, bytes from its stdout.

Every backend with a shell provides one: Docker a demultiplexed ``docker exec`` socket
(``sandbox/docker/stream.py``), the local backend a pair of pipes (:class:`PipeChannel`),
a remote backend whatever its exec API gives. Every read waits at most the time it is
given, so nothing built on a channel can hang.
"""

from __future__ import annotations

import os
import select
from typing import Protocol

_READ_SIZE = 256 * 1024


class Channel(Protocol):
    eof: bool  # the stream ended (or broke); reads return b"" from then on

    def send(self, data: bytes) -> None:
        """Write everything (a broken stream sets ``eof`` instead of raising)."""
        ...

    def read(self, timeout: float) -> bytes:
        """What arrives within ``timeout`` seconds (b"" if nothing did)."""
        ...

    def close(self) -> None: ...


class PipeChannel:
    """A channel over a child process's stdin and stdout pipes (file descriptors)."""

    def __init__(self, stdin_fd: int, stdout_fd: int) -> None:
        self._in = stdin_fd
        self._out = stdout_fd
        self.eof = False

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._in, view)
                view = view[written:]
        except OSError:
            self.eof = True

    def read(self, timeout: float) -> bytes:
        if self.eof:
            return b""
        try:
            ready, _, _ = select.select([self._out], [], [], max(0.0, timeout))
        except (OSError, ValueError):
            self.eof = True
            return b""
        if not ready:
            return b""
        try:
            data = os.read(self._out, _READ_SIZE)
        except OSError:
            data = b""
        if not data:
            self.eof = True
        return data

    def close(self) -> None:
        self.eof = True
        for fd in (self._in, self._out):
            try:
                os.close(fd)
            except OSError:
                pass
