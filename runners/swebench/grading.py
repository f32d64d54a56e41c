"""Grade a test log exactly as swebench 5.x does, through the package itself.

Every row goes through ``swebench.harness.grading.get_eval_report`` with the row's
``TestSpec`` (``specs.test_spec_for``), so the verdict is the package's, rule for rule:
failure markers and missing markers mean the tests did not run; a log with no parsed result
and no sign that a suite ran is not a pass; a non-zero test exit status (recorded by the
runtime script) with no FAILED/ERROR in the log is rejected; a skipped FAIL_TO_PASS test
fails while a skipped PASS_TO_PASS test is kept; ids truncated mid-parameter match by
prefix; and a log that cannot be graded gets 5.x's ``infra_failure`` labels.

The same labels for an evaluation that stopped before grading (the patch did not apply,
the tests timed out) are :func:`error_labels`: 5.x writes no per-instance report then,
and its run report classifies the instance's logs the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runners.swebench.dataset import Instance
from runners.swebench.specs import test_spec_for

TEST_OUTPUT = "test_output.txt"
INSTANCE_LOG = "run_instance.log"


def logs_eval(instance: Instance, log_path: Path) -> tuple[dict[str, str], bool]:
    """Status map and whether the log can be graded (swebench's ``get_logs_eval``)."""
    from swebench.harness.grading import get_logs_eval

    return get_logs_eval(test_spec_for(instance), str(log_path))


def grade(instance: Instance, model_patch: str | None, log_path: Path) -> dict[str, Any]:
    """The official per-instance report: ``{patch_is_None, patch_exists,
    patch_successfully_applied, resolved, infra_failure[, infra_failure_reason], tests_status}``
    (the inner dict of swebench's ``get_eval_report``)."""
    from swebench.harness.grading import get_eval_report

    prediction = {
        "instance_id": instance.instance_id,
        "model_name_or_path": "patchloop",
        "model_patch": model_patch,
    }
    report = get_eval_report(test_spec_for(instance), prediction, str(log_path), include_tests_status=True)
    return report[instance.instance_id]


def classify(*log_paths: Path) -> tuple[str, str] | None:
    """5.x's ``(reason, tier)`` for the concatenated logs that exist, or None."""
    from swebench.harness.infra_failure import classify_logs

    return classify_logs(*log_paths)


def error_labels(log_dir: Path) -> dict[str, Any]:
    """``infra_failure`` (and ``infra_failure_reason`` when a signature matched) of an
    evaluation that ended before grading, from its ``test_output.txt`` and ``run_instance.log``."""
    from swebench.harness.infra_failure import TIER_ENVIRONMENT

    found = classify(log_dir / TEST_OUTPUT, log_dir / INSTANCE_LOG)
    if found is None:
        return {"infra_failure": False}
    reason, tier = found
    return {"infra_failure": tier == TIER_ENVIRONMENT, "infra_failure_reason": reason}
