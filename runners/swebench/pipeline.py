"""The per-instance pipeline and the worker pool around it.

Per instance: sandbox from the image -> agent run (trajectory.jsonl) -> patch extraction
-> evaluation in a fresh container -> ``<out>/<iid>/report.json`` (written last, atomically;
its presence is what "finished" means). Evaluate-only runs (``--predictions``) skip the agent.

Workers are threads pulling from one queue. A stop (Ctrl-C, SIGTERM, ``--max-cost`` spent)
stops scheduling; an interrupt also closes every live sandbox, so in-flight instances end
quickly, are marked ``interrupted`` and are redone by the next run.
"""

from __future__ import annotations

import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runners.swebench.dataset import Instance
from runners.swebench.evaluate import EvalSandbox, evaluate
from runners.swebench.images import image_for
from runners.swebench.report import instance_dir, read_instance_report, write_instance_report


@dataclass
class AgentOutcome:
    """What the agent phase hands to evaluation."""

    exit_status: str
    reason: str = ""
    patch: str = ""
    cost_usd: float | None = 0.0
    tokens: dict[str, int] = field(default_factory=dict)
    steps: int = 0
    error: str | None = None


class AgentPhase(Protocol):
    """Runs the agent on one instance inside a sandbox made by ``open_sandbox``."""

    model_name: str
    is_oracle: bool

    def __call__(
        self,
        instance: Instance,
        *,
        image: str,
        out_dir: Path,
        open_sandbox: Callable[[str, dict[str, str], bool], EvalSandbox],
    ) -> AgentOutcome: ...


class Progress(Protocol):
    def start(self, total: int, done: int, resolved: int, cost: float) -> None: ...
    def worker(self, slot: int, instance_id: str | None, phase: str) -> None: ...
    def finished(self, instance_id: str, fields: dict[str, Any]) -> None: ...
    def stop(self) -> None: ...


SandboxOpener = Callable[..., EvalSandbox]
"""(image, run_id, labels, agent: bool) -> started sandbox."""


@dataclass
class PoolOptions:
    out_dir: Path
    run_id: str
    workers: int = 1
    eval_timeout: float = 1800.0
    instance_timeout: float | None = None
    max_cost: float | None = None
    image_template: str | None = None
    redo: bool = False
    retry_errors: bool = False
    eval_network: bool = True  # recorded in each report; the opener is built with the same value


