"""The run report in swebench 5.x ``run_evaluation``'s own layout, from a patchloop run.

``make_run_report`` (``swebench/harness/reporting.py``) writes
``<report_dir>/<model_name_or_path, "/" -> "__">.<run_id>.json`` with the keys below, in
this order, every id list sorted. Its rules, applied to our per-instance reports: an
instance with no prediction is incomplete; a prediction whose ``model_patch`` is ``""`` or
None is an empty patch; an evaluated patch (our ``resolved``/``unresolved``: 5.x wrote its
``report.json``) is completed and resolved or not; any other prediction is an error (5.x
writes no report when the patch does not apply, the tests time out or the run fails).
Unresolved and errored instances are classified as in :func:`labels.failure_labels`.
With a Docker view (``images``/``containers``) the three Docker keys are added, as the
harness adds them when it has a client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from patchloop.names import check_component
from runners.swebench.files import write_json_atomic
from runners.swebench.labels import failure_labels
from runners.swebench.report import read_instance_report

SCHEMA_VERSION = 2


def _groups(out_dir: Path, instance_ids: list[str]) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    groups: dict[str, list[str]] = {k: [] for k in ("submitted", "incomplete", "empty", "completed", "error")}
    groups.update(resolved=[], unresolved=[])
    reports: dict[str, dict[str, Any]] = {}
    for iid in instance_ids:
        report = read_instance_report(out_dir, iid)
        if report is None or report.get("status") == "interrupted" or "model_patch" not in report:
            groups["incomplete"].append(iid)
            continue
        reports[iid] = report
        groups["submitted"].append(iid)
        status = report.get("status")
        if report["model_patch"] in ("", None):
            groups["empty"].append(iid)
        elif status in ("resolved", "unresolved"):
            groups["completed"].append(iid)
            groups[status].append(iid)
        else:
            groups["error"].append(iid)
    return {k: sorted(v) for k, v in groups.items()}, reports


def official_run_report(
    out_dir: Path,
    instance_ids: list[str],
    *,
    images: Iterable[str] | None = None,
    containers: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The report dict. ``images``: the run's instance images still present; ``containers``:
    containers of the run still there (give both, or neither)."""
    groups, reports = _groups(out_dir, instance_ids)
    graded = {iid: {**reports[iid], "status": "error"} for iid in groups["error"]}
    graded.update({iid: reports[iid] for iid in groups["unresolved"]})
    labels = failure_labels(out_dir, graded)
    report: dict[str, Any] = {
        "total_instances": len(instance_ids),
        "submitted_instances": len(groups["submitted"]),
        "completed_instances": len(groups["completed"]),
        "resolved_instances": len(groups["resolved"]),
        "unresolved_instances": len(groups["unresolved"]),
        "infra_failure_instances": labels["infra_failure_instances"],
        "ambiguous_failure_instances": labels["ambiguous_failure_instances"],
        "empty_patch_instances": len(groups["empty"]),
        "error_instances": len(groups["error"]),
        "completed_ids": groups["completed"],
        "incomplete_ids": groups["incomplete"],
        "empty_patch_ids": groups["empty"],
        "submitted_ids": groups["submitted"],
        "resolved_ids": groups["resolved"],
        "unresolved_ids": groups["unresolved"],
        "infra_failure_ids": labels["infra_failure_ids"],
        "ambiguous_failure_ids": labels["ambiguous_failure_ids"],
        "failure_reasons": labels["failure_reasons"],
        "error_ids": groups["error"],
        "schema_version": SCHEMA_VERSION,
    }
    if images is not None or containers is not None:
        left = sorted(set(containers or ()))
        report.update(
            unstopped_instances=len(left), unstopped_containers=left, unremoved_images=sorted(set(images or ()))
        )
    return report


def official_report_name(model_name_or_path: str, run_id: str) -> str:
    """``<model, "/" -> "__">.<run_id>.json`` as the harness names it; any other character that
    cannot be in a file name (the model name comes from outside) becomes ``_``."""
    model = re.sub(r"[^A-Za-z0-9._-]", "_", model_name_or_path.replace("/", "__")) or "_"
    return check_component(f"{'_' if model.startswith(('.', '-')) else ''}{model}.{run_id}.json", "report name")


def write_official_run_report(
    report_dir: Path,
    out_dir: Path,
    instance_ids: list[str],
    *,
    run_id: str,
    model_name_or_path: str,
    images: Iterable[str] | None = None,
    containers: Iterable[str] | None = None,
) -> Path:
    """Write :func:`official_run_report` where and as ``run_evaluation`` names it; its path."""
    path = report_dir / official_report_name(model_name_or_path, run_id)
    write_json_atomic(path, official_run_report(out_dir, instance_ids, images=images, containers=containers))
    return path
