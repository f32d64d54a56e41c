"""Live progress: a rich panel on a terminal, plain log lines otherwise, and a final table.

A terminal that goes away (SIGHUP: every write then fails with EIO) silences the progress;
it never stops the run from writing its reports.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO


def _cost_text(report: dict[str, Any]) -> str:
    """The known cost, and how many instances had no price (their cost is not in it)."""
    text = f"${report['cost_usd']:.4f}"
    unpriced = report.get("unpriced_instances", 0)
    if unpriced:
        text += f" + unknown ({unpriced} instance{'' if unpriced == 1 else 's'} without a known price)"
    return text


def _fmt_s(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.total = self.done = self.resolved = self.done_here = 0
        self.cost = 0.0
        self.started = time.monotonic()
        self.workers: dict[int, tuple[str | None, str, float]] = {}

    def eta(self) -> str:
        remaining = self.total - self.done
        if not self.done_here or remaining <= 0:
            return "-"
        per = (time.monotonic() - self.started) / self.done_here
        return _fmt_s(per * remaining)


class PlainProgress:
    """One log line per event; for pipes, files and CI logs."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.state = _State()
        self.dead = False  # the stream failed (a closed terminal): say nothing more

    def _line(self, text: str) -> None:
        s = self.state
        stamp = _fmt_s(time.monotonic() - s.started)
        self._write(lambda: (self.stream.write(f"[{stamp}] {text}\n"), self.stream.flush()))

    def _write(self, action) -> None:
        if self.dead:
            return
        try:
            action()
        except OSError:
            self.dead = True

    def start(self, total: int, done: int, resolved: int, cost: float) -> None:
        with self.state.lock:
            self.state.total, self.state.done, self.state.resolved, self.state.cost = total, done, resolved, cost
            self._line(f"{total} instances, {done} already finished ({resolved} resolved)")

    def worker(self, slot: int, instance_id: str | None, phase: str) -> None:
        with self.state.lock:
            self.state.workers[slot] = (instance_id, phase, time.monotonic())
            if instance_id:
                self._line(f"worker {slot}: {instance_id} {phase}")

    def finished(self, instance_id: str, fields: dict[str, Any]) -> None:
        s = self.state
        with s.lock:
            if fields.get("status") != "interrupted":  # it is redone by the next run: not done
                s.done += 1
                s.done_here += 1
            s.resolved += fields.get("status") == "resolved"
            s.cost += fields.get("cost_usd") or 0.0
            self._line(
                f"{instance_id}: {fields.get('status')} ({fields.get('exit_status')}) "
                f"{s.done}/{s.total} done, {s.resolved} resolved, ${s.cost:.4f}, ETA {s.eta()}"
            )

    def stop(self) -> None:
        return None


class RichProgress(PlainProgress):
    """A ``rich.live`` panel: done/total, resolved so far, cost, elapsed/ETA, one line per worker."""

    def __init__(self, workers: int) -> None:
        from rich.console import Console
        from rich.live import Live

        super().__init__()
        self.console = Console()
        self.n_workers = workers
        self.live = Live(console=self.console, refresh_per_second=4, get_renderable=self._render, transient=False)

    def _line(self, text: str) -> None:
        return None  # the panel shows it

    def _render(self):
        from rich.table import Table

        s = self.state
        with s.lock:
            elapsed = time.monotonic() - s.started
            table = Table(show_header=False, box=None, title="patchloop swebench", title_justify="left")
            pct = 100.0 * s.resolved / s.total if s.total else 0.0
            table.add_row(
                f"[bold]{s.done}/{s.total}[/] done",
                f"[green]{s.resolved} resolved[/] ({pct:.1f}%)",
                f"${s.cost:.4f}",
                f"elapsed {_fmt_s(elapsed)}  ETA {s.eta()}",
            )
            for slot in range(self.n_workers):
                iid, phase, since = s.workers.get(slot, (None, "idle", time.monotonic()))
                label = f"{iid} [cyan]{phase}[/] {_fmt_s(time.monotonic() - since)}" if iid else "[dim]idle[/]"
                table.add_row(f"worker {slot}", label, "", "")
            return table

    def start(self, total: int, done: int, resolved: int, cost: float) -> None:
        super().start(total, done, resolved, cost)
        self._write(self.live.start)

    def finished(self, instance_id: str, fields: dict[str, Any]) -> None:
        super().finished(instance_id, fields)
        self._write(lambda: self.console.print(f"{instance_id}: {fields.get('status')} ({fields.get('exit_status')})"))

    def stop(self) -> None:
        try:
            self.live.stop()
        except OSError:
            self.dead = True


def make_progress(workers: int, stream: TextIO | None = None) -> PlainProgress:
    out = stream or sys.stdout
    return RichProgress(workers) if out.isatty() else PlainProgress(out)


def print_summary(report: dict[str, Any], out_dir: str, stream: TextIO | None = None) -> None:
    """The final table (rich; plain text when not a terminal, rich handles that)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream or sys.stdout)
    title = "patchloop swebench" + (" (ORACLE: gold patches through the tools)" if report.get("oracle") else "")
    table = Table(title=title, show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("model", report.get("model_name_or_path", "")),
        ("total", report["total_instances"]),
        ("submitted", report["submitted_instances"]),
        ("completed", report["completed_instances"]),
        ("resolved", f"{report['resolved_instances']} ({report['resolved_percent']}% of total)"),
        ("resolved unflagged", report.get("resolved_unflagged_instances", "-")),
        ("tamper-flagged", report.get("tamper_flagged_instances", "-")),
        ("infra failures", report.get("infra_failure_instances", "-")),
        ("unresolved", report["unresolved_instances"]),
        ("empty patch", report["empty_patch_instances"]),
        ("error", report["error_instances"]),
        ("interrupted", report["interrupted_instances"]),
        ("not run", report["incomplete_instances"]),
        ("cost", _cost_text(report)),
        ("tokens", ", ".join(f"{k} {v}" for k, v in report.get("tokens", {}).items()) or "-"),
        ("elapsed", _fmt_s(report["elapsed_s"])),
    ]
    rows += [(f"exit: {k}", v) for k, v in report.get("exit_statuses", {}).items()]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    console.print(f"outputs in {out_dir}")
