"""Run-level outputs, always DERIVED from the per-instance ``report.json`` files.

Layout of ``--output``::

    <out>/run.json                 the selection and options of the run (written at start)
    <out>/<instance_id>/report.json  the per-instance verdict; its presence means "finished"
    <out>/<instance_id>/...        trajectory.jsonl, patch.diff, eval.sh, test_output.txt, run_instance.log
    <out>/preds.jsonl, preds.json  official predictions format
    <out>/report.json              the summary

Because the summary and predictions are rebuilt from the per-instance files (each written
atomically) a kill at any moment leaves them either as they were or whole, and a rerun
rebuilds them identically.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runners.swebench.files import read_json, write_json_atomic
from runners.swebench.outdir import OutputDir

FINAL_STATUSES = ("resolved", "unresolved", "empty_patch", "error")
SCHEMA_VERSION = 1
_OFFICIAL_FIRST = (
    "patch_is_None",
    "patch_exists",
    "patch_successfully_applied",
    "resolved",
    "infra_failure",
    "infra_failure_reason",
    "tests_status",
)


def instance_dir(out_dir: Path, instance_id: str) -> Path:
    return OutputDir(out_dir).instance(instance_id)


def read_instance_report(out_dir: Path, instance_id: str) -> dict[str, Any] | None:
    """The inner per-instance dict, or None when absent, torn, or not in a folder of this run."""
    folder = OutputDir(out_dir).owned(instance_id)
    data = read_json(folder / "report.json") if folder is not None else None
    if not isinstance(data, dict) or not isinstance(data.get(instance_id), dict):
        return None
    return data[instance_id]


def write_instance_report(out_dir: Path, instance_id: str, fields: dict[str, Any]) -> None:
    write_json_atomic(OutputDir(out_dir).in_instance(instance_id, "report.json"), {instance_id: fields})


def ordered(fields: dict[str, Any]) -> dict[str, Any]:
    """Official report fields first, then ours."""
    head = {k: fields[k] for k in _OFFICIAL_FIRST if k in fields}
    return {**head, **{k: v for k, v in fields.items() if k not in head}}


@dataclass
class Summary:
    report: dict[str, Any]
    preds: list[dict[str, Any]]


def summarize(out_dir: Path, instance_ids: list[str], *, model_name: str, elapsed_s: float) -> Summary:
    """Build the run report and predictions from the per-instance files of ``instance_ids``."""
    groups: dict[str, list[str]] = {s: [] for s in (*FINAL_STATUSES, "interrupted", "incomplete")}
    exit_statuses: Counter[str] = Counter()
    preds: list[dict[str, Any]] = []
    cost = 0.0
    unpriced = 0
    tokens: Counter[str] = Counter()
    wall = 0.0
    oracle = False
    reports: dict[str, dict[str, Any] | None] = {}
    for iid in instance_ids:
        rep = reports[iid] = read_instance_report(out_dir, iid)
        if rep is None:
            groups["incomplete"].append(iid)
            continue
        status = rep.get("status")
        if status not in groups or status == "incomplete":  # an unknown or missing status: redone, not counted
            groups["incomplete"].append(iid)
            continue
        groups[status].append(iid)
        if status == "interrupted":
            continue
        exit_statuses[rep.get("exit_status") or "none"] += 1
        if rep.get("cost_usd") is None and any((rep.get("tokens") or {}).values()):
            unpriced += 1  # the model answered but has no known price (e.g. a local server): not free
        cost += rep.get("cost_usd") or 0.0
        for key, value in (rep.get("tokens") or {}).items():
            tokens[key] += int(value or 0)
        wall += rep.get("wall_s") or 0.0
        oracle = oracle or bool(rep.get("oracle"))
        if "model_patch" in rep:
            preds.append(
                {
                    "instance_id": iid,
                    "model_name_or_path": rep.get("model_name_or_path", model_name),
                    "model_patch": rep["model_patch"],
                }
            )
    total = len(instance_ids)
    completed = groups["resolved"] + groups["unresolved"]
    report = {
        "schema_version": SCHEMA_VERSION,
        "model_name_or_path": model_name,
        "oracle": oracle or model_name == "oracle",
        "total_instances": total,
        "submitted_instances": len(preds),
        "completed_instances": len(completed),
        "resolved_instances": len(groups["resolved"]),
        "unresolved_instances": len(groups["unresolved"]),
        "empty_patch_instances": len(groups["empty_patch"]),
        "error_instances": len(groups["error"]),
        "interrupted_instances": len(groups["interrupted"]),
        "incomplete_instances": len(groups["incomplete"]),
        "resolved_percent": round(100.0 * len(groups["resolved"]) / total, 2) if total else 0.0,
        "cost_usd": round(cost, 6),
        "unpriced_instances": unpriced,
        "tokens": dict(tokens),
        "instances_wall_s": round(wall, 3),
        "elapsed_s": round(elapsed_s, 3),
        "exit_statuses": dict(sorted(exit_statuses.items())),
        "submitted_ids": [p["instance_id"] for p in preds],
        "completed_ids": completed,
        "resolved_ids": groups["resolved"],
        "unresolved_ids": groups["unresolved"],
        "empty_patch_ids": groups["empty_patch"],
        "error_ids": groups["error"],
        "interrupted_ids": groups["interrupted"],
        "incomplete_ids": groups["incomplete"],
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    from runners.swebench.labels import failure_labels, tamper_summary

    report.update(failure_labels(out_dir, reports))  # swebench 5.x's infra labels (advisory)
    report.update(tamper_summary(reports))  # flagged patches, and "resolved and not flagged"
    return Summary(report=report, preds=preds)


def write_outputs(out_dir: Path, summary: Summary, redactor: Any = None) -> None:
    """``preds.jsonl``, ``preds.json`` and ``report.json``, each atomically (redacted when given)."""
    import json

    out = OutputDir(out_dir)
    preds = redactor.value(summary.preds) if redactor is not None else summary.preds
    report = redactor.value(summary.report) if redactor is not None else summary.report
    out.write_text("preds.jsonl", "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds))
    out.write_json("preds.json", {p["instance_id"]: p for p in preds})
    out.write_json("report.json", report)
