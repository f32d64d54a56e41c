"""A chat-completions endpoint on 127.0.0.1 that fails in one way, and sees the client leave.

Behaviours: ``hang`` (reads the request, never answers), ``trickle`` (a 200 whose body
arrives one byte per ``trickle_s``, never complete), ``same_500`` (the same HTTP 500 every
time), ``close`` (closes the connection without an answer), ``ok`` (a tool call). Every
request's arrival and every connection the client closed (``closed``) are recorded in
monotonic time, so a test can prove an abandoned call was really abandoned.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from helpers.agent import completion_body

OK_MESSAGE = {
    "content": None,
    "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "bash", "arguments": '{"command": "ls"}'}}
    ],
}
SAME_500 = json.dumps({"error": {"message": "llama_decode failed: the same every time", "type": "server_error"}})


class FaultServer:
    def __init__(self, behaviour: str, *, trickle_s: float = 1.0) -> None:
        self.behaviour = behaviour
        self.trickle_s = trickle_s
        self.requests: list[float] = []
        self.bodies: list[dict[str, Any]] = []
        self.closed: list[float] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with outer._lock:
                    outer.requests.append(time.monotonic())
                    outer.bodies.append(body)
                getattr(outer, f"_{outer.behaviour}")(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def closed_after(self, start: float, timeout: float = 5.0) -> float | None:
        """Seconds from ``start`` until the server saw a client close a connection, waiting
        up to ``timeout`` for it; None if it never did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                seen = [t for t in self.closed if t >= start]
            if seen:
                return seen[0] - start
            time.sleep(0.02)
        return None

    # ------------------------------------------------------------------ behaviours

    def _client_left(self, conn: socket.socket, wait: float) -> bool:
        readable, _, _ = select.select([conn], [], [], wait)
        if not readable:
            return False
        try:
            return conn.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _gone(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.closed.append(time.monotonic())

    def _hang(self, handler: BaseHTTPRequestHandler) -> None:
        while not self._stop.is_set():
            if self._client_left(handler.connection, 0.02):
                return self._gone(handler)

    def _trickle(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", "100000")
        handler.end_headers()
        handler.wfile.flush()
        while not self._stop.is_set():
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                return self._gone(handler)
            if self._client_left(handler.connection, self.trickle_s):
                return self._gone(handler)

    def _same_500(self, handler: BaseHTTPRequestHandler) -> None:
        self._answer(handler, 500, SAME_500.encode())

    def _close(self, handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _ok(self, handler: BaseHTTPRequestHandler) -> None:
        self._answer(handler, 200, completion_body(OK_MESSAGE))

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
