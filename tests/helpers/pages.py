"""Run folders and trajectories for the HTML page tests: hostile content and big runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trajectories import TrajectoryWriter

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
HOSTILE = f"{SCRIPT} {IMG} </pre></textarea><svg onload=alert(3)>"


def _call(call_id: str, command: str) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": "bash", "arguments": json.dumps({"command": command})},
    }


def write_trajectory(path: Path, *, run_id: str = "r", instance_id: str = "owner__repo-1", steps: int = 2) -> Path:
    """A run whose task, model text, commands, outputs and diff all carry HOSTILE, whose
    server reuses the tool-call id ``call_0`` on every step, with a retried error and a
    context compaction."""
    with TrajectoryWriter(path, run_id, redact=False) as w:
        w.emit(
            "run_start",
            agent={"name": "patchloop", "version": "0"},
            model={"name": "m", "kind": "scripted", "params": {}},
            tools=[],
            task={"text": f"fix it {HOSTILE}", "instance_id": instance_id},
            messages=[{"role": "system", "content": "s"}, {"role": "user", "content": HOSTILE}],
            sandbox={"kind": "local", "workdir": "/w"},
        )
        for step in range(1, steps + 1):
            if step == 2:
                w.emit(
                    "error",
                    step=step,
                    where="model",
                    error_type="RateLimitError",
                    message=HOSTILE,
                    retryable=True,
                    attempt=1,
                    feedback=None,
                )
            seq = w.emit(
                "model_call",
                step=step,
                request={"n_messages": 2, "sha256": "0" * 64},
                response={
                    "role": "assistant",
                    "content": f"thinking {HOSTILE}",
                    "tool_calls": [_call("call_0", f"echo {step}")],
                },
                cost_usd=None if step == 1 else 0.25,
                latency_ms=1500.0,
                attempts=2 if step == 2 else 1,
            )
            call = w.emit(
                "tool_call",
                step=step,
                parent=seq,
                tool_call_id="call_0",
                name="bash",
                arguments={"command": f"echo {step} {HOSTILE}"},
                arguments_raw="{}",
            )
            w.emit(
                "tool_result",
                step=step,
                parent=call,
                tool_call_id="call_0",
                name="bash",
                ok=True,
                content=f"output of step {step}\n{HOSTILE}\n" + ("x\n" * 100 if step == 1 else ""),
                exit_code=0,
                duration_ms=3.0,
            )
        w.emit(
            "context",
            step=steps,
            reason=HOSTILE,
            compacted=[2],
            replacement="[elided]",
            n_messages=4,
            chars_before=100,
            chars_after=10,
        )
        w.emit(
            "run_end",
            exit_status="submitted",
            reason=HOSTILE,
            submission=f"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+{HOSTILE}\n",
            final_metrics={"total_steps": steps, "wall_s": 3.5, "total_cost_usd": None},
        )
    return path


def synthetic_run(out: Path, n: int, *, resolved_every: int = 3, trajectories: bool = True) -> Path:
    """A finished run folder of ``n`` instances in the runner's layout (reports and trajectories)."""
    out.mkdir(parents=True, exist_ok=True)
    ids = [f"org{i % 7}__proj{i % 7}-{1000 + i}" for i in range(n)]
    statuses = {
        iid: ("resolved" if i % resolved_every == 0 else "unresolved" if i % 2 else "error")
        for i, iid in enumerate(ids)
    }
    for i, iid in enumerate(ids):
        folder = out / iid
        folder.mkdir(exist_ok=True)
        report = {
            "resolved": statuses[iid] == "resolved",
            "status": statuses[iid],
            "exit_status": "submitted",
            "steps": 3 + i % 20,
            "cost_usd": None if i % 11 == 0 else 0.01 * (i % 9),
            "wall_s": 30.0 + i % 50,
            "eval_s": 5.0,
            "error": HOSTILE if statuses[iid] == "error" else None,
            "tests_status": {
                "FAIL_TO_PASS": {"success": ["t::a"], "failure": [] if statuses[iid] == "resolved" else ["t::b"]},
                "PASS_TO_PASS": {"success": ["t::c"], "failure": []},
            },
        }
        (folder / "report.json").write_text(json.dumps({iid: report}))
        if trajectories:
            write_trajectory(folder / "trajectory.jsonl", run_id=iid, instance_id=iid)
    counts = {s: sum(v == s for v in statuses.values()) for s in ("resolved", "unresolved", "error")}
    (out / "report.json").write_text(
        json.dumps(
            {
                "model_name_or_path": f"model {HOSTILE}",
                "total_instances": n,
                "resolved_instances": counts["resolved"],
                "unresolved_instances": counts["unresolved"],
                "error_instances": counts["error"],
                "empty_patch_instances": 0,
                "interrupted_instances": 0,
                "incomplete_instances": 0,
                "cost_usd": 1.5,
                "unpriced_instances": 3,
                "elapsed_s": 900.0,
            }
        )
    )
    (out / "run.json").write_text(json.dumps({"run_id": "synthetic", "dataset": HOSTILE}))
    return out
