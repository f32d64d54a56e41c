"""The trajectory page: the conversation step by step, what each tool did, the diff, the tests.

Tool results are matched to their call by ``parent`` (the call's ``seq``) within the
step, never by tool-call id: some servers send ``call_0`` on every turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from trajectories.html.page import render

FOLD_CHARS = 2000
FOLD_LINES = 40


@dataclass
class Output:
    text: str
    folded: bool
    binary: bool
    lines: int


@dataclass
class CallView:
    name: str
    arguments: str
    result: Any = None  # the ToolResult event, or None when the run ended before it
    output: Output | None = None


@dataclass
class StepView:
    number: int
    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    cost_usd: float | None = None
    latency_ms: float | None = None
    attempts: int = 1
    tokens: str = ""
    calls: list[CallView] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)


def output(text: str) -> Output:
    lines = text.count("\n") + 1
    binary = "\x00" in text or text.count("\ufffd") > max(3, len(text) // 100)
    return Output(
        text=text.replace("\x00", "\\0"),
        folded=len(text) > FOLD_CHARS or lines > FOLD_LINES,
        binary=binary,
        lines=lines,
    )


def _arguments(call: Any) -> str:
    """``key: value`` per argument, a text value shown as it is (newlines and all); the raw
    text when the arguments did not parse."""
    if call.arguments is None:
        return str(call.arguments_raw)
    lines = []
    for key, value in call.arguments.items():
        if isinstance(value, str) and "\n" in value:
            lines.append(f"{key}:\n{value}")
        elif isinstance(value, str):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines)


def step_views(traj: Any) -> list[StepView]:
    views = []
    for step in traj.steps():
        view = StepView(number=step.number)
        model_call = step.model_call
        if model_call is not None:
            response = model_call.response
            view.content = str(response.get("content") or "")
            view.reasoning = str(response.get("reasoning_content") or "")
            view.finish_reason = model_call.finish_reason
            view.cost_usd = model_call.cost_usd
            view.latency_ms = model_call.latency_ms
            view.attempts = model_call.attempts
            usage = model_call.usage
            view.tokens = f"{usage.prompt_tokens} in ({usage.cached_tokens} cached), {usage.completion_tokens} out"
        results = {result.parent: result for result in step.tool_results}
        for call in step.tool_calls:
            result = results.get(call.seq)
            view.calls.append(
                CallView(
                    name=call.name,
                    arguments=_arguments(call),
                    result=result,
                    output=output(result.content) if result is not None else None,
                )
            )
        view.errors = step.errors
        view.contexts = step.contexts
        views.append(view)
    return views


def diff_lines(patch: str) -> list[tuple[str, str]]:
    """(css class, line) for a unified diff."""
    classes = []
    for line in patch.splitlines():
        if line.startswith(("+++", "---", "diff --git", "index ")):
            css = "meta"
        elif line.startswith("@@"):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        else:
            css = ""
        classes.append((css, line))
    return classes


def test_groups(report: dict[str, Any] | None) -> list[tuple[str, list[str], list[str]]]:
    """(group, failing, passing) for FAIL_TO_PASS and PASS_TO_PASS, from an instance report."""
    status = (report or {}).get("tests_status") or {}
    groups = []
    for name in ("FAIL_TO_PASS", "PASS_TO_PASS"):
        entry = status.get(name) or {}
        groups.append((name, list(entry.get("failure") or []), list(entry.get("success") or [])))
    return groups if status else []


def trajectory_page(traj: Any, *, report: dict[str, Any] | None = None, back: str | None = None) -> str:
    """The whole page for one trajectory; ``report`` is its instance's graded report, if any."""
    start, end = traj.run_start, traj.run_end
    title = start.task.instance_id or start.run_id
    before = [e for e in traj.events if e.step is None and e.type in ("error", "context")]
    return render(
        "trajectory.html.j2",
        title=f"trajectory {title}",
        start=start,
        end=end,
        before=before,
        steps=step_views(traj),
        diff=diff_lines(end.submission if end else ""),
        tests=test_groups(report),
        report=report or {},
        back=back,
        version=start.agent.version,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def write_trajectory_page(path: str | Path, out: str | Path, *, report: dict[str, Any] | None = None) -> Path:
    from trajectories.reader import load

    target = Path(out)
    target.write_text(trajectory_page(load(path), report=report), encoding="utf-8")
    return target
