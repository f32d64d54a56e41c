"""``build-dataset``: authored instance folders -> ``minibench.jsonl`` rows in the SWE-bench schema.

For each ``instances/<repo>/<NN>-<slug>/`` the base tree (fixed repo + ``bug/`` overlay) is
committed in a temp git repo with a fixed identity and date, so ``base_commit`` is the same
on every machine. The gold ``patch`` and the ``test_patch`` are ``git diff`` texts. The host's
pytest then checks rules 1-3 of docs/minibench.md and computes PASS_TO_PASS; rule 4 (kinds)
and rule 7 (no leak) are checked on the texts. Any broken rule refuses the whole build.
"""

from __future__ import annotations

import ast
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runners.minibench import MINIBENCH_DIR
from runners.minibench.errors import InstanceRuleError, MinibenchError
from runners.minibench.evalscript import make_eval_script, run_directives
from runners.minibench.gitops import diff_against_head, init_commit, write_tree
from runners.minibench.hostpytest import PytestRun, run_pytest
from runners.minibench.patches import blocks_present, leaked_into_text
from runners.minibench.spec import REQUIRED_KINDS, InstanceSpec, discover, load_instance, tree_files

IMAGE_REPOSITORY = "patchloop-minibench"
VERSION = "1.0"
LOG_PARSER = "parse_log_pytest"
EVAL_TYPE = "pass_and_fail"
SUITE_BUDGET_S = 15.0
FIELD_ORDER = (
    "repo",
    "instance_id",
    "base_commit",
    "patch",
    "test_patch",
    "problem_statement",
    "hints_text",
    "created_at",
    "version",
    "FAIL_TO_PASS",
    "PASS_TO_PASS",
    "environment_setup_commit",
    "log_parser",
    "eval_type",
    "eval_script",
    "image",
)


