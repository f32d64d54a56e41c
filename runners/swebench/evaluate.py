"""Evaluate one patch the way the official harness does, in a FRESH container.

Steps (swebench 4.1.0 ``run_instance``): copy the patch to ``/tmp/patch.diff``; try
``git apply --verbose``, ``git apply --verbose --reject``, ``patch --batch --fuzz=5 -p1 -i``
in turn; write ``/eval.sh`` and run it with a timeout, its output going to a file inside
the container that is read back whole (no output cap); grade with ``swebench``.

Like the harness, a patch that applies with no command and an eval that times out are
errors (no grading), written to the log with the harness's own markers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runners.swebench.dataset import Instance
from runners.swebench.files import write_text_atomic
from runners.swebench.grading import grade

GIT_APPLY_CMDS = (
    "git apply --verbose",
    "git apply --verbose --reject",
    "patch --batch --fuzz=5 -p1 -i",
)
CONTAINER_PATCH = "/tmp/patch.diff"
CONTAINER_EVAL = "/eval.sh"
CONTAINER_OUTPUT = "/tmp/patchloop_test_output.txt"
WORKDIR = "/testbed"


class EvalSandbox(Protocol):
    """The part of ``sandbox.Sandbox`` evaluation needs."""

    def execute(
        self, command: str, *, timeout: float = 120, cwd: str | None = None, env: dict[str, str] | None = None
    ) -> Any: ...
    def read_file(self, path: str) -> bytes: ...
    def write_file(self, path: str, data: bytes, *, mode: int | None = None) -> None: ...
    def close(self) -> None: ...


SandboxFactory = Callable[[str, str, dict[str, str]], EvalSandbox]
"""(image, run_id, labels) -> a started sandbox."""


@dataclass
class EvalOutcome:
    """What evaluation found. ``report`` holds the official per-instance fields."""

    status: str  # resolved | unresolved | error
    report: dict[str, Any]
    error: str | None = None
    eval_s: float = 0.0
    log_lines: list[str] = field(default_factory=list)


def _harness_markers():
    from swebench.harness.constants import APPLY_PATCH_FAIL, APPLY_PATCH_PASS, TESTS_TIMEOUT

    return APPLY_PATCH_FAIL, APPLY_PATCH_PASS, TESTS_TIMEOUT


def _not_graded(patch: str) -> dict[str, Any]:
    return {
        "patch_is_None": False,
        "patch_exists": bool(patch),
        "patch_successfully_applied": False,
        "resolved": False,
    }


def evaluate(
    instance: Instance,
    model_patch: str,
    eval_script: str,
    *,
    image: str,
    run_id: str,
    out_dir: Path,
    timeout: float,
    sandbox_factory: SandboxFactory,
) -> EvalOutcome:
    """Apply ``model_patch`` in a fresh container of ``image``, run the eval script, grade.

    Writes ``out_dir/patch.diff``, ``eval.sh``, ``test_output.txt`` and ``run_instance.log``.
    """
    apply_fail, apply_pass, tests_timeout = _harness_markers()
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    log: list[str] = []
    write_text_atomic(out_dir / "patch.diff", model_patch)
    write_text_atomic(out_dir / "eval.sh", eval_script)

    def finish(outcome: EvalOutcome) -> EvalOutcome:
        outcome.eval_s = round(time.monotonic() - started, 3)
        outcome.log_lines = log
        write_text_atomic(out_dir / "run_instance.log", "\n".join(log) + "\n")
        return outcome

    labels = {"patchloop.role": "eval", "patchloop.instance_id": instance.instance_id}
    sandbox = sandbox_factory(image, run_id, labels)
    try:
        log.append(f"Container for {instance.instance_id} started from {image}")
        sandbox.write_file(CONTAINER_PATCH, model_patch.encode("utf-8"))
        applied = None
        for command in GIT_APPLY_CMDS:
            applied = sandbox.execute(f"{command} {CONTAINER_PATCH}", cwd=WORKDIR, timeout=300)
            if applied.exit_code == 0:
                log.append(f"{apply_pass}:\n{applied.output}")
                break
            log.append(f"Failed to apply patch to container: {command}")
        else:
            log.append(f"{apply_fail}:\n{applied.output if applied else ''}")
            return finish(EvalOutcome("error", _not_graded(model_patch), error="patch apply failed"))

        before = sandbox.execute("git -c core.fileMode=false diff", cwd=WORKDIR, timeout=300)
        log.append(f"Git diff before:\n{before.output.strip()}")
        sandbox.write_file(CONTAINER_EVAL, eval_script.encode("utf-8"), mode=0o755)
        run = sandbox.execute(f"/bin/bash {CONTAINER_EVAL} > {CONTAINER_OUTPUT} 2>&1", cwd=WORKDIR, timeout=timeout)
        output = sandbox.read_file(CONTAINER_OUTPUT).decode("utf-8", errors="replace")
        if run.timed_out:
            output += f"\n\nTimeout error: {timeout} seconds exceeded."
            write_text_atomic(out_dir / "test_output.txt", output)
            log.append(f"{tests_timeout}: eval script exceeded {timeout} s")
            return finish(EvalOutcome("error", _not_graded(model_patch), error=f"eval timed out after {timeout} s"))
        write_text_atomic(out_dir / "test_output.txt", output)
        after = sandbox.execute("git -c core.fileMode=false diff", cwd=WORKDIR, timeout=300)
        log.append(f"Git diff after:\n{after.output.strip()}")
        report = grade(instance, model_patch, out_dir / "test_output.txt")
        log.append(f"report: {report}")
        status = "resolved" if report["resolved"] else "unresolved"
        return finish(EvalOutcome(status, report))
    finally:
        sandbox.close()
