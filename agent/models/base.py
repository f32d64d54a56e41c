"""The model seam: what the loop asks of a model, one answer, and the typed errors.

A model is anything with ``name``, ``kind``, ``mode``, ``params`` and
``query(messages, tools, context)``: the :class:`Model` protocol declares every member the
loop uses. ``context`` (a :class:`CallContext`) is per call, so one model object can serve
several runs at once: it carries the run's cancel token and deadline and the listener of
retried attempts.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from patchloop.errors import InfraError, InfraKind, PatchloopError, UserError

# re-exported: the one canonical request hash, defined with the trajectory schema
from trajectories.trajectory import message_line, request_sha256  # noqa: F401

if TYPE_CHECKING:
    from patchloop.cancel import Cancel, Deadline

ModelMode = Literal["tools", "text"]


class Usage(BaseModel):
    """Token counts of one call; ``cached_tokens`` is a subset of ``prompt_tokens``."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cached_tokens: int = Field(default=0, ge=0)


class ModelReply(BaseModel):
    """One answer of a model, with what it cost."""

    model_config = ConfigDict(extra="forbid")

    message: dict[str, Any]  # OpenAI assistant message: role, content, tool_calls
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None  # None when the model has no known price
    latency_ms: float = 0.0
    attempts: int = Field(default=1, ge=1)
    response_id: str | None = None
    finish_reason: str | None = None


@dataclass(frozen=True)
class AttemptFailure:
    """One failed attempt that will be retried after ``wait_s`` seconds."""

    error_type: str
    message: str
    attempt: int
    wait_s: float


# Told about every failed attempt that is retried.
AttemptCallback = Callable[[AttemptFailure], None]


@dataclass(frozen=True)
class CallContext:
    """What one ``query`` gets besides the conversation.

    ``cancel`` cuts the call short (the model raises ``patchloop.cancel.Cancelled``);
    ``deadline`` is the run's own (``agent.time_limit_s``): the call, retries included,
    ends by then; ``on_retry`` hears of every retried attempt (the loop records each as an
    ``error`` event).
    """

    cancel: Cancel | None = None
    deadline: Deadline | None = None
    on_retry: AttemptCallback | None = None

    def retried(self, failure: AttemptFailure) -> None:
        if self.on_retry is not None:
            self.on_retry(failure)


NO_CONTEXT = CallContext()


@runtime_checkable
class Model(Protocol):
    """Everything the loop uses of a model."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str:
        """How it is served (``run_start.model.kind``): litellm, scripted, replay, human..."""
        ...

    @property
    def mode(self) -> ModelMode:
        """``tools`` (function calling) or ``text`` (fenced bash blocks); shapes the prompts."""
        ...

    @property
    def params(self) -> dict[str, Any]:
        """What ``run_start.model.params`` records (never a key, only its variable's name)."""
        ...

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        """Answer the conversation; ``messages`` must not be mutated."""
        ...


class ModelError(PatchloopError):
    """A model could not answer (base class of every model error)."""

    retryable: bool = False
    attempts: int = 1
    error_type: str = ""


class ModelSpecError(ModelError, UserError):
    """A ``--model`` spec or the file it names is unusable (the message says what to change)."""


class ContextWindowError(ModelError):
    """The request does not fit the model's context window; retrying cannot help."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class ModelCallError(ModelError, InfraError):
    """A call failed: ``retryable`` says whether the cause was transient (then the retries
    ran out: ``stopped`` says why), ``kind`` which part of the infrastructure failed."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        attempts: int = 1,
        error_type: str = "",
        stopped: str = "",
        kind: InfraKind = "model_unreachable",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable
        self.attempts = attempts
        self.error_type = error_type or type(self).__name__
        self.stopped = stopped


class RequestHasher:
    """``request_sha256`` of successive requests of one run, each message serialised once.

    While a request only appends to the previous one (the same message objects, then new
    ones), only the new messages are hashed; when an earlier message was replaced (a
    compaction puts a new dict in its place) or removed, the whole request is hashed again.
    The prefix check compares object identity, so a step stays cheap at step 1000.
    """

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._seen: list[dict] = []

    def hexdigest(self, messages: list[dict]) -> str:
        n = len(self._seen)
        if len(messages) < n or not all(map(operator.is_, messages[:n], self._seen)):
            self._digest = hashlib.sha256()
            self._seen = []
            n = 0
        for message in messages[n:]:
            self._digest.update(message_line(message))
            self._seen.append(message)
        return self._digest.hexdigest()
