"""Helpers of the agent tests: scripted replies, running the real loop on a LocalSandbox,
a real `python -m agent run` process, and a local OpenAI-compatible HTTP server on
127.0.0.1 for the real litellm path."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agent.config import load_config
from agent.loop import Agent
from agent.models.scripted import ScriptedModel
from agent.task import Task
from sandbox.local import LocalSandbox
from tools.registry import ToolRegistry
from trajectories.recorder import MemoryRecorder

BUGGY = "def add(a, b):\n    return a - b\n"
TEST_FILE = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
FIX_COMMAND = "sed -i 's/a - b/a + b/' calc.py"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def seeded_repo(tmp_path: Path) -> Path:
    """A git repository with one commit holding a bug (add subtracts) and its test."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "calc.py").write_text(BUGGY)
    (repo / "test_calc.py").write_text(TEST_FILE)
    (repo / ".gitignore").write_text("__pycache__/\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "seed a bug")
    return repo


def call(call_id: str, name: str, arguments: dict | str | None = None) -> dict:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": raw}}


def bash(call_id: str, command: str, content: str | None = None, **extra: Any) -> dict:
    args = {"command": command, **extra}
    return {"role": "assistant", "content": content, "tool_calls": [call(call_id, "bash", args)]}


def submit(call_id: str = "submit") -> dict:
    return {"role": "assistant", "content": "done", "tool_calls": [call(call_id, "submit")]}


# --------------------------------------------------------------- running the agent


def make_agent(model, sandbox, recorder, callbacks=(), **limits) -> Agent:
    config = load_config().agent.model_copy(update=limits)
    return Agent(model, ToolRegistry.with_builtins(), sandbox, config, recorder, callbacks, run_id="t")


def run(git_repo: Path, replies: list[dict], recorder=None, callbacks=(), model=None, **limits):
    recorder = recorder if recorder is not None else MemoryRecorder()
    model = model or ScriptedModel(replies)
    with LocalSandbox(git_repo) as sandbox:
        result = make_agent(model, sandbox, recorder, callbacks, **limits).run(Task(text="make add() add"))
    return result, recorder


def write_replies(path: Path, replies: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in replies))
    return path


@dataclass
class Signalled:
    code: int
    stdout: str
    stderr: list[str]
    stop_s: float  # from the signal to the process's exit


def signal_cli(args: list[str], ready: Callable[[list[str]], bool], *, signum: int = signal.SIGINT) -> Signalled:
    """Start `python -m agent run`, wait until ``ready(stderr lines so far)``, send ``signum``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent", "run", *args],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None and proc.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    while not ready(list(lines)):
        assert proc.poll() is None, f"the command ended early: {''.join(lines)}"
        assert time.monotonic() < deadline, "the command never got going"
        time.sleep(0.05)
    sent = time.monotonic()
    proc.send_signal(signum)
    code = proc.wait(timeout=120)
    stop_s = time.monotonic() - sent
    reader.join(10)
    return Signalled(code, proc.stdout.read(), lines, stop_s)


def interrupt_cli(args: list[str], ready: Callable[[list[str]], bool]) -> tuple[int, str]:
    """Start `python -m agent run`, wait for its first bash step and ``ready``, send SIGINT."""
    done = signal_cli(args, lambda lines: any(x.startswith("step 1: bash") for x in lines) and ready(lines))
    return done.code, done.stdout


# --------------------------------------------------------------- OpenAI-compatible server


def completion_body(message: dict, *, prompt_tokens: int = 10, completion_tokens: int = 5) -> bytes:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return json.dumps(
        {
            "id": f"chatcmpl-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "x",
            "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", **message}}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    ).encode()


def error_body(message: str, *, code: str | None = None) -> bytes:
    return json.dumps({"error": {"message": message, "type": "invalid_request_error", "code": code}}).encode()


class FakeOpenAI:
    """A chat-completions server on 127.0.0.1; ``handler(request_json, n)`` returns
    (status, body bytes, delay_s). Every request is kept in ``requests``."""

    def __init__(self, handler: Callable[[dict, int], tuple[int, bytes, float]]) -> None:
        self.handler = handler
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                with outer._lock:
                    outer.requests.append(body)
                    n = len(outer.requests)
                status, payload, delay = outer.handler(body, n)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
