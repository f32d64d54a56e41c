"""``validate``: prove every instance in its own image, the way the runner will grade it.

Per row, in a fresh container (no network) from the row's image:
  1. /testbed is the base commit and nothing else: HEAD == base_commit, a clean tree with no
     untracked or ignored files, one commit in all refs and the reflog, no stash, every object
     reachable from it, and the gold patch applies forward but not in reverse, with none of
     its added code already in the files it targets;
  2. the eval script with the test patch alone: every FAIL_TO_PASS test fails.
Then in a second fresh container: the gold patch with ``git apply``, the eval script again:
FAIL_TO_PASS and PASS_TO_PASS all pass (graded with swebench's parser and grading).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runners.minibench.evalscript import END_TEST_OUTPUT, START_TEST_OUTPUT
from runners.minibench.hostpytest import PASS_STATUSES, parse_pytest_log
from runners.minibench.patches import blocks_present, touched_files

EVAL_TIMEOUT_S = 300
OUTPUT_LIMIT = 4_000_000
GOLD_PATH = "/tmp/minibench_gold.diff"
EVAL_PATH = "/tmp/minibench_eval.sh"


class InstanceValidation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instance_id: str
    base_ok: bool = False
    f2p_fail_before: int = 0
    f2p_total: int = 0
    f2p_pass_after: int = 0
    p2p_pass_after: int = 0
    p2p_total: int = 0
    resolved_with_gold: bool = False
    seconds: float = 0.0
    problems: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.base_ok and not self.problems and self.f2p_fail_before == self.f2p_total and self.resolved_with_gold


def test_output(log: str) -> str:
    """The part of an eval log between the Start and End markers ("" when they are missing)."""
    if START_TEST_OUTPUT not in log or END_TEST_OUTPUT not in log:
        return ""
    return log.split(START_TEST_OUTPUT, 1)[1].split(END_TEST_OUTPUT, 1)[0]


def _statuses(log: str) -> dict[str, str]:
    return parse_pytest_log(test_output(log))


def _sandbox(image: str, run_id: str) -> Any:
    from sandbox import DockerSandbox

    return DockerSandbox(
        image,
        mode="exec",
        run_id=run_id,
        labels={"patchloop.minibench.validate": "1"},
        output_limit=OUTPUT_LIMIT,
    )


def _run(box: Any, command: str, timeout: float = 60) -> tuple[int, str]:
    result = box.execute(command, timeout=timeout)
    return result.exit_code, result.output


def _check_base(box: Any, row: Mapping[str, Any], problems: list[str]) -> None:
    base = row["base_commit"]
    code, out = _run(box, "git rev-parse HEAD")
    if out.strip() != base:
        problems.append(f"HEAD is {out.strip()!r}, not base_commit {base}")
    _, out = _run(box, "git status --porcelain --ignored --untracked-files=all")
    if out.strip():
        problems.append(f"working tree not clean: {out.strip()[:200]}")
    _, out = _run(box, "git rev-list --all --reflog | sort -u")
    if out.split() != [base]:
        problems.append(f"history holds more than the base commit: {out.split()[:5]}")
    _, out = _run(box, "git for-each-ref --format='%(refname)'; git stash list")
    if out.split() != ["refs/heads/main"]:
        problems.append(f"refs other than refs/heads/main: {out.split()}")
    _, reachable = _run(box, "git rev-list --objects --all --reflog | cut -d' ' -f1 | sort -u")
    _, stored = _run(box, "git cat-file --batch-all-objects --batch-check='%(objectname)' | sort -u")
    extra = sorted(set(stored.split()) - set(reachable.split()))
    if extra:
        problems.append(f"{len(extra)} unreachable object(s) in .git, e.g. {extra[0]}")
    box.write_file(GOLD_PATH, row["patch"].encode("utf-8"))
    code, out = _run(box, f"git apply --check {GOLD_PATH}")
    if code != 0:
        problems.append(f"gold patch does not apply: {out.strip()[:200]}")
    code, _ = _run(box, f"git apply -R --check {GOLD_PATH}")
    if code == 0:
        problems.append("gold patch applies in reverse: the fix is already in the tree")
    from sandbox.errors import SandboxFileNotFoundError

    files = {}
    for path in touched_files(row["patch"]):
        try:
            files[path] = box.read_file(path).decode("utf-8", "replace")
        except SandboxFileNotFoundError:
            problems.append(f"{path}, a file the gold patch changes, is missing from /testbed")
    present = blocks_present(row["patch"], files)
    if present:
        problems.append(f"lines of the fix already in the tree: {present}")


def _run_eval(box: Any, row: Mapping[str, Any]) -> str:
    box.write_file(EVAL_PATH, row["eval_script"].encode("utf-8"), mode=0o755)
    result = box.execute(f"bash {EVAL_PATH}", timeout=EVAL_TIMEOUT_S)
    if result.timed_out:
        return ""
    return result.output


class PatchOutcome(BaseModel):
    """A patch evaluated in a fresh container: applied?, test statuses, the swebench report."""

    model_config = ConfigDict(extra="forbid")

    applied: bool
    apply_output: str = ""
    statuses: dict[str, str]
    report: dict[str, dict[str, list[str]]]
    resolved: bool


def evaluate_patch(row: Mapping[str, Any], patch: str, *, run_id: str | None = None) -> PatchOutcome:
    """``git apply`` ``patch`` in a fresh container from the row's image, run the eval script, grade.

    An empty patch is not applied (the eval script then runs on the base tree).
    """
    from swebench.harness.constants import EvalType, ResolvedStatus
    from swebench.harness.grading import get_eval_tests_report, get_resolution_status

    run_id = run_id or f"minibench-validate-{uuid.uuid4().hex[:8]}"
    applied, apply_output, statuses = True, "", {}
    with _sandbox(row["image"], run_id) as box:
        if patch:
            box.write_file(GOLD_PATH, patch.encode("utf-8"))
            code, apply_output = _run(box, f"git apply -v {GOLD_PATH}")
            applied = code == 0
        if applied:
            statuses = _statuses(_run_eval(box, row))
    tests = {"FAIL_TO_PASS": json.loads(row["FAIL_TO_PASS"]), "PASS_TO_PASS": json.loads(row["PASS_TO_PASS"])}
    report = get_eval_tests_report(statuses, tests, eval_type=EvalType.PASS_AND_FAIL)
    resolved = applied and bool(statuses) and get_resolution_status(report) == ResolvedStatus.FULL.value
    return PatchOutcome(applied=applied, apply_output=apply_output, statuses=statuses, report=report, resolved=resolved)


def validate_row(row: Mapping[str, Any], *, run_id: str | None = None) -> InstanceValidation:
    """Validate one row in fresh containers from its image."""
    started = time.monotonic()
    run_id = run_id or f"minibench-validate-{uuid.uuid4().hex[:8]}"
    f2p = json.loads(row["FAIL_TO_PASS"])
    p2p = json.loads(row["PASS_TO_PASS"])
    result = InstanceValidation(instance_id=row["instance_id"], f2p_total=len(f2p), p2p_total=len(p2p))

    with _sandbox(row["image"], run_id) as box:
        _check_base(box, row, result.problems)
        result.base_ok = not result.problems
        before = _statuses(_run_eval(box, row))
    if not before:
        result.problems.append("eval script with the test patch alone produced no test results")
    result.f2p_fail_before = sum(1 for test in f2p if before.get(test) not in PASS_STATUSES)
    passing = [test for test in f2p if before.get(test) in PASS_STATUSES]
    if passing:
        result.problems.append(f"FAIL_TO_PASS tests pass without the fix: {passing}")

    gold = evaluate_patch(row, row["patch"], run_id=run_id)
    if not gold.applied:
        result.problems.append(f"git apply of the gold patch failed: {gold.apply_output.strip()[:200]}")
    result.f2p_pass_after = len(gold.report["FAIL_TO_PASS"]["success"])
    result.p2p_pass_after = len(gold.report["PASS_TO_PASS"]["success"])
    result.resolved_with_gold = gold.resolved
    failures = gold.report["FAIL_TO_PASS"]["failure"] + gold.report["PASS_TO_PASS"]["failure"]
    if failures:
        result.problems.append(f"tests not passing with the gold patch: {failures}")
    result.seconds = round(time.monotonic() - started, 1)
    return result


def validate_rows(rows: Sequence[Mapping[str, Any]], *, workers: int = 2) -> list[InstanceValidation]:
    """Validate rows, ``workers`` instances at a time (each uses one container at a time)."""
    run_id = f"minibench-validate-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=max(1, min(workers, 4))) as pool:
        return list(pool.map(lambda row: validate_row(row, run_id=run_id), rows))


def format_table(results: list[InstanceValidation]) -> str:
    """A plain-text table: one line per instance, then the totals."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="minibench validation")
    for column in ("instance", "base", "F2P fail before", "F2P pass after", "P2P pass after", "gold", "s", "problems"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.instance_id,
            "ok" if r.base_ok else "BAD",
            f"{r.f2p_fail_before}/{r.f2p_total}",
            f"{r.f2p_pass_after}/{r.f2p_total}",
            f"{r.p2p_pass_after}/{r.p2p_total}",
            "resolved" if r.resolved_with_gold else "NOT resolved",
            f"{r.seconds:.1f}",
            "; ".join(r.problems)[:300],
        )
    valid = sum(1 for r in results if r.ok)
    table.caption = f"{valid} of {len(results)} instances valid"
    console = Console(width=200, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