class DatasetRefused(MinibenchError):
    """One or more instances break the rules; nothing was written."""

    def __init__(self, errors: list[InstanceRuleError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  - {err}" for err in errors)
        super().__init__(f"refusing to build the dataset, {len(errors)} instance(s) break the rules:\n{lines}")


def image_name(repo: str, number: str) -> str:
    return f"{IMAGE_REPOSITORY}:{repo}-{number}"


def base_tree(spec: InstanceSpec) -> dict[str, bytes]:
    """The fixed repo with the ``bug/`` files in place, original tests."""
    return {**tree_files(spec.repo_dir), **spec.bug_files}


def _tail(text: str, n: int = 25) -> str:
    return "\n".join(text.rstrip().splitlines()[-n:])


def _materialize(files: dict[str, bytes], into: Path) -> Path:
    into.mkdir(parents=True)
    write_tree(into, files)
    return into


def _check_kind(spec: InstanceSpec, fixed: dict[str, bytes]) -> None:
    label = spec.label
    if spec.meta.kind == "two-files" and len(spec.bug_files) < 2:
        raise InstanceRuleError(label, "4 (kind two-files)", "bug/ must hold at least two source files")
    if spec.meta.kind == "new-function":
        added = set()
        for path, data in spec.bug_files.items():
            if path.endswith(".py"):
                added |= _function_names(fixed[path], path, label) - _function_names(data, path, label)
        if not added:
            raise InstanceRuleError(
                label,
                "4 (kind new-function)",
                "the fixed files define no function that the bug/ files lack",
            )


def _function_names(source: bytes, path: str, label: str) -> set[str]:
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise InstanceRuleError(label, "format", f"{path} does not parse: {exc}") from exc
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _check_base_suite(spec: InstanceSpec, run: PytestRun, seconds: float) -> None:
    bad = sorted(node for node, status in run.statuses.items() if status not in ("PASSED", "XFAIL", "SKIPPED"))
    if run.timed_out or run.exit_code != 0 or bad:
        raise InstanceRuleError(
            spec.label,
            "1 (base suite green)",
            f"the original suite on the base tree exits {run.exit_code}"
            + (f", failing {bad}" if bad else "")
            + f"; pytest says:\n{_tail(run.output)}",
        )
    if seconds > SUITE_BUDGET_S:
        raise InstanceRuleError(
            spec.label, "6 (fast suite)", f"the suite took {seconds:.1f} s on the base tree (budget 5 s)"
        )


def _check_runs(spec: InstanceSpec, before: PytestRun, after: PytestRun) -> list[str]:
    """Rules 2 and 3; return PASS_TO_PASS."""
    label = spec.label
    f2p = spec.meta.FAIL_TO_PASS
    for name, run in (("base+tests", before), ("fixed+tests", after)):
        if run.timed_out or run.exit_code not in (0, 1) or not run.statuses:
            raise InstanceRuleError(
                label,
                "2/3 (tests run)",
                f"pytest on {name} did not run the tests (exit {run.exit_code}):\n{_tail(run.output)}",
            )
    not_failing = [node for node in f2p if before.statuses.get(node) not in ("FAILED", "ERROR")]
    if not_failing:
        shown = {node: before.statuses.get(node, "not collected") for node in not_failing}
        raise InstanceRuleError(label, "2 (F2P fail on base)", f"FAIL_TO_PASS tests do not fail on base+tests: {shown}")
    broken = sorted(n for n, s in before.statuses.items() if n not in f2p and s != "PASSED")
    if broken:
        raise InstanceRuleError(
            label,
            "2 (others pass on base)",
            f"tests outside FAIL_TO_PASS do not pass on base+tests: {broken}; "
            "list them in FAIL_TO_PASS or make them pass on the base tree",
        )
    failing = sorted(n for n, s in after.statuses.items() if s != "PASSED")
    missing = [node for node in f2p if node not in after.statuses]
    if failing or missing or after.exit_code != 0:
        raise InstanceRuleError(
            label,
            "3 (all pass on fixed)",
            f"on fixed+tests failing {failing}, not collected {missing}:\n{_tail(after.output)}",
        )
    if set(before.statuses) != set(after.statuses):
        raise InstanceRuleError(
            label,
            "6 (stable node ids)",
            f"base and fixed runs collect different tests: {sorted(set(before.statuses) ^ set(after.statuses))}",
        )
    spaced = [node for node in after.statuses if any(ch.isspace() for ch in node)]
    if spaced:
        raise InstanceRuleError(label, "6 (stable node ids)", f"node ids with spaces break parse_log_pytest: {spaced}")
    return sorted(node for node in after.statuses if node not in f2p)


def build_row(spec: InstanceSpec) -> dict[str, str]:
    """Build and check one row. Raises InstanceRuleError naming the broken rule."""
    fixed = tree_files(spec.repo_dir)
    base = base_tree(spec)
    _check_kind(spec, fixed)
    with tempfile.TemporaryDirectory(prefix=f"minibench-{spec.repo}-{spec.number}-") as tmp:
        work = Path(tmp)
        repo = _materialize(base, work / "git")
        base_commit = init_commit(repo, f"Import {spec.repo}", spec.meta.created_at)

        write_tree(repo, {path: fixed[path] for path in spec.bug_files})
        patch = diff_against_head(repo, sorted(spec.bug_files))
        write_tree(repo, {path: base[path] for path in spec.bug_files})
        write_tree(repo, spec.test_files)
        test_patch = diff_against_head(repo, sorted(spec.test_files))
        if not patch or not test_patch:
            raise InstanceRuleError(spec.label, "format", "the gold patch or the test patch is empty")

        leaks = leaked_into_text(patch, spec.problem_statement)
        if leaks:
            raise InstanceRuleError(spec.label, "7 (no leak)", f"problem.md contains lines of the fix: {leaks}")
        present = blocks_present(patch, {p: base[p].decode("utf-8", "replace") for p in spec.bug_files})
        if present:
            raise InstanceRuleError(spec.label, "7 (no leak)", f"the base tree already holds the fix: {present}")

        started = time.monotonic()
        suite = run_pytest(_materialize(base, work / "base"), [])
        _check_base_suite(spec, suite, time.monotonic() - started)

        targets = run_directives(test_patch)
        before = run_pytest(_materialize({**base, **spec.test_files}, work / "before"), targets)
        after = run_pytest(_materialize({**fixed, **spec.test_files}, work / "after"), targets)
        pass_to_pass = _check_runs(spec, before, after)

    row = {
        "repo": f"minibench/{spec.repo}",
        "instance_id": spec.instance_id,
        "base_commit": base_commit,
        "patch": patch,
        "test_patch": test_patch,
        "problem_statement": spec.problem_statement.strip() + "\n",
        "hints_text": spec.meta.hints_text,
        "created_at": spec.meta.created_at,
        "version": VERSION,
        "FAIL_TO_PASS": json.dumps(spec.meta.FAIL_TO_PASS),
        "PASS_TO_PASS": json.dumps(pass_to_pass),
        "environment_setup_commit": base_commit,
        "log_parser": LOG_PARSER,
        "eval_type": EVAL_TYPE,
        "eval_script": make_eval_script(base_commit, test_patch),
        "image": image_name(spec.repo, spec.number),
    }
    return {key: row[key] for key in FIELD_ORDER}


def check_repo_kinds(specs: list[InstanceSpec]) -> list[InstanceRuleError]:
    """Rule 4 across a repo: every required kind appears at least once."""
    errors = []
    for repo in sorted({spec.repo for spec in specs}):
        kinds = {spec.meta.kind for spec in specs if spec.repo == repo}
        missing = [kind for kind in REQUIRED_KINDS if kind not in kinds]
        if missing:
            errors.append(
                InstanceRuleError(f"minibench/{repo}", "4 (varied kinds)", f"no instance of kind {', '.join(missing)}")
            )
    return errors


def _check_unique(specs: list[InstanceSpec]) -> list[InstanceRuleError]:
    seen: dict[str, InstanceSpec] = {}
    errors = []
    for spec in specs:
        if spec.instance_id in seen:
            errors.append(
                InstanceRuleError(
                    spec.label, "format", f"number {spec.number} also used by {seen[spec.instance_id].folder.name}"
                )
            )
        seen[spec.instance_id] = spec
    return errors


def build_rows(
    root: Path = MINIBENCH_DIR,
    *,
    repos: list[str] | None = None,
    workers: int = 2,
    require_kinds: bool = True,
    on_row: Callable[[str, str], None] | None = None,
) -> list[dict[str, str]]:
    """Build every row under ``root`` (sorted by instance id), or raise DatasetRefused."""
    errors: list[InstanceRuleError] = []
    specs: list[InstanceSpec] = []
    for folder in discover(root, repos):
        try:
            specs.append(load_instance(folder, root / "repos"))
        except InstanceRuleError as err:
            errors.append(err)
    errors += _check_unique(specs)
    if require_kinds:
        errors += check_repo_kinds(specs)

    def one(spec: InstanceSpec) -> dict[str, str] | InstanceRuleError:
        try:
            row = build_row(spec)
        except InstanceRuleError as err:
            if on_row:
                on_row(spec.instance_id, "REFUSED")
            return err
        if on_row:
            on_row(spec.instance_id, "ok")
        return row

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, specs))
    rows = [r for r in results if isinstance(r, dict)]
    errors += [r for r in results if isinstance(r, InstanceRuleError)]
    if errors:
        raise DatasetRefused(errors)
    if not rows:
        raise MinibenchError(f"no instances found under {root / 'instances'}")
    return sorted(rows, key=lambda row: row["instance_id"])
