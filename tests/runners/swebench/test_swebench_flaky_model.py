"""A model that fails transiently on 30% of calls still completes every instance.

The model is litellm talking to a local OpenAI-compatible server on 127.0.0.1 (the real
retry path of the agent's model layer): every call whose number is 1, 4 or 7 modulo 10
gets a 503; the others answer like a tiny agent (fix with sed, then submit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from runners.swebench.containers import count_containers

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
FIXES = {"tiny__calc-1": "sed -i 's/a - b/a + b/' calc.py", "tiny__calc-2": "sed -i 's/hi + 1/hi/' calc.py"}


def _reply(request: dict) -> dict:
    text = json.dumps(request["messages"])
    iid = next(i for i in FIXES if i in text)
    done = sum(1 for m in request["messages"] if m.get("role") == "assistant")
    name, args = ("bash", {"command": FIXES[iid]}) if done == 0 else ("submit", {})
    call = {"id": f"c{done}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


class FlakyServer:
    def __init__(self, fail_every: tuple[int, ...] = (1, 4, 7)) -> None:
        self.calls = 0
        self.failed = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                with lock:
                    outer.calls += 1
                    fail = outer.calls % 10 in fail_every
                    outer.failed += fail
                if fail:
                    status, payload = 503, {"error": {"message": "overloaded", "type": "server_error"}}
                else:
                    status, payload = (
                        200,
                        {
                            "id": f"x{time.monotonic_ns()}",
                            "object": "chat.completion",
                            "created": int(time.time()),
                            "model": "flaky",
                            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": _reply(body)}],
                            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                        },
                    )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _copies(tiny_rows, path: Path, n: int) -> Path:
    path.write_text(
        "".join(json.dumps(dict(r, instance_id=f"{r['instance_id']}-{k}")) + "\n" for k in range(n) for r in tiny_rows)
    )
    return path


def _run_on(server: FlakyServer, data: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    """The runner with model `openai/flaky` at the local server; the server is closed afterwards."""
    try:
        env = dict(os.environ, OPENAI_API_KEY="sk-test-not-a-real-key")
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "runners.swebench",
                "--dataset",
                str(data),
                "--model",
                "openai/flaky",
                "-c",
                f"model.api_base=http://127.0.0.1:{server.server.server_port}/v1",
                *args,
                "--output",
                str(out),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    finally:
        server.close()


def test_transient_failures_on_30_percent_of_calls_still_complete_every_instance(tiny_rows, tmp_path):
    server = FlakyServer()
    out = tmp_path / "flaky"
    proc = _run_on(
        server,
        _copies(tiny_rows, tmp_path / "six.jsonl", 3),
        out,
        "-c",
        "model.retry.backoff_initial_s=0.05",
        "-c",
        "model.retry.backoff_max_s=0.2",
        "-c",
        "model.input_cost_per_token=0.000001",
        "-c",
        "model.output_cost_per_token=0.000002",
        "--workers",
        "2",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rep = json.loads((out / "report.json").read_text())
    assert rep["resolved_instances"] == 6, rep
    assert rep["exit_statuses"] == {"submitted": 6}
    assert server.failed >= 0.25 * server.calls and server.failed >= 3
    assert rep["cost_usd"] > 0 and rep["tokens"]["prompt_tokens"] > 0
    attempts = [
        json.loads(l).get("attempts", 1)
        for p in out.glob("*/trajectory.jsonl")
        for l in p.read_text().splitlines()
        if json.loads(l)["type"] == "model_call"
    ]
    assert max(attempts) > 1  # the failures went through the retry path and are recorded
    assert count_containers(json.loads((out / "run.json").read_text())["run_id"]) == 0


def test_max_cost_stops_scheduling_once_spent(tiny_rows, tmp_path):
    out = tmp_path / "budget"
    proc = _run_on(
        FlakyServer(fail_every=()),
        _copies(tiny_rows, tmp_path / "four.jsonl", 2),
        out,
        "-c",
        "model.input_cost_per_token=0.001",
        "-c",
        "model.output_cost_per_token=0.001",
        "--max-cost",
        "0.01",
        "--workers",
        "1",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "--max-cost 0.01 reached" in proc.stderr and "3 instance(s) not run" in proc.stderr
    rep = json.loads((out / "report.json").read_text())
    assert rep["resolved_instances"] == 1 and rep["incomplete_instances"] == 3, rep
    assert rep["cost_usd"] >= 0.01
    last = _run_on(
        FlakyServer(fail_every=()),
        _copies(tiny_rows[:1], tmp_path / "one.jsonl", 1),
        tmp_path / "last",
        "-c",
        "model.input_cost_per_token=0.001",
        "-c",
        "model.output_cost_per_token=0.001",
        "--max-cost",
        "0.01",
    )
    assert last.returncode == 0, last.stderr[-3000:]
    assert "--max-cost" not in last.stderr  # spent by the last instance: nothing was left unscheduled
