"""Running a tree's tests with the host's pytest and reading the result like the harness does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PASS_STATUSES = ("PASSED", "XFAIL")
HOST_TIMEOUT_S = 120


class PytestRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exit_code: int
    statuses: dict[str, str]
    output: str
    timed_out: bool = False


def parse_pytest_log(log: str) -> dict[str, str]:
    """Test statuses from a ``pytest -rA`` log, with swebench's own ``parse_log_pytest``."""
    from swebench.harness.log_parsers.python import parse_log_pytest

    return parse_log_pytest(log, None)


def run_pytest(root: Path, targets: list[str], *, timeout: float = HOST_TIMEOUT_S) -> PytestRun:
    """Run ``python -m pytest -rA <targets>`` in ``root`` (no cache, no bytecode, no plugins)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    cmd = [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", *targets]
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        return PytestRun(exit_code=-1, statuses={}, output=out, timed_out=True)
    output = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    return PytestRun(exit_code=proc.returncode, statuses=parse_pytest_log(output), output=output)
