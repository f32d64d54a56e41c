"""The per-instance pipeline of SWE-bench, run by the pool (``runners.swebench.pool``).

Per instance: sandbox from the image -> agent run (trajectory.jsonl) -> patch extraction
-> evaluation in a fresh container; the pool then writes ``<out>/<iid>/report.json`` (last,
atomically; its presence is what "finished" means). Evaluate-only runs (``--predictions``)
skip the agent. The pipeline fills the attempt's fields as it goes, so a failure, a cut or
an abandoned attempt leaves the patch and exit status recorded; it never writes the report
and never deletes anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from patchloop.cancel import Cancel
from runners.swebench.dataset import Instance
from runners.swebench.evaluate import EvalSandbox, evaluate
from runners.swebench.images import image_for
from runners.swebench.options import PoolOptions
from runners.swebench.pool import Attempt, Pool, needs_run

__all__ = ["AgentOutcome", "AgentPhase", "InstancePipeline", "LiveSandboxes", "Pool", "PoolOptions", "needs_run"]


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
    """Runs the agent on one instance inside a sandbox made by ``open_sandbox``; ``cancel`` is
    set when the instance is cut (timeout, interrupt), and the agent should end soon after."""

    model_name: str
    is_oracle: bool

    def __call__(
        self,
        instance: Instance,
        *,
        image: str,
        out_dir: Path,
        open_sandbox: Callable[[str, dict[str, str], bool], EvalSandbox],
        cancel: Cancel,
    ) -> AgentOutcome: ...


SandboxOpener = Callable[..., EvalSandbox]
"""(image, run_id, labels, agent: bool) -> started sandbox."""


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


_INFRA_EXITS = ("model_error", "sandbox_error")


class InstancePipeline:
    """The work of one attempt (``Pool(work=pipeline, on_cancel=pipeline.close)``)."""

    def __init__(
        self,
        eval_scripts: dict[str, str],
        options: PoolOptions,
        *,
        open_sandbox: SandboxOpener,
        agent: AgentPhase | None = None,
        predictions: dict[str, str | None] | None = None,
        model_name: str = "",
    ) -> None:
        if (agent is None) == (predictions is None):
            raise ValueError("give exactly one of agent or predictions")
        self.eval_scripts = eval_scripts
        self.options = options
        self.open_sandbox = open_sandbox
        self.agent = agent
        self.predictions = predictions
        self.model_name = agent.model_name if agent else model_name
        self.live = LiveSandboxes()

    def close(self, attempt: Attempt) -> None:
        """The pool cut the attempt: close its sandboxes, so whatever runs in them ends."""
        self.live.close(attempt.instance_id)

    def __call__(self, attempt: Attempt) -> None:
        inst: Instance = attempt.instance
        image = image_for(inst, self.options.image_template)
        attempt.fields.update(
            instance_id=inst.instance_id,
            model_name_or_path=self.model_name,
            oracle=bool(self.agent and self.agent.is_oracle),
            image=image,
            run_id=self.options.run_id,
        )
        try:
            self._agent_and_eval(attempt, inst, image)
        finally:
            self.live.close(inst.instance_id)

    def _opener(self, attempt: Attempt) -> Callable[[str, dict[str, str], bool], EvalSandbox]:
        iid = attempt.instance_id

        def opener(img: str, labels: dict[str, str], agent: bool) -> EvalSandbox:
            attempt.cancel.check()
            sandbox = self.open_sandbox(img, self.options.run_id, {**labels, "patchloop.instance_id": iid}, agent)
            self.live.add(iid, sandbox)
            if attempt.cancel.cancelled:  # it started while the attempt was being cut
                sandbox.close()
                attempt.cancel.check()
            return sandbox

        return opener

    def _agent_and_eval(self, attempt: Attempt, inst: Instance, image: str) -> None:
        """Fill the attempt's fields as it goes, so an exception leaves the patch and exit status recorded."""
        out = attempt.fields
        opener = self._opener(attempt)
        if self.agent is not None:
            attempt.enter("agent")
            outcome = self.agent(inst, image=image, out_dir=attempt.folder, open_sandbox=opener, cancel=attempt.cancel)
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
        if attempt.cancel.cancelled:
            return  # cut: the pool says what that makes of the instance
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
        attempt.enter("eval")
        out["eval_network"] = "bridge" if self.options.eval_network else "none"
        result = evaluate(
            inst,
            patch,
            self.eval_scripts[inst.instance_id],
            image=image,
            run_id=self.options.run_id,
            out_dir=attempt.folder,
            timeout=self.options.eval_timeout,
            sandbox_factory=lambda img, _run_id, labels: opener(img, labels, False),
        )
        out.update(result.report)
        out.update(status=result.status, eval_s=result.eval_s)
        if result.error:
            out["error"] = result.error
