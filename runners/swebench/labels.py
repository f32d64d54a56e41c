"""Run-level labels over the per-instance reports: 5.x's infrastructure-failure keys and the
tamper counts. Pure functions of ``<out>/<instance_id>/`` (its ``report.json`` and logs), so
the run report that uses them is rebuilt identically after any kill.

:func:`failure_labels` is swebench 5.x ``make_run_report``'s classification (issue #586):
each unresolved or errored instance's ``test_output.txt`` + ``run_instance.log`` go through
the package's ``classify_logs``; tier ``environment`` is an infrastructure failure, tier
``ambiguous`` is reported apart. Advisory: the ids stay where they are counted, the
denominator does not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runners.swebench.grading import INSTANCE_LOG, TEST_OUTPUT, classify

Reports = Mapping[str, Mapping[str, Any] | None]
"""instance_id -> its per-instance report (the inner dict), or None when it has none."""


def failure_labels(out_dir: Path, reports: Reports) -> dict[str, Any]:
    """``infra_failure_instances``, ``infra_failure_ids``, ``ambiguous_failure_instances``,
    ``ambiguous_failure_ids``, ``failure_reasons`` (id -> reason) over the instances whose
    ``status`` is ``unresolved`` or ``error``."""
    from swebench.harness.infra_failure import TIER_ENVIRONMENT

    infra: list[str] = []
    ambiguous: list[str] = []
    reasons: dict[str, str] = {}
    for iid, report in sorted(reports.items()):
        if not report or report.get("status") not in ("unresolved", "error"):
            continue
        found = classify(out_dir / iid / TEST_OUTPUT, out_dir / iid / INSTANCE_LOG)
        if found is None:
            continue
        reason, tier = found
        reasons[iid] = reason
        (infra if tier == TIER_ENVIRONMENT else ambiguous).append(iid)
    return {
        "infra_failure_instances": len(infra),
        "ambiguous_failure_instances": len(ambiguous),
        "infra_failure_ids": infra,
        "ambiguous_failure_ids": ambiguous,
        "failure_reasons": reasons,
    }


def tamper_summary(reports: Reports) -> dict[str, Any]:
    """``tamper_flagged_instances``/``_ids`` (any ``tamper_flags``) and
    ``resolved_unflagged_instances``/``_ids`` (resolved and not flagged)."""
    flagged: list[str] = []
    clean: list[str] = []
    for iid, report in sorted(reports.items()):
        if not report:
            continue
        if report.get("tamper_flags"):
            flagged.append(iid)
        elif report.get("status") == "resolved":
            clean.append(iid)
    return {
        "tamper_flagged_instances": len(flagged),
        "resolved_unflagged_instances": len(clean),
        "tamper_flagged_ids": flagged,
        "resolved_unflagged_ids": clean,
    }
