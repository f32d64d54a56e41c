"""Grade a test log exactly like the official harness, through the ``swebench`` package.

Rows of repos swebench 4.1.0 knows (all of SWE-bench Lite) whose ``log_parser`` is the one
the package maps to the repo go straight through ``swebench.harness.grading.get_eval_report``.

Other rows (minibench, or a row naming a different parser) cannot: 4.1.0's
``get_logs_eval`` looks the parser and test command up by repo. For them the status map is
produced by the row's named swebench parser, after the same checks ``get_logs_eval`` makes
(any failure marker -> not applied; missing Start/End markers -> not applied; parse the
text between the markers, else the whole log), and then ``get_eval_tests_report`` and
``get_resolution_status`` decide, as for every other row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runners.swebench.dataset import Instance
from runners.swebench.specs import parser_for, test_spec_for


def _uses_official_path(instance: Instance) -> bool:
    from swebench.harness.constants import FAIL_ONLY_REPOS
    from swebench.harness.log_parsers import MAP_REPO_TO_PARSER

    from runners.swebench.specs import knows_repo_version

    if not knows_repo_version(instance) or instance.repo not in MAP_REPO_TO_PARSER:
        return False
    if instance.log_parser and parser_for(instance) is not MAP_REPO_TO_PARSER[instance.repo]:
        return False
    official_type = "fail_only" if instance.repo in FAIL_ONLY_REPOS else "pass_and_fail"
    return (instance.eval_type or official_type) == official_type


def logs_eval(instance: Instance, log_text: str) -> tuple[dict[str, str], bool]:
    """Status map and whether the run got to the tests, with the row's named parser."""
    from swebench.harness.constants import (
        APPLY_PATCH_FAIL,
        END_TEST_OUTPUT,
        RESET_FAILED,
        START_TEST_OUTPUT,
        TESTS_ERROR,
        TESTS_TIMEOUT,
    )

    if any(code in log_text for code in (APPLY_PATCH_FAIL, RESET_FAILED, TESTS_ERROR, TESTS_TIMEOUT)):
        return {}, False
    if not (START_TEST_OUTPUT in log_text and END_TEST_OUTPUT in log_text):
        return {}, False
    parser = parser_for(instance)
    spec = test_spec_for(instance)
    between = log_text.split(START_TEST_OUTPUT)[1].split(END_TEST_OUTPUT)[0]
    return parser(between, spec) or parser(log_text, spec), True


def grade(instance: Instance, model_patch: str | None, log_path: Path) -> dict[str, Any]:
    """The official per-instance report ``{patch_is_None, patch_exists, patch_successfully_applied,
    resolved, tests_status}`` (the inner dict of swebench's ``get_eval_report``)."""
    from swebench.harness.constants import FAIL_TO_PASS, PASS_TO_PASS, EvalType, ResolvedStatus
    from swebench.harness.grading import get_eval_report, get_eval_tests_report, get_resolution_status

    prediction = {
        "instance_id": instance.instance_id,
        "model_name_or_path": "patchloop",
        "model_patch": model_patch,
    }
    if _uses_official_path(instance):
        official = get_eval_report(test_spec_for(instance), prediction, str(log_path), include_tests_status=True)
        return official[instance.instance_id]
    report: dict[str, Any] = {
        "patch_is_None": model_patch is None,
        "patch_exists": model_patch is not None,
        "patch_successfully_applied": False,
        "resolved": False,
    }
    if model_patch is None:
        return report
    status_map, found = logs_eval(instance, log_path.read_text(encoding="utf-8", errors="replace"))
    if not found:
        return report
    report["patch_successfully_applied"] = True
    eval_type = EvalType(instance.eval_type or EvalType.PASS_AND_FAIL.value)
    gold = {FAIL_TO_PASS: instance.fail_to_pass, PASS_TO_PASS: instance.pass_to_pass}
    tests = get_eval_tests_report(status_map, gold, eval_type=eval_type)
    report["resolved"] = get_resolution_status(tests) == ResolvedStatus.FULL.value
    report["tests_status"] = tests
    return report
