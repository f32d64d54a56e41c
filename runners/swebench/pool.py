"""The worker pool: at most N attempts at a time, each bounded, each with its own token.

The main thread owns every decision: it resets an instance's folder (the only delete),
starts an attempt in a worker thread, watches the bounds, and writes every report. A
worker only runs the pipeline and fills its attempt's fields as it goes.

Bounds: an attempt past ``--instance-timeout``, or cut by an interrupt (Ctrl-C, SIGTERM,
SIGHUP) or a full disk, is cancelled (its ``Cancel`` is set and its sandboxes closed); if
its thread has not ended ``GRACE_S`` later, the pool stops waiting for it: it writes the
instance's report itself from what the attempt had recorded, and the token is retired,
so a late result of that thread is discarded and can never overwrite the report (the
thread never deletes anything). A second signal stops waiting at once.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from patchloop.cancel import Cancel, Deadline
from runners.swebench.errors import DiskFullError
from runners.swebench.failures import disk_full, disk_full_message, failure_fields
from runners.swebench.options import PoolOptions
from runners.swebench.outdir import OutputDir
from runners.swebench.redaction import redact_folder
from runners.swebench.report import FINAL_STATUSES, ordered, read_instance_report, write_instance_report

GRACE_S = 3.0  # how long a cancelled attempt may take to end by itself
POLL_S = 0.2
VERDICTS = ("resolved", "unresolved", "empty_patch")


class Progress(Protocol):
    def start(self, total: int, done: int, resolved: int, cost: float) -> None: ...
    def worker(self, slot: int, instance_id: str | None, phase: str) -> None: ...
    def finished(self, instance_id: str, fields: dict[str, Any]) -> None: ...
    def stop(self) -> None: ...


@dataclass(eq=False)
class Attempt:
    """One try at one instance. ``fields`` is what its report will hold (filled as it goes)."""

    instance: Any
    instance_id: str
    token: int
    slot: int
    folder: Path
    cancel: Cancel
    deadline: Deadline
    started: float
    progress: Progress
    fields: dict[str, Any] = field(default_factory=dict)
    phase: str = "starting"
    stop: str = ""  # why the pool cancelled it: time_limit | interrupted | disk_full
    stopped_at: float | None = None

    def enter(self, phase: str) -> None:
        self.phase = phase
        if self.stopped_at is None:  # once cut, its slot may belong to the next attempt
            self.progress.worker(self.slot, self.instance_id, phase)


Work = Callable[[Attempt], None]
"""Runs one attempt in a worker thread, filling ``attempt.fields``; raises on failure."""


def needs_run(out_dir: Path, instance_id: str, *, redo: bool, retry_errors: bool) -> bool:
    """Finished instances are skipped; torn, interrupted or unreadable ones (an unknown or
    missing status) always rerun; errors with ``--retry-errors``."""
    if redo:
        return True
    report = read_instance_report(out_dir, instance_id)
    status = report.get("status") if report else None
    if status not in FINAL_STATUSES:
        return True
    return retry_errors and status == "error"


class Pool:
    def __init__(
        self,
        instances: list[Any],
        options: PoolOptions,
        *,
        work: Work,
        progress: Progress,
        on_cancel: Callable[[Attempt], None],
        redactor: Any,
        say: Callable[[str], None],
        grace_s: float = GRACE_S,
    ) -> None:
        self.instances = instances
        self.options = options
        self.out = OutputDir(options.out_dir)
        self.work = work
        self.progress = progress
        self.on_cancel = on_cancel
        self.redactor = redactor
        self.say = say
        self.grace_s = grace_s
        self.stop_event = threading.Event()
        self.interrupted = threading.Event()
        self.failure: DiskFullError | None = None
        self._requested = ""
        self._hurry = False
        self._results: queue.Queue[tuple[int, BaseException | None]] = queue.Queue()
        self._running: dict[int, Attempt] = {}
        self._tokens = itertools.count(1)
        self._spent = 0.0

    # -- control (signal handlers call these: they only set flags) ------------------------
    def interrupt(self, reason: str = "interrupted") -> None:
        """Stop scheduling and cut every attempt in flight (acted on within POLL_S)."""
        if self._requested:
            self._hurry = True
        else:
            self._requested = reason

    @property
    def interrupt_requested(self) -> bool:
        return bool(self._requested)

    # -- the loop --------------------------------------------------------------------------
    def run(self) -> None:
        opts = self.options
        todo: deque[Any] = deque()
        done = resolved = 0
        for inst in self.instances:
            if needs_run(opts.out_dir, inst.instance_id, redo=opts.redo, retry_errors=opts.retry_errors):
                todo.append(inst)
                continue
            report = read_instance_report(opts.out_dir, inst.instance_id) or {}
            done += 1
            resolved += report.get("status") == "resolved"
            self._spent += report.get("cost_usd") or 0.0
        self.progress.start(len(self.instances), done, resolved, self._spent)
        if opts.max_cost is not None and self._spent >= opts.max_cost:
            self.stop_event.set()
        free = list(range(max(1, min(opts.workers, len(todo) or 1))))
        while True:
            self._act_on_request()
            self._collect(free)
            self._enforce(free)
            while todo and free and not self.stop_event.is_set():
                self._start(todo.popleft(), free.pop(0))
            if not self._running and (self.stop_event.is_set() or not todo):
                break

    def _act_on_request(self) -> None:
        if not self._requested or self.interrupted.is_set():
            return
        self.interrupted.set()
        self.stop_event.set()
        self.say(f"stopping ({self._requested}): in-flight instances are interrupted (Ctrl-C again to stop waiting)")
        for attempt in list(self._running.values()):
            self._cancel(attempt, "interrupted")

    def _collect(self, free: list[int]) -> None:
        try:
            item = self._results.get(timeout=POLL_S)
        except queue.Empty:
            return
        while True:
            token, outcome = item
            attempt = self._running.pop(token, None)
            if attempt is not None:  # else: a late result of an abandoned attempt, discarded
                free.append(attempt.slot)
                self._finish(attempt, outcome, abandoned=False)
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return

    def _enforce(self, free: list[int]) -> None:
        now = time.monotonic()
        for attempt in list(self._running.values()):
            if attempt.stopped_at is None and attempt.deadline.expired:
                self._cancel(attempt, "time_limit")
            if attempt.stopped_at is not None and (self._hurry or now - attempt.stopped_at >= self.grace_s):
                del self._running[attempt.token]  # retired: whatever its thread returns later is dropped
                free.append(attempt.slot)
                self._finish(attempt, None, abandoned=True)

    def _start(self, inst: Any, slot: int) -> None:
        iid = inst.instance_id
        try:
            folder = self.out.reset(iid)  # the only delete: here, in the main thread, under --output
        except OSError as exc:
            if disk_full(exc) is None:
                raise
            self._disk_full(exc)
            return
        attempt = Attempt(
            instance=inst,
            instance_id=iid,
            token=next(self._tokens),
            slot=slot,
            folder=folder,
            cancel=Cancel(),
            deadline=Deadline(self.options.instance_timeout),
            started=time.monotonic(),
            progress=self.progress,
        )
        self._running[attempt.token] = attempt
        attempt.enter("starting")
        threading.Thread(target=self._run_attempt, args=(attempt,), name=f"patchloop-{iid}", daemon=True).start()

    def _run_attempt(self, attempt: Attempt) -> None:
        outcome: BaseException | None = None
        try:
            self.work(attempt)
        except Exception as exc:  # noqa: BLE001 - one instance's failure must never stop the run; the pool reports it
            outcome = exc
        self._results.put((attempt.token, outcome))

    def _cancel(self, attempt: Attempt, why: str) -> None:
        if attempt.stopped_at is not None:
            return
        attempt.stop, attempt.stopped_at = why, time.monotonic()
        if why == "time_limit":  # the agent then ends as time_limit, a signal or a full disk as interrupted
            attempt.cancel.cancel(
                f"instance exceeded --instance-timeout {self.options.instance_timeout} s", status="time_limit"
            )
        else:
            attempt.cancel.cancel(f"the run is stopping ({self._requested or why})")
        # closing sandboxes talks to the engine: never on the main thread, which must stay responsive
        threading.Thread(target=self.on_cancel, args=(attempt,), name="patchloop-cancel", daemon=True).start()

    # -- reports -----------------------------------------------------------------------------
    def _finish(self, attempt: Attempt, outcome: BaseException | None, *, abandoned: bool) -> None:
        fields = dict(attempt.fields)
        if outcome is not None:
            failure = failure_fields(outcome)
            exit_default = failure.pop("exit_status", None)
            fields.update(failure)
            if exit_default:
                fields.setdefault("exit_status", exit_default)
            if failure.get("error_class") == "disk_full":
                self._disk_full(disk_full(outcome))  # type: ignore[arg-type]
        self._settle(attempt, fields, abandoned=abandoned)
        fields["wall_s"] = round(time.monotonic() - attempt.started, 3)
        if attempt.stopped_at is not None:
            fields["stop_s"] = round(time.monotonic() - attempt.stopped_at, 3)  # from the cut to this report
        fields["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        try:
            redact_folder(attempt.folder, self.redactor)
            write_instance_report(self.options.out_dir, attempt.instance_id, self.redactor.value(ordered(fields)))
        except OSError as exc:
            if disk_full(exc) is None:
                raise
            self._disk_full(exc)  # its folder stays without a report: redone by the next run
        self.progress.finished(attempt.instance_id, fields)
        self.progress.worker(attempt.slot, None, "idle")
        self._add_cost(fields.get("cost_usd"))

    def _settle(self, attempt: Attempt, fields: dict[str, Any], *, abandoned: bool) -> None:
        """What a cut attempt's status is, whatever its pipeline made of the cut."""
        status = fields.get("status")
        waited = f"still in the {attempt.phase} phase {self.grace_s:g} s after it was stopped"
        if attempt.stop in ("interrupted", "disk_full") and (abandoned or status not in VERDICTS):
            fields["status"] = "interrupted"
            if attempt.stop == "disk_full" and "error" not in fields:
                fields["error"] = "the run stopped: no space left on the device"
            if abandoned:
                fields.setdefault("error", f"interrupted ({waited})")
        elif attempt.stop == "time_limit" and (abandoned or status not in ("resolved", "unresolved")):
            # its sandboxes were closed under it: whatever the agent or the eval made of that is not a verdict
            exit_status = fields.get("exit_status")
            cut = waited if abandoned else fields.get("error") or f"cut in the {attempt.phase} phase ({exit_status})"
            fields.update(
                status="error",
                exit_status="time_limit",
                error=f"instance exceeded --instance-timeout {self.options.instance_timeout} s ({cut})",
            )
        elif status is None:
            fields.update(status="error", error_class="bug", error="the pipeline ended without a status")
            fields.setdefault("exit_status", "runner_error")

    def _disk_full(self, exc: OSError) -> None:
        if self.failure is None:
            self.failure = DiskFullError(
                f"{disk_full_message(exc)}: the run stopped; free space under {self.options.out_dir} "
                "and rerun the same command to resume"
            )
        self.stop_event.set()
        for attempt in list(self._running.values()):
            self._cancel(attempt, "disk_full")

    def _add_cost(self, cost: float | None) -> None:
        self._spent += cost or 0.0
        if self.options.max_cost is not None and self._spent >= self.options.max_cost:
            self.stop_event.set()
