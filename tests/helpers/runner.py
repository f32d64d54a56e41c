"""Running ``python -m runners.swebench`` from tests: as a real process, and reading its outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def runner_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "runners.swebench", *args]


def cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        runner_argv(*args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, **(env or {})),
    )


def start(*args: str, env: dict[str, str] | None = None, **popen: Any) -> subprocess.Popen:
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(runner_argv(*args), cwd=ROOT, text=True, env=dict(os.environ, **(env or {})), **popen)


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def report(out: Path) -> dict[str, Any]:
    return json.loads((out / "report.json").read_text())


def inner(out: Path, instance_id: str) -> dict[str, Any]:
    return json.loads((out / instance_id / "report.json").read_text())[instance_id]


def run_id(out: Path) -> str:
    return json.loads((out / "run.json").read_text())["run_id"]


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def with_eval_sleep(row: dict[str, Any], seconds: float, suffix: str) -> dict[str, Any]:
    """A copy of a tiny row under a new id whose eval script sleeps before the tests."""
    script = row["eval_script"].replace(": '>>>>> Start Test Output'", f"sleep {seconds}\n: '>>>>> Start Test Output'")
    return dict(row, instance_id=f"{row['instance_id']}{suffix}", eval_script=script)


def totals_add_up(rep: dict[str, Any]) -> bool:
    parts = ("resolved", "unresolved", "empty_patch", "error", "interrupted", "incomplete")
    return sum(rep[f"{p}_instances"] for p in parts) == rep["total_instances"]
