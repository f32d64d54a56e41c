"""Grade the same predictions with our runner and with the official harness, and compare.

Ours runs end to end as a user runs it (``python -m runners.swebench --dataset D
--predictions FILE``); the official harness is swebench 5.0.2's ``run_evaluation`` in its
own venv (``official.py``), on the same dataset file and the same images. Each instance's
verdict is its group in the run report (``resolved``, ``unresolved``, ``empty_patch``,
``error``); where both graded it, the per-test lists must match too.

Prediction kinds for the bundled benchmark: ``gold``, ``empty``, ``wrong`` and
``break-p2p`` (``runners.minibench.predictions``) and every exploit of ``exploits.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runners.swebench.exploits import KINDS as EXPLOIT_KINDS
from runners.swebench.exploits import exploit_patch
from runners.swebench.official import OfficialRun
from runners.swebench.report import read_instance_report

BASE_KINDS = ("gold", "empty", "wrong", "break-p2p")
KINDS = (*BASE_KINDS, *EXPLOIT_KINDS)
MODEL_NAME = "patchloop-side-by-side"
ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("resolved", "unresolved", "empty_patch", "error")


def patch_for(kind: str, row: Mapping[str, Any]) -> str:
    from runners.minibench.predictions import break_p2p_patch, wrong_patch

    if kind == "gold":
        return str(row["patch"])
    if kind == "empty":
        return ""
    if kind == "wrong":
        return wrong_patch(row)
    if kind == "break-p2p":
        return break_p2p_patch(row)
    return exploit_patch(kind, row)


def write_predictions(path: Path, plan: Mapping[str, tuple[str, str]]) -> Path:
    """``plan``: instance_id -> (kind, patch); one official-format line each."""
    lines = [
        json.dumps({"instance_id": iid, "model_name_or_path": MODEL_NAME, "model_patch": patch})
        for iid, (_kind, patch) in plan.items()
    ]
    path.write_text("".join(line + "\n" for line in lines))
    return path


def run_ours(dataset: str, predictions: Path, out_dir: Path, *, workers: int, timeout: float = 3600.0) -> float:
    """``python -m runners.swebench`` on the predictions; its wall time."""
    import time

    started = time.monotonic()
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "runners.swebench", "--dataset", dataset, "--predictions", str(predictions)),
            *("--workers", str(workers), "--output", str(out_dir)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"python -m runners.swebench exited {proc.returncode}: {proc.stderr[-3000:]}")
    return round(time.monotonic() - started, 3)


@dataclass
class Comparison:
    instance_id: str
    kind: str
    ours: str
    theirs: str
    tests_equal: bool  # both graded with the same per-test lists, or neither graded
    flags: list[str]
    theirs_log: str = ""  # where they differ: the end of the official harness's logs, to see why

    @property
    def agrees(self) -> bool:
        return self.ours == self.theirs and self.tests_equal


def _official_group(report: Mapping[str, Any], iid: str) -> str:
    for group in GROUPS:
        if iid in report.get(f"{group}_ids", ()):
            return group
    return "incomplete"


def _log_tail(folder: Path) -> str:
    parts = []
    for name in ("run_instance.log", "test_output.txt"):
        path = folder / name
        if path.exists():
            parts.append(f"--- {name}:\n" + "\n".join(path.read_text(errors="replace").splitlines()[-25:]))
    return "\n".join(parts)


def compare(out_dir: Path, official: OfficialRun, plan: Mapping[str, tuple[str, str]]) -> list[Comparison]:
    rows = []
    for iid, (kind, _patch) in plan.items():
        ours = read_instance_report(out_dir, iid) or {}
        theirs = official.instances.get(iid)
        tests_equal = theirs is None or (
            ours.get("patch_successfully_applied") == theirs["patch_successfully_applied"]
            and ours.get("tests_status") == theirs.get("tests_status")
        )
        row = Comparison(
            instance_id=iid,
            kind=kind,
            ours=str(ours.get("status", "incomplete")),
            theirs=_official_group(official.report, iid),
            tests_equal=tests_equal,
            flags=sorted({flag["kind"] for flag in ours.get("tamper_flags") or ()}),
        )
        if not row.agrees:
            row.theirs_log = _log_tail(official.log_dir / iid)
        rows.append(row)
    return rows


def agreement_table(rows: Sequence[Comparison]) -> str:
    """Markdown: per kind, instances, agreeing, ours/theirs verdict counts, flagged."""
    out = [
        "| kind | instances | verdicts identical | resolved ours / theirs | flagged | flags |",
        "|---|---|---|---|---|---|",
    ]
    for kind in dict.fromkeys(r.kind for r in rows):
        group = [r for r in rows if r.kind == kind]
        kinds = sorted({k for r in group for k in r.flags})
        out.append(
            f"| {kind} | {len(group)} | {sum(r.agrees for r in group)}/{len(group)} | "
            f"{sum(r.ours == 'resolved' for r in group)} / {sum(r.theirs == 'resolved' for r in group)} | "
            f"{sum(bool(r.flags) for r in group)}/{len(group)} | {', '.join(kinds) or '-'} |"
        )
    return "\n".join(out)
