"""One ``docker exec -i`` process: write to its stdin, read its demultiplexed output.

The process must print nothing before it has read something from us: output that arrived
together with the HTTP upgrade response could sit in the HTTP client's buffer, where a read
of the raw socket would never see it. The session and control shells only speak when
spoken to; the exec-mode wrapper waits for a go byte.

docker-py's ``exec_start(socket=True)`` hands back the hijacked connection. Without a TTY
the daemon frames the output: an 8-byte header (stream id, three zero bytes, big-endian
payload length) before each payload. We demultiplex here, with ``select`` deadlines, so no
read can hang past the time we allow it.
"""

from __future__ import annotations

import select
import socket
from typing import TYPE_CHECKING, Any

from sandbox.engine import api_call
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import docker

_RECV_SIZE = 256 * 1024


class ExecStream:
    def __init__(
        self,
        client: docker.DockerClient,
        container_id: str,
        cmd: list[str],
        *,
        workdir: str | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self._client = client
        created = api_call(
            client.api.exec_create,
            container_id,
            cmd,
            stdin=True,
            stdout=True,
            stderr=True,
            tty=False,
            workdir=workdir,
            environment=environment,
        )
        self.exec_id: str = created["Id"]
        raw: Any = api_call(client.api.exec_start, self.exec_id, socket=True)
        self._holder = raw  # keeps the HTTP response (and so the connection) alive
        self._sock: socket.socket = getattr(raw, "_sock", raw)
        self._header = bytearray()
        self._remaining = 0
        self.eof = False

    def send(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except OSError:
            self.eof = True

    def read(self, timeout: float) -> bytes:
        """Payload bytes available within ``timeout`` seconds (b"" if none); sets ``eof``."""
        if self.eof:
            return b""
        try:
            ready, _, _ = select.select([self._sock], [], [], max(0.0, timeout))
        except (OSError, ValueError):
            self.eof = True
            return b""
        if not ready:
            return b""
        try:
            data = self._sock.recv(_RECV_SIZE)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return b""
        return self._demux(data)

    def _demux(self, data: bytes) -> bytes:
        view = memoryview(data)
        out: list[memoryview] = []
        i, n = 0, len(data)
        while i < n:
            if self._remaining == 0:
                take = min(8 - len(self._header), n - i)
                self._header += view[i : i + take]
                i += take
                if len(self._header) == 8:
                    self._remaining = int.from_bytes(self._header[4:8], "big")
                    self._header.clear()
                continue
            take = min(self._remaining, n - i)
            out.append(view[i : i + take])
            i += take
            self._remaining -= take
        if len(out) == 1:
            return out[0].tobytes()
        return b"".join(out)

    def exit_code(self) -> int | None:
        """The process's exit code once it has ended (None while it runs or if unknown)."""
        from docker.errors import APIError

        try:
            info = api_call(self._client.api.exec_inspect, self.exec_id)
        except (APIError, SandboxError):  # the container may be gone; the caller checks that
            return None
        if info.get("Running"):
            return None
        return info.get("ExitCode")

    def close(self) -> None:
        self.eof = True
        try:
            self._sock.close()
        except OSError:
            pass
        close = getattr(self._holder, "close", None)
        if close is not None:
            try:
                close()
            except OSError:
                pass
