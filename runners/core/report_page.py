"""``<output>/report.html``: a run on one page, with a page per trajectory.

Reads only what a run leaves in its output folder (the run ``report.json``, each
instance's ``report.json`` and ``trajectory.jsonl``), so it works on any finished,
interrupted or merged run, and on demand. Everything shown is escaped by the templates;
the page runs no script but its own (see ``trajectories.html``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from patchloop.names import is_component
from trajectories.html.page import render
from trajectories.html.svg import bars, histogram

TEMPLATES = Path(__file__).resolve().parent / "templates"
_TRAILING_NUMBER = re.compile(r"-\d+$")


@dataclass
class Row:
    instance_id: str
    status: str
    exit_status: str
    steps: int | None
    cost_usd: float | None
    wall_s: float | None
    eval_s: float | None
    f2p: str
    p2p: str
    error: str
    repo: str
    has_trajectory: bool


def repository(instance_id: str) -> str:
    """``django__django-11099`` -> ``django/django``; an id without ``__`` is its own group."""
    owner, sep, rest = instance_id.partition("__")
    return f"{owner}/{_TRAILING_NUMBER.sub('', rest)}" if sep else _TRAILING_NUMBER.sub("", instance_id)


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a rate (as fractions); (0, 0) for no trials."""
    if total == 0:
        return 0.0, 0.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def _instance_report(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and len(data) == 1:
        inner = next(iter(data.values()))
        return inner if isinstance(inner, dict) else None
    return None


def _tests(report: dict[str, Any], group: str) -> str:
    entry = (report.get("tests_status") or {}).get(group) or {}
    passed, failed = len(entry.get("success") or []), len(entry.get("failure") or [])
    return f"{passed}/{passed + failed}" if passed + failed else ""


def rows(out_dir: Path) -> list[Row]:
    found = []
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and is_component(p.name)):
        report = _instance_report(folder)
        if report is None:
            continue
        found.append(
            Row(
                instance_id=folder.name,
                status=str(report.get("status") or "unknown"),
                exit_status=str(report.get("exit_status") or ""),
                steps=report.get("steps"),
                cost_usd=report.get("cost_usd"),
                wall_s=report.get("wall_s"),
                eval_s=report.get("eval_s"),
                f2p=_tests(report, "FAIL_TO_PASS"),
                p2p=_tests(report, "PASS_TO_PASS"),
                error=str(report.get("error") or "")[:300],
                repo=repository(folder.name),
                has_trajectory=(folder / "trajectory.jsonl").is_file(),
            )
        )
    return found


def _plots(found: list[Row]) -> list[tuple[str, Any]]:
    by_repo: dict[str, list[int]] = {}
    for row in found:
        done = by_repo.setdefault(row.repo, [0, 0])
        done[0] += row.status == "resolved"
        done[1] += 1
    resolved = [(f"{repo} ({n}/{total})", 100.0 * n / total, "ok") for repo, (n, total) in sorted(by_repo.items())]
    statuses = Counter(row.status for row in found)
    exits = Counter(row.exit_status or "(none)" for row in found)
    agent_s = sum(max(0.0, (row.wall_s or 0) - (row.eval_s or 0)) for row in found)
    eval_s = sum(row.eval_s or 0 for row in found)
    return [
        ("resolved by repository (%)", bars(resolved, unit="%", fmt="{:.0f}")),
        (
            "instances by status",
            bars([(k, float(v), "ok" if k == "resolved" else "") for k, v in statuses.most_common()]),
        ),
        ("agent exit statuses", bars([(k, float(v), "") for k, v in exits.most_common()])),
        (
            "time per phase (s, summed over instances)",
            bars([("agent", agent_s, ""), ("evaluation", eval_s, "")], fmt="{:.1f}"),
        ),
        ("steps per instance", histogram([float(r.steps) for r in found if r.steps is not None], fmt="{:.0f}")),
        ("cost per instance (USD)", histogram([r.cost_usd for r in found if r.cost_usd is not None], fmt="{:.3f}")),
    ]


def flips(found: list[Row], other_dir: Path) -> list[tuple[str, str, str]]:
    """(instance id, status here, status there) for instances whose resolved verdict differs."""
    there = {row.instance_id: row.status for row in rows(other_dir)}
    return [
        (row.instance_id, row.status, there[row.instance_id])
        for row in found
        if row.instance_id in there and (row.status == "resolved") != (there[row.instance_id] == "resolved")
    ]


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def report_page(out_dir: Path, *, compare: Path | None = None, found: list[Row] | None = None) -> str:
    run = {**_json(out_dir / "run.json"), **_json(out_dir / "report.json")}
    found = rows(out_dir) if found is None else found
    total = int(run.get("total_instances") or len(found))
    resolved = int(run.get("resolved_instances") or sum(r.status == "resolved" for r in found))
    low, high = wilson(resolved, total)
    return render(
        "report.html.j2",
        dirs=[TEMPLATES],
        title=f"run {run.get('model_name_or_path') or out_dir.name}",
        run=run,
        rows=found,
        total=total,
        resolved=resolved,
        interval=(100 * low, 100 * high),
        plots=_plots(found),
        flips=flips(found, compare) if compare else None,
        compare=str(compare) if compare else None,
        version=run.get("patchloop_version") or "",
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def write_report_pages(out_dir: Path, *, compare: Path | None = None) -> Path:
    """``report.html`` and ``<instance>/trajectory.html`` for every instance with a trajectory."""
    from trajectories.errors import TrajectoryError
    from trajectories.html import trajectory_page
    from trajectories.reader import load

    found = rows(out_dir)
    for row in found:
        if not row.has_trajectory:
            continue
        folder = out_dir / row.instance_id
        try:
            page = trajectory_page(
                load(folder / "trajectory.jsonl"),
                report=_instance_report(folder),
                back=f"../report.html#{row.instance_id}",
            )
        except TrajectoryError:
            row.has_trajectory = False  # a torn or foreign file: the row says so, the page is not written
            continue
        (folder / "trajectory.html").write_text(page, encoding="utf-8")
    target = out_dir / "report.html"
    target.write_text(report_page(out_dir, compare=compare, found=found), encoding="utf-8")
    return target
