"""How a run ends: one exception per outcome, carrying its exit status and reason.

Everything that ends a run raises a :class:`RunEnded`; ``Agent.run`` catches it in one
place and finishes the run (the diff, ``run_end``). :class:`FormatError` does not end a
run: it turns a step into feedback for the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.models.base import ModelError
    from agent.task import ExitStatus
    from patchloop.cancel import Cancelled


class RunEnded(Exception):
    status: ExitStatus

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Submitted(RunEnded):
    status = "submitted"


class LimitReached(RunEnded):
    """A step, cost or time limit (the reason names the config key)."""

    def __init__(self, status: ExitStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class ContextFull(RunEnded):
    status = "context_window"


class FormatErrorsExhausted(RunEnded):
    status = "format_errors"


class ModelFailed(RunEnded):
    status = "model_error"


class SandboxGone(RunEnded):
    status = "sandbox_error"


class Interrupted(RunEnded):
    status = "interrupted"


def interrupted(reason: str, step: int) -> Interrupted:
    return Interrupted(f"interrupted ({reason or 'KeyboardInterrupt'}) during step {step}")


def stopped_by(exc: Cancelled, step: int) -> RunEnded:
    """The outcome of a cancel: its status says a signal (interrupted) or a deadline (time_limit)."""
    if exc.status == "time_limit":
        return LimitReached("time_limit", f"time limit: {exc.reason} (during step {step})")
    return interrupted(exc.reason, step)


class FormatError(Exception):
    """The reply held no usable tool call; ``problem`` says what was wrong."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def model_failed(exc: ModelError) -> ModelFailed:
    if exc.retryable:
        why = "transient error, " + (getattr(exc, "stopped", "") or "retries exhausted")
    else:
        why = "not retryable"
    return ModelFailed(f"model call failed ({why}) after {exc.attempts} attempt(s): {exc}")


def context_full(exc: Exception) -> ContextFull:
    return ContextFull(
        f"the request does not fit the model's context window even with every older observation compacted: {exc}"
    )


def format_errors_exhausted(count: int, limit: int, problem: str) -> FormatErrorsExhausted:
    return FormatErrorsExhausted(
        f"{count} consecutive replies without a usable tool call (agent.max_format_errors={limit}); last: {problem}"
    )
