"""The model layer's one retry and deadline policy.

Every model call that can fail transiently goes through :meth:`RetryPolicy.call`:

- each attempt has a wall-clock deadline (``model.timeout_s``), which the attempt runner
  enforces by abandoning the attempt and closing its connection;
- the whole call, retries and waits included, has a deadline (``model.call_timeout_s``),
  and never outlives the run's own deadline (``CallContext.deadline``);
- a transient failure is retried with full-jitter exponential backoff (a wait drawn from
  ``[0, min(backoff_max_s, backoff_initial_s * 2**(n-1))]``), for at most
  ``retry.max_attempts`` attempts and ``retry.max_total_delay_s`` seconds of waiting;
- a failure with a status in ``IDENTICAL_STATUSES`` that repeats identically (same error
  type, status and message) ``retry.max_identical`` times in a row is deterministic, not
  transient, and is not retried again;
- a cancel ends a backoff wait at once and an attempt within the runner's poll interval
  (about 0.05 s), raising ``patchloop.cancel.Cancelled``;
- :class:`Backoff` is the seam for a backoff shared between calls (rate limits across the
  workers of a run): it is told before every attempt and after every failure.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from agent.models.base import AttemptCallback, AttemptFailure, CallContext, ContextWindowError, ModelCallError
from patchloop.cancel import Cancelled, Deadline
from patchloop.errors import InfraKind

if TYPE_CHECKING:
    from agent.config import RetryConfig

T = TypeVar("T")
# A 500 answers the request itself: the same status and message again means the server
# fails on this request every time (llama.cpp's deterministic 500). 429 and 503 repeat
# identically while a limit or a loading model lasts, so they keep being retried.
IDENTICAL_STATUSES = frozenset({500})
Verdict = Literal["retry", "context_window", "fatal"]


@dataclass(frozen=True)
class Failure:
    """One failed attempt, classified by the backend."""

    verdict: Verdict
    error_type: str
    message: str
    status: int | None = None
    kind: InfraKind = "model_unreachable"

    @property
    def signature(self) -> tuple[str, int | None, str]:
        return (self.error_type, self.status, self.message)


class Backoff(Protocol):
    """A wait shared between calls (issue 14's rate-limit backoff plugs in here)."""

    def before_attempt(self, context: CallContext) -> None:
        """May wait (bounded by ``context``) before an attempt is made."""
        ...

    def after_failure(self, failure: Failure) -> None: ...


class NoBackoff:
    def before_attempt(self, context: CallContext) -> None:
        return None

    def after_failure(self, failure: Failure) -> None:
        return None


# One attempt: given the seconds it may take (None: unbounded) and the cancel token.
Attempt = Callable[[float | None, CallContext], T]
Classify = Callable[[BaseException], Failure]


class RetryPolicy:
    def __init__(
        self,
        retry: RetryConfig,
        *,
        attempt_timeout_s: float | None,
        call_timeout_s: float | None,
        listener: AttemptCallback | None = None,
        sleep: Callable[[float], None] | None = None,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.retry = retry
        self.attempt_timeout_s = attempt_timeout_s
        self.call_timeout_s = call_timeout_s
        self.listener = listener
        self.backoff = backoff or NoBackoff()
        self._sleep = sleep
        self._rng = rng or random.Random()

    def call(self, attempt: Attempt[T], classify: Classify, context: CallContext) -> tuple[T, int]:
        """``(attempt's result, attempts made)``; or ModelCallError / ContextWindowError /
        Cancelled. Anything ``classify`` does not know is raised as it is (a bug)."""
        deadline = Deadline(self.call_timeout_s)
        waited = 0.0
        previous: Failure | None = None
        repeats = 0
        number = 0
        while True:
            number += 1
            _check(context)
            self.backoff.before_attempt(context)
            budget = self._budget(deadline, context)
            if budget is not None and budget <= 0:
                raise self._timed_out(number - 1, previous, deadline, context)
            try:
                return attempt(budget, context), number
            except Cancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - classify() raises again what is not a model failure
                failure = classify(exc)
                error = exc
            self.backoff.after_failure(failure)
            if failure.verdict == "context_window":
                raise ContextWindowError(failure.message, attempts=number) from error
            if failure.verdict == "fatal":
                raise _call_error(failure, number, retryable=False) from error
            repeats = repeats + 1 if previous is not None and failure.signature == previous.signature else 1
            previous = failure
            stopped = self._stop_reason(number, repeats, failure)
            wait = self._wait(number)
            if not stopped and waited + wait > self.retry.max_total_delay_s:
                limit = self.retry.max_total_delay_s
                stopped = f"retries exhausted: the next wait would pass retry.max_total_delay_s={limit:g}"
            left = _left(deadline, context)
            if not stopped and left is not None and wait >= left:
                stopped = "retries exhausted: the call's deadline passes before the next attempt"
            if stopped:
                raise _call_error(failure, number, retryable=True, stopped=stopped) from error
            self._tell(context, failure, number, wait)
            self._pause(wait, context)
            waited += wait

    def _budget(self, deadline: Deadline, context: CallContext) -> float | None:
        left = _left(deadline, context)
        if left is None:
            return self.attempt_timeout_s
        return left if self.attempt_timeout_s is None else min(self.attempt_timeout_s, left)

    def _stop_reason(self, number: int, repeats: int, failure: Failure) -> str:
        if failure.status in IDENTICAL_STATUSES and repeats >= self.retry.max_identical:
            return (
                f"the same failure (HTTP {failure.status}, same message) came {repeats} times in a row: "
                f"deterministic, not retried again (retry.max_identical={self.retry.max_identical})"
            )
        if number >= self.retry.max_attempts:
            return f"retries exhausted: retry.max_attempts={self.retry.max_attempts}"
        return ""

    def _wait(self, number: int) -> float:
        cap = min(self.retry.backoff_max_s, self.retry.backoff_initial_s * 2 ** (number - 1))
        return self._rng.uniform(0, cap)

    def _tell(self, context: CallContext, failure: Failure, number: int, wait: float) -> None:
        notice = AttemptFailure(
            error_type=failure.error_type,
            message=f"{failure.message} (attempt {number}; retrying in {wait:.2f} s)",
            attempt=number,
            wait_s=wait,
        )
        if self.listener is not None:
            self.listener(notice)
        context.retried(notice)

    def _pause(self, wait: float, context: CallContext) -> None:
        if self._sleep is not None:
            self._sleep(wait)
        elif context.cancel is not None:
            context.cancel.wait(wait)
        else:
            time.sleep(wait)
        _check(context)

    def _timed_out(
        self, attempts: int, last: Failure | None, deadline: Deadline, context: CallContext
    ) -> ModelCallError:
        if context.deadline is not None and context.deadline.expired:
            why = "the run's time limit (agent.time_limit_s) passed during the call"
        else:
            why = f"the call's deadline (model.call_timeout_s={self.call_timeout_s:g}) passed"
        last_text = f"; last failure: {last.message}" if last else ""
        return ModelCallError(
            f"{why}{last_text}",
            retryable=True,
            attempts=max(1, attempts),
            error_type=last.error_type if last else "patchloop.CallTimeout",
            stopped=why,
            kind=last.kind if last else "model_unreachable",
        )


def _left(deadline: Deadline, context: CallContext) -> float | None:
    left = deadline.remaining()
    if context.deadline is not None:
        left = context.deadline.cap(left)
    return left


def _check(context: CallContext) -> None:
    if context.cancel is not None:
        context.cancel.check()


def _call_error(failure: Failure, attempts: int, *, retryable: bool, stopped: str = "") -> ModelCallError:
    message = f"{failure.message} ({stopped})" if stopped else failure.message
    return ModelCallError(
        message,
        retryable=retryable,
        attempts=attempts,
        error_type=failure.error_type,
        stopped=stopped,
        kind=failure.kind,
    )
