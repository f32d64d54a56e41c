"""An OpenAI-compatible chat server on 127.0.0.1, reached through litellm's real path.

Modes: ``answer`` replies like a tiny agent for the tiny calc instances (fix with sed,
then submit); ``hang`` reads the request and never answers; ``trickle`` sends a 200 and
then one byte a second, forever (a per-read timeout never fires).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FIXES = {"tiny__calc-1": "sed -i 's/a - b/a + b/' calc.py", "tiny__calc-2": "sed -i 's/hi + 1/hi/' calc.py"}


def agent_reply(request: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(request["messages"])
    iid = next(i for i in FIXES if i in text)
    done = sum(1 for m in request["messages"] if m.get("role") == "assistant")
    name, args = ("bash", {"command": FIXES[iid]}) if done == 0 else ("submit", {})
    call = {"id": f"c{done}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


class ModelServer:
    def __init__(self, mode: str = "answer") -> None:
        self.mode = mode
        self.calls = 0
        self.closed = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                outer.calls += 1
                if outer.mode == "hang":
                    outer.closed.wait(600)
                    return
                if outer.mode == "trickle":
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.end_headers()
                    while not outer.closed.wait(1.0):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    return
                payload = {
                    "id": f"x{time.monotonic_ns()}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": "local",
                    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": agent_reply(body)}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def model_args(self) -> list[str]:
        return ["--model", "openai/local", "-c", f"model.api_base={self.api_base}"]

    def close(self) -> None:
        self.closed.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> ModelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
