"""The official harness, swebench 5.0.2's ``run_evaluation``, run beside ours for comparison.

It runs in a venv of its own (``<cache root>/envs/swebench-5.0.2``, made on first use with
``pip install swebench==5.0.2``; a ``.patchloop-ready`` file marks a finished install, and a
lock keeps two processes from making it at once), in a work folder of the caller's, on the
dataset file and predictions file given, with the images the rows name. Used by the
side-by-side tests and ``bench/``: both harnesses grade the same rows on the same images.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patchloop.cache import cache_dir
from patchloop.errors import InfraError

VERSION = "5.0.2"
REQUIREMENT = f"swebench=={VERSION}"
READY = ".patchloop-ready"


class OfficialHarnessError(InfraError):
    """The official harness could not be installed or run."""

    kind = "other"


class PyPIUnreachableError(OfficialHarnessError):
    """PyPI cannot be reached, so the official harness cannot be installed."""


def venv_dir() -> Path:
    return cache_dir("envs") / f"swebench-{VERSION}"


def _pip_reaches_pypi(timeout: float) -> str | None:
    """None when pip can fetch the package; else why not (the last line pip printed)."""
    with tempfile.TemporaryDirectory(prefix="patchloop-pypi-probe-") as tmp:
        try:
            probe = subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-cache-dir", "-d", tmp, REQUIREMENT],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return f"pip download {REQUIREMENT} did not finish in {timeout:.0f} s"
    if probe.returncode == 0:
        return None
    lines = [line for line in probe.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
    return lines[-1] if lines else f"pip exited {probe.returncode}"


def ensure_python(*, timeout: float = 1200.0) -> Path:
    """The official venv's python, installing ``swebench==5.0.2`` first when needed."""
    venv = venv_dir()
    python = venv / "bin" / "python"
    if (venv / READY).exists():
        return python
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be installing it: wait for it
        if (venv / READY).exists():
            return python
        why = _pip_reaches_pypi(timeout=120)
        if why is not None:
            raise PyPIUnreachableError(f"cannot install {REQUIREMENT} for the official harness: {why}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", REQUIREMENT],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if install.returncode != 0:
            raise OfficialHarnessError(f"pip install {REQUIREMENT} failed: {install.stderr.strip()[-2000:]}")
        (venv / READY).write_text(f"{REQUIREMENT}\n")
    return python


@dataclass
class OfficialRun:
    run_id: str
    wall_s: float
    report: dict[str, Any]  # the run report make_run_report wrote
    instances: dict[str, dict[str, Any]]  # instance_id -> the inner dict of its report.json
    log_dir: Path  # logs/run_evaluation/<run_id>/<model>/


def _remove_containers(run_id: str) -> None:
    """The harness names its containers ``sweb.eval.<iid>.<run_id>``: remove any it left."""
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"name=.{run_id}"], capture_output=True, text=True, timeout=60
    )
    ids = listed.stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, timeout=120)


# run_evaluation's last step, make_run_report, lists every container of the engine; on an
# engine shared with other work one can vanish between the list and its inspect (docker's
# NotFound), and the whole run exits 1 with every instance already graded. This runs that
# same last step again, with the package's own functions, as run_evaluation's main() does.
_REPORT_AGAIN = """
import json, sys
import docker
from swebench.harness.reporting import make_run_report
from swebench.harness.utils import get_predictions_from_file, load_swebench_dataset
dataset, predictions, run_id, report_dir, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
preds = {p["instance_id"]: p for p in get_predictions_from_file(predictions, dataset, "test", None, ids)}
make_run_report(preds, load_swebench_dataset(dataset, "test", ids), run_id, docker.from_env(), report_dir)
"""


def _report_again(
    python: Path, dataset: Path, predictions: Path, instance_ids: list[str], *, run_id: str, work_dir: Path
) -> None:
    why = ""
    for _attempt in range(3):
        again = subprocess.run(
            [str(python), "-c", _REPORT_AGAIN, str(dataset), str(predictions), run_id, str(work_dir), *instance_ids],
            cwd=work_dir,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if again.returncode == 0:
            return
        why = again.stderr[-2000:]
    raise OfficialHarnessError(f"run_evaluation's make_run_report failed three more times: {why}")


def run_evaluation(
    python: Path,
    dataset: Path,
    predictions: Path,
    instance_ids: list[str],
    *,
    work_dir: Path,
    model_name: str,
    workers: int = 4,
    eval_timeout: int = 1800,
    timeout: float = 3600.0,
) -> OfficialRun:
    """``python -m swebench.harness.run_evaluation`` in ``work_dir``; its reports, read back."""
    run_id = f"plofficial-{uuid.uuid4().hex[:10]}"
    work_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(python),
        "-m",
        "swebench.harness.run_evaluation",
        *("-d", str(dataset), "-p", str(predictions), "--run_id", run_id, "--report_dir", str(work_dir)),
        *("--max_workers", str(workers), "--timeout", str(eval_timeout), "-i", *instance_ids),
    ]
    started = time.monotonic()
    log_path = work_dir / f"run_evaluation.{run_id}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=work_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except BaseException:  # a timeout or Ctrl-C: stop the harness and what it started
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            raise
        finally:
            _remove_containers(run_id)
    wall = time.monotonic() - started
    model_dir = model_name.replace("/", "__")
    report_path = work_dir / f"{model_dir}.{run_id}.json"
    if proc.returncode != 0:
        log_text = log_path.read_text(errors="replace")
        if "make_run_report" not in log_text:
            raise OfficialHarnessError(f"run_evaluation exited {proc.returncode}: {log_text[-3000:]}")
        _report_again(python, dataset, predictions, instance_ids, run_id=run_id, work_dir=work_dir)
    log_dir = work_dir / "logs" / "run_evaluation" / run_id / model_dir
    instances = {}
    for path in sorted(log_dir.glob("*/report.json")):
        instances[path.parent.name] = json.loads(path.read_text())[path.parent.name]
    return OfficialRun(run_id, round(wall, 3), json.loads(report_path.read_text()), instances, log_dir)
