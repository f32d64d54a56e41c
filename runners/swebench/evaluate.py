"""Evaluate one patch the way the official harness (swebench 5.x ``run_instance``) does, in a
FRESH container.

Steps: copy the patch to ``/tmp/patch.diff``; try ``git apply --verbose``, ``--3way``,
``--reject``, then ``patch --batch --forward --fuzz=5 -p1 -i``, putting the tree back
(``git checkout -- . ; git clean -fd``) before each retry; if none exits 0 the patch still
counts as applied when ``git apply --check --reverse`` proves it is already in the tree.
Write ``/eval.sh`` as the harness runs it (the row's script with the test exit status
recorded, ``scripts.runtime_script``) and run it with a timeout, its output going to a file
inside the container that is read back whole; grade with ``swebench`` (``grading.grade``).

Like the harness, a patch that applies with no command and an eval that times out are errors
(no grading), written to the log with the harness's own markers; they get 5.x's infra labels
from their logs. Every evaluated patch also gets ``tamper_flags`` (``tamper.py``): advisory,
the verdict stays the official one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runners.swebench.dataset import Instance
from runners.swebench.files import write_text_atomic
from runners.swebench.grading import INSTANCE_LOG, TEST_OUTPUT, error_labels, grade
from runners.swebench.scripts import runtime_script
from runners.swebench.tamper import config_paths, output_flags, patch_flags

GIT_APPLY_CMDS = (
    "git apply --verbose",
    "git apply --verbose --3way",
    "git apply --verbose --reject",
    "patch --batch --forward --fuzz=5 -p1 -i",
)
RESET_TREE = "git checkout -- . ; git clean -fd"
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
    """What evaluation found. ``report`` holds the official per-instance fields and ``tamper_flags``."""

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


def _read_texts(sandbox: EvalSandbox, paths: list[str]) -> dict[str, str | None]:
    """The text of each repository file (None when absent or unreadable as a file)."""
    from sandbox.errors import SandboxError

    texts: dict[str, str | None] = {}
    for path in paths:
        try:
            texts[path] = sandbox.read_file(f"{WORKDIR}/{path}").decode("utf-8", errors="replace")
        except (SandboxError, OSError):
            texts[path] = None
    return texts


def _apply(sandbox: EvalSandbox, log: list[str], apply_pass: str) -> tuple[bool, str]:
    """The harness's apply chain; (applied, output of the last command)."""
    output = ""
    for attempt, command in enumerate(GIT_APPLY_CMDS):
        if attempt:  # a failed attempt (--reject above all) leaves a half-patched tree behind
            sandbox.execute(RESET_TREE, cwd=WORKDIR, timeout=300)
        result = sandbox.execute(f"{command} {CONTAINER_PATCH}", cwd=WORKDIR, timeout=300)
        output = result.output
        if result.exit_code == 0:
            log.append(f"{apply_pass}:\n{output}")
            return True, output
        log.append(f"Failed to apply patch to container: {command}")
    reverse = sandbox.execute(f"git apply --check --reverse {CONTAINER_PATCH}", cwd=WORKDIR, timeout=300)
    if reverse.exit_code == 0:  # the chain can leave it fully applied while every command exited non-zero
        log.append(f"{apply_pass}: verified already applied")
        return True, output
    return False, output


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

    ``eval_script`` is the row's (``specs.eval_script_for``); what runs, and what is written
    to ``out_dir/eval.sh``, is its runtime form. Also writes ``patch.diff``,
    ``test_output.txt`` and ``run_instance.log``.
    """
    apply_fail, apply_pass, tests_timeout = _harness_markers()
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    log: list[str] = []
    script = runtime_script(eval_script)
    write_text_atomic(out_dir / "patch.diff", model_patch)
    write_text_atomic(out_dir / "eval.sh", script)

    def finish(outcome: EvalOutcome) -> EvalOutcome:
        outcome.eval_s = round(time.monotonic() - started, 3)
        outcome.log_lines = log
        write_text_atomic(out_dir / INSTANCE_LOG, "\n".join(log) + "\n")
        if outcome.status == "error":
            outcome.report.update(error_labels(out_dir))
        return outcome

    labels = {"patchloop.role": "eval", "patchloop.instance_id": instance.instance_id}
    sandbox = sandbox_factory(image, run_id, labels)
    try:
        log.append(f"Container for {instance.instance_id} started from {image}")
        sandbox.write_file(CONTAINER_PATCH, model_patch.encode("utf-8"))
        configs = config_paths(model_patch)
        before = _read_texts(sandbox, configs)
        applied, output = _apply(sandbox, log, apply_pass)
        if not applied:
            log.append(f"{apply_fail}:\n{output}")
            report = _not_graded(model_patch)
            report["tamper_flags"] = _dump(patch_flags(instance, model_patch, script))
            return finish(EvalOutcome("error", report, error="patch apply failed"))
        after = _read_texts(sandbox, configs)
        flags = patch_flags(instance, model_patch, script, before=before.__getitem__, after=after.__getitem__)

        diff_before = sandbox.execute("git -c core.fileMode=false diff", cwd=WORKDIR, timeout=300).output.strip()
        log.append(f"Git diff before:\n{diff_before}")
        sandbox.write_file(CONTAINER_EVAL, script.encode("utf-8"), mode=0o755)
        run = sandbox.execute(f"/bin/bash {CONTAINER_EVAL} > {CONTAINER_OUTPUT} 2>&1", cwd=WORKDIR, timeout=timeout)
        output = sandbox.read_file(CONTAINER_OUTPUT).decode("utf-8", errors="replace")
        if run.timed_out:
            output += f"\n\nTimeout error: {timeout} seconds exceeded."
            write_text_atomic(out_dir / TEST_OUTPUT, output)
            log.append(f"{tests_timeout}: eval script exceeded {timeout} s")
            report = {**_not_graded(model_patch), "tamper_flags": _dump(flags)}
            return finish(EvalOutcome("error", report, error=f"eval timed out after {timeout} s"))
        write_text_atomic(out_dir / TEST_OUTPUT, output)
        diff_after = sandbox.execute("git -c core.fileMode=false diff", cwd=WORKDIR, timeout=300).output.strip()
        log.append(f"Git diff after:\n{diff_after}")
        if diff_after != diff_before:
            log.append("Git diff changed after running eval script")
        report = grade(instance, model_patch, out_dir / TEST_OUTPUT)
        log.append(f"report: { ({instance.instance_id: report}) }")
        report["tamper_flags"] = _dump([*flags, *output_flags(eval_script, output)])
        status = "resolved" if report["resolved"] else "unresolved"
        return finish(EvalOutcome(status, report))
    finally:
        sandbox.close()


def _dump(flags: list[Any]) -> list[dict[str, Any]]:
    return [flag.model_dump() for flag in flags]
