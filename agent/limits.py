"""The limits of one run and what it has spent: steps, cost, wall time, command timeouts.

``before_step`` raises LimitReached when the next model call must not be made; the
cost limit holds before the call that would pass it (the last call's cost is the guess).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from agent.models.base import ModelReply, Usage
from agent.outcomes import LimitReached
from agent.task import ExitStatus, RunResult
from patchloop.cancel import Deadline

if TYPE_CHECKING:
    from agent.config import AgentConfig


class Budget:
    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.deadline = Deadline(config.time_limit_s)
        self.step = 0
        self.cost = 0.0
        self.priced_calls = 0
        self.last_cost = 0.0
        self.usage = Usage()
        self.timeouts = 0
        self._unpriced_told = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def check_time(self) -> None:
        if self.deadline.expired:
            raise LimitReached(
                "time_limit",
                f"wall time limit reached: {self.elapsed:.1f} s of agent.time_limit_s={self.config.time_limit_s:g}",
            )

    def before_step(self) -> None:
        cfg = self.config
        self.check_time()
        if cfg.step_limit is not None and self.step >= cfg.step_limit:
            raise LimitReached(
                "step_limit", f"step limit reached: {self.step} model calls (agent.step_limit={cfg.step_limit})"
            )
        if cfg.cost_limit is None or not self.priced_calls:
            return
        if self.cost >= cfg.cost_limit:
            raise LimitReached(
                "cost_limit", f"cost limit reached: ${self.cost:.4f} spent (agent.cost_limit=${cfg.cost_limit:g})"
            )
        if self.cost + self.last_cost > cfg.cost_limit:
            raise LimitReached(
                "cost_limit",
                f"cost limit would be exceeded: ${self.cost:.4f} spent and the next call would cost about "
                f"${self.last_cost:.4f} like the last one (agent.cost_limit=${cfg.cost_limit:g})",
            )

    def account(self, reply: ModelReply) -> bool:
        """Add the reply's usage and cost; True the first time an unpriced reply makes the
        cost limit unenforceable (the caller says so once)."""
        usage = reply.usage
        self.usage = Usage(
            prompt_tokens=self.usage.prompt_tokens + usage.prompt_tokens,
            completion_tokens=self.usage.completion_tokens + usage.completion_tokens,
            cached_tokens=self.usage.cached_tokens + usage.cached_tokens,
        )
        if reply.cost_usd is not None:
            self.cost += reply.cost_usd
            self.last_cost = reply.cost_usd
            self.priced_calls += 1
            return False
        if self.config.cost_limit is None or self._unpriced_told:
            return False
        self._unpriced_told = True
        return True

    def command_done(self, timed_out: bool) -> None:
        self.timeouts = self.timeouts + 1 if timed_out else 0

    def check_timeouts(self) -> None:
        limit = self.config.max_consecutive_timeouts
        if limit is not None and self.timeouts >= limit:
            raise LimitReached(
                "time_limit",
                f"{self.timeouts} consecutive commands timed out (agent.max_consecutive_timeouts={limit})",
            )

    @property
    def total_cost(self) -> float | None:
        """None when no call had a known price (0.0 when no call was made)."""
        return self.cost if self.priced_calls or self.step == 0 else None

    def final_metrics(self) -> dict[str, Any]:
        return {
            "total_prompt_tokens": self.usage.prompt_tokens,
            "total_completion_tokens": self.usage.completion_tokens,
            "total_cached_tokens": self.usage.cached_tokens,
            "total_cost_usd": self.total_cost,
            "total_steps": self.step,
            "wall_s": self.elapsed,
        }

    def result(self, status: ExitStatus, reason: str, submission: str, run_id: str) -> RunResult:
        return RunResult(
            exit_status=status,
            reason=reason,
            submission=submission,
            steps=self.step,
            cost_usd=self.total_cost,
            tokens=self.usage,
            wall_s=self.elapsed,
            run_id=run_id,
        )