class LiveSandboxes:
    """Every sandbox currently open, so an interrupt (or a timeout) can close them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_owner: dict[str, list[EvalSandbox]] = {}

    def add(self, owner: str, sandbox: EvalSandbox) -> None:
        with self._lock:
            self._by_owner.setdefault(owner, []).append(sandbox)

    def close(self, owner: str | None = None) -> None:
        """Close (and forget) the sandboxes of ``owner``, or of everyone."""
        with self._lock:
            owners = [owner] if owner else list(self._by_owner)
            doomed = [sb for o in owners for sb in self._by_owner.pop(o, [])]
        for sandbox in doomed:
            sandbox.close()


def needs_run(out_dir: Path, instance_id: str, *, redo: bool, retry_errors: bool) -> bool:
    """Finished instances are skipped; torn or interrupted ones always rerun."""
    if redo:
        return True
    report = read_instance_report(out_dir, instance_id)
    if report is None or report.get("status") == "interrupted":
        return True
    return retry_errors and report.get("status") == "error"


class Pool:
    """Runs the pipeline over instances with N worker threads."""

    def __init__(
        self,
        instances: list[Instance],
        eval_scripts: dict[str, str],
        options: PoolOptions,
        *,
        open_sandbox: SandboxOpener,
        progress: Progress,
        agent: AgentPhase | None = None,
        predictions: dict[str, str | None] | None = None,
        model_name: str = "",
    ) -> None:
        if (agent is None) == (predictions is None):
            raise ValueError("give exactly one of agent or predictions")
        self.instances = instances
        self.eval_scripts = eval_scripts
        self.options = options
        self.open_sandbox = open_sandbox
        self.progress = progress
        self.agent = agent
        self.predictions = predictions
        self.model_name = agent.model_name if agent else model_name
        self.stop_event = threading.Event()
        self.interrupted = threading.Event()
        self.live = LiveSandboxes()
        self._cost_lock = threading.Lock()
        self._spent = 0.0

    # -- control ------------------------------------------------------------------------
    def interrupt(self) -> None:
        """Stop scheduling and close every live sandbox (their instances end as interrupted)."""
        self.interrupted.set()
        self.stop_event.set()
        self.live.close()

    def _add_cost(self, cost: float | None) -> None:
        with self._cost_lock:
            self._spent += cost or 0.0
            if self.options.max_cost is not None and self._spent >= self.options.max_cost:
                self.stop_event.set()

    # -- run ----------------------------------------------------------------------------
    def run(self) -> None:
        opts = self.options
        todo: queue.Queue[Instance] = queue.Queue()
        done = resolved = 0
        for inst in self.instances:
            if needs_run(opts.out_dir, inst.instance_id, redo=opts.redo, retry_errors=opts.retry_errors):
                todo.put(inst)
                continue
            done += 1
            report = read_instance_report(opts.out_dir, inst.instance_id) or {}
            resolved += report.get("status") == "resolved"
            self._spent += report.get("cost_usd") or 0.0
        self.progress.start(len(self.instances), done, resolved, self._spent)
        if opts.max_cost is not None and self._spent >= opts.max_cost:
            self.stop_event.set()
        threads = [
            threading.Thread(target=self._worker, args=(slot, todo), name=f"patchloop-worker-{slot}", daemon=True)
            for slot in range(max(1, min(opts.workers, todo.qsize() or 1)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():  # short joins keep the main thread responsive to signals
                thread.join(timeout=0.2)

    def _worker(self, slot: int, todo: queue.Queue[Instance]) -> None:
        while not self.stop_event.is_set():
            try:
                inst = todo.get_nowait()
            except queue.Empty:
                break
            self.progress.worker(slot, inst.instance_id, "starting")
            fields = self._run_instance(slot, inst)
            self._add_cost(fields.get("cost_usd"))
            self.progress.finished(inst.instance_id, fields)
        self.progress.worker(slot, None, "idle")

    def _run_instance(self, slot: int, inst: Instance) -> dict[str, Any]:
        opts = self.options
        iid = inst.instance_id
        folder = instance_dir(opts.out_dir, iid)
        if folder.exists():
            shutil.rmtree(folder)  # a torn, interrupted, errored or redone attempt starts clean
        folder.mkdir(parents=True)
        started = time.monotonic()
        image = image_for(inst, opts.image_template)
        timer: threading.Timer | None = None
        timed_out = threading.Event()
        if opts.instance_timeout:

            def on_timeout() -> None:
                timed_out.set()
                self.live.close(iid)

            timer = threading.Timer(opts.instance_timeout, on_timeout)
            timer.daemon = True
            timer.start()

        def opener(img: str, labels: dict[str, str], agent: bool) -> EvalSandbox:
            if self.interrupted.is_set():
                raise InterruptedError("run interrupted")
            sandbox = self.open_sandbox(img, opts.run_id, {**labels, "patchloop.instance_id": iid}, agent)
            self.live.add(iid, sandbox)
            if self.interrupted.is_set() or timed_out.is_set():  # it started while we were stopping
                sandbox.close()
                raise InterruptedError("run interrupted while the sandbox started")
            return sandbox

        fields: dict[str, Any] = {
            "instance_id": iid,
            "model_name_or_path": self.model_name,
            "oracle": bool(self.agent and self.agent.is_oracle),
            "image": image,
            "run_id": opts.run_id,
        }
        try:
            self._agent_and_eval(slot, inst, image, folder, opener, fields)
        except Exception as exc:  # noqa: BLE001 - one instance's failure must never stop the run (what it had stays)
            fields.update(status="error", error=f"{type(exc).__name__}: {exc}")
            fields.setdefault("exit_status", "runner_error")
        finally:
            if timer:
                timer.cancel()
            self.live.close(iid)
        if self.interrupted.is_set() and fields.get("status") not in ("resolved", "unresolved", "empty_patch"):
            fields["status"] = "interrupted"
        elif timed_out.is_set() and fields.get("status") not in ("resolved", "unresolved"):
            # its sandboxes were closed under it: whatever the agent or the eval made of that is not a verdict
            cut = fields.get("error") or f"{fields.get('status')}, agent exit status {fields.get('exit_status')}"
            fields.update(
                status="error",
                exit_status="time_limit",
                error=f"instance exceeded --instance-timeout {opts.instance_timeout} s ({cut})",
            )
        fields["wall_s"] = round(time.monotonic() - started, 3)
        fields["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_instance_report(opts.out_dir, iid, _ordered(fields))
        return fields

    def _agent_and_eval(
        self,
        slot: int,
        inst: Instance,
        image: str,
        folder: Path,
        opener: Callable[[str, dict[str, str], bool], EvalSandbox],
        out: dict[str, Any],
    ) -> None:
        """Fill ``out`` as it goes, so an exception leaves the patch and exit status recorded."""
        if self.agent is not None:
            self.progress.worker(slot, inst.instance_id, "agent")
            outcome = self.agent(inst, image=image, out_dir=folder, open_sandbox=opener)
            out.update(
                exit_status=outcome.exit_status,
                reason=outcome.reason,
                cost_usd=outcome.cost_usd,
                tokens=outcome.tokens,
                steps=outcome.steps,
            )
            patch: str | None = outcome.patch
            if outcome.error:
                out["agent_error"] = outcome.error
        else:
            patch = (self.predictions or {}).get(inst.instance_id)
            out.update(exit_status="evaluate_only", cost_usd=0.0, tokens={}, steps=0)
        out["model_patch"] = patch
        if self.interrupted.is_set():
            out["status"] = "interrupted"
            return
        if not patch or not patch.strip():
            out.update(
                patch_is_None=patch is None,
                patch_exists=False,
                patch_successfully_applied=False,
                resolved=False,
                status="empty_patch",
            )
            if out.get("exit_status") in _INFRA_EXITS:
                # The model could not be asked or the sandbox died: not the model's empty answer,
                # so it counts as an error and --retry-errors redoes it.
                out.update(status="error", error=f"agent ended {out['exit_status']}: {out.get('reason') or ''}".strip())
            return
        self.progress.worker(slot, inst.instance_id, "eval")
        out["eval_network"] = "bridge" if self.options.eval_network else "none"
        result = evaluate(
            inst,
            patch,
            self.eval_scripts[inst.instance_id],
            image=image,
            run_id=self.options.run_id,
            out_dir=folder,
            timeout=self.options.eval_timeout,
            sandbox_factory=lambda img, _run_id, labels: opener(img, labels, False),
        )
        out.update(result.report)
        out.update(status=result.status, eval_s=result.eval_s)
        if result.error:
            out["error"] = result.error


_INFRA_EXITS = ("model_error", "sandbox_error")
_OFFICIAL_FIRST = ("patch_is_None", "patch_exists", "patch_successfully_applied", "resolved", "tests_status")


def _ordered(fields: dict[str, Any]) -> dict[str, Any]:
    """Official report fields first, then ours."""
    head = {k: fields[k] for k in _OFFICIAL_FIRST if k in fields}
    return {**head, **{k: v for k, v in fields.items() if k not in head}}
