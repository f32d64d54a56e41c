"""Rich rendering of trajectories: the run, one step in full, stats over many runs."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from trajectories.events import Context, Error, ModelCall, ToolCall, ToolResult
from trajectories.export.common import content_text
from trajectories.trajectory import Step, Trajectory


def truncate(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    head = text[: limit * 2 // 3]
    tail = text[-(limit // 3) :]
    return f"{head}\n… [{len(text) - len(head) - len(tail)} chars cut; --step N shows all] …\n{tail}"


def fmt_cost(cost: float | None) -> str:
    return "unknown" if cost is None else f"${cost:.4f}"


def render_header(traj: Trajectory) -> Panel:
    s = traj.run_start
    lines = [
        f"run_id   {s.run_id}   ({s.ts})",
        f"agent    {s.agent.name} {s.agent.version}",
        f"model    {s.model.name} [{s.model.kind}] {json.dumps(s.model.params) if s.model.params else ''}",
        f"sandbox  {s.sandbox.kind} {s.sandbox.image or ''} {s.sandbox.workdir}",
        f"tools    {', '.join(t.get('function', {}).get('name', '?') for t in s.tools) or 'none'}",
    ]
    if s.task.instance_id:
        lines.append(f"instance {s.task.instance_id} ({s.task.dataset or 'custom'})")
    if s.plugins:
        lines.append("plugins  " + ", ".join(f"{p.name} {p.version or ''}".strip() for p in s.plugins))
    if s.forked_from:
        f = s.forked_from
        lines.append(f"forked   from {f.path} (run {f.run_id}) at step {f.step}")
    if traj.torn:
        lines.append(f"[torn final line {traj.torn_line} skipped: the run was killed mid-write]")
    return Panel(Text("\n".join(lines)), title=Text(str(traj.path or "trajectory")), title_align="left")


def _step_group(step: Step, limit: int | None) -> Group:
    parts: list[Any] = []
    for event in step.events:
        if isinstance(event, ModelCall):
            text = content_text(event.response.get("content"))
            if text:
                parts.append(Text(truncate(text, limit), style="cyan"))
        elif isinstance(event, ToolCall):
            args = event.arguments_raw if event.arguments is None else json.dumps(event.arguments, ensure_ascii=False)
            parts.append(Text(f"→ {event.name} {truncate(args, limit)}", style="bold yellow"))
        elif isinstance(event, ToolResult):
            mark = "ok" if event.ok else "failed"
            extra = f" exit {event.exit_code}" if event.exit_code is not None else ""
            extra += " TIMED OUT" if event.timed_out else ""
            extra += " (output truncated by the tool)" if event.truncated else ""
            parts.append(
                Text(f"← {event.name} {mark}{extra} {event.duration_ms:.0f} ms", style="green" if event.ok else "red")
            )
            parts.append(Text(truncate(event.content, limit), style="dim"))
        elif isinstance(event, Error):
            parts.append(
                Text(f"! {event.where} error {event.error_type}: {truncate(event.message, limit)}", style="bold red")
            )
            if event.feedback:
                parts.append(Text(f"  feedback to model: {truncate(event.feedback, limit)}", style="red"))
        elif isinstance(event, Context):
            parts.append(
                Text(
                    f"~ context {event.reason}: compacted {len(event.compacted)} messages "
                    f"({event.chars_before} → {event.chars_after} chars)",
                    style="magenta",
                )
            )
    call = step.model_call
    if call is not None:
        parts.append(
            Text(
                f"tokens {step.prompt_tokens} in / {step.completion_tokens} out"
                f" ({step.cached_tokens} cached)   cost {fmt_cost(step.cost_usd)}   {call.latency_ms:.0f} ms"
                + (f"   {call.attempts} attempts" if call.attempts > 1 else ""),
                style="blue",
            )
        )
    return Group(*parts)


def render_totals(traj: Trajectory) -> Table:
    t = traj.totals()
    end = traj.run_end
    table = Table(title="totals", show_header=False)
    table.add_row("exit status", end.exit_status if end else "unfinished (no run_end)")
    if end and end.reason:
        table.add_row("reason", Text(end.reason))
    table.add_row("steps", str(t.steps))
    table.add_row("model calls", str(t.model_calls))
    table.add_row("tool calls", str(t.tool_calls))
    table.add_row("errors", str(t.errors))
    table.add_row("tokens", f"{t.prompt_tokens} in / {t.completion_tokens} out ({t.cached_tokens} cached)")
    table.add_row("cost", fmt_cost(t.cost_usd))
    if end:
        table.add_row("wall time", f"{end.final_metrics.wall_s:.1f} s")
        table.add_row("submission", f"{len(end.submission.splitlines())} lines" if end.submission else "(empty)")
    return table


def show(traj: Trajectory, console: Console, *, limit: int | None = 400) -> None:
    console.print(render_header(traj))
    for step in traj.steps():
        console.print(Rule(f"step {step.number}", align="left"))
        console.print(_step_group(step, limit))
    console.print(render_totals(traj))


def show_step(traj: Trajectory, number: int, console: Console) -> None:
    step = traj.step(number)
    messages = traj.messages_at(number)
    console.print(render_header(traj))
    console.print(Rule(f"step {number}: request of {len(messages)} messages", align="left"))
    for i, message in enumerate(messages):
        body = content_text(message.get("content"))
        calls = message.get("tool_calls") or []
        extra = "".join(
            f"\n→ {c.get('function', {}).get('name')} {c.get('function', {}).get('arguments')}" for c in calls
        )
        console.print(Panel(Text(body + extra), title=Text(f"[{i}] {message.get('role')}"), title_align="left"))
    console.print(Rule(f"step {number}: events", align="left"))
    console.print(_step_group(step, None))


@dataclass
class FileStats:
    path: Path
    exit_status: str
    steps: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    wall_s: float | None


def file_stats(traj: Trajectory, path: Path) -> FileStats:
    t = traj.totals()
    end = traj.run_end
    return FileStats(
        path=path,
        exit_status=end.exit_status if end else ("torn" if traj.torn else "unfinished"),
        steps=t.steps,
        prompt_tokens=t.prompt_tokens,
        completion_tokens=t.completion_tokens,
        cost_usd=t.cost_usd,
        wall_s=end.final_metrics.wall_s if end else None,
    )


def _common_folder(paths: list[Path]) -> str:
    """The folder every path is in ("" when they share none but the root)."""
    if not paths:
        return ""
    folder = os.path.commonpath([str(p.parent.absolute()) for p in paths])
    return "" if folder == os.path.sep else folder


def _relative(path: Path, folder: str) -> str:
    return os.path.relpath(path.absolute(), folder) if folder else str(path)


def render_stats(rows: list[FileStats], failures: dict[str, str], console: Console) -> None:
    folder = _common_folder([r.path for r in rows])
    title = f"{len(rows)} trajectories" + (f" in {folder}" if folder else "")
    table = Table(title=title)
    names = [_relative(r.path, folder) for r in rows]
    for col in ("file", "exit status", "steps", "tokens in", "tokens out", "cost", "wall s"):
        # names are folded, never cut to "…": a stats table must say which file is which;
        # they get room first, so short names stay on one line
        table.add_column(
            col,
            justify="left" if col in ("file", "exit status") else "right",
            overflow="fold" if col == "file" else "ellipsis",
            min_width=min(max(map(len, names), default=4), 40) if col == "file" else None,
        )
    for r, name in zip(rows, names, strict=True):
        table.add_row(
            Text(name),
            r.exit_status,
            str(r.steps),
            str(r.prompt_tokens),
            str(r.completion_tokens),
            fmt_cost(r.cost_usd),
            "" if r.wall_s is None else f"{r.wall_s:.1f}",
        )
    known = [r.cost_usd for r in rows if r.cost_usd is not None]
    unknown = len(rows) - len(known)
    cost = f"${sum(known):.4f}" + (f" (+{unknown} unknown)" if unknown else "")
    table.add_section()
    table.add_row(
        "total",
        "",
        str(sum(r.steps for r in rows)),
        str(sum(r.prompt_tokens for r in rows)),
        str(sum(r.completion_tokens for r in rows)),
        cost,
        f"{sum(r.wall_s or 0 for r in rows):.1f}",
    )
    console.print(table)
    counts = Counter(r.exit_status for r in rows)
    status = Table(title="exit statuses")
    status.add_column("exit status")
    status.add_column("runs", justify="right")
    status.add_column("share", justify="right")
    for name, n in counts.most_common():
        status.add_row(name, str(n), f"{100 * n / len(rows):.0f}%")
    if failures:
        status.add_row("unreadable", str(len(failures)), "")
    console.print(status)
    for path, reason in failures.items():
        console.print(Text(f"{path}: {reason}", style="red"))
