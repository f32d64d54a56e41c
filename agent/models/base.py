"""The model seam: what the loop asks of a model and the typed errors a model raises."""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

# re-exported: the one canonical request hash, defined with the trajectory schema
from trajectories.trajectory import message_line, request_sha256  # noqa: F401


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


@runtime_checkable
class Model(Protocol):
    name: str

    def query(self, messages: list[dict], tools: list[dict]) -> ModelReply:
        """Answer the conversation; ``messages`` must not be mutated."""
        ...


class ModelError(Exception):
    """A model could not answer (base class of every model error)."""

    retryable: bool = False
    attempts: int = 1


class ContextWindowError(ModelError):
    """The request does not fit the model's context window; retrying cannot help."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class ModelCallError(ModelError):
    """A call failed: ``retryable`` says whether the cause was transient (and retries ran out)."""

    def __init__(self, message: str, *, retryable: bool, attempts: int = 1, error_type: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.attempts = attempts
        self.error_type = error_type or type(self).__name__


@dataclass(frozen=True)
class AttemptFailure:
    """One failed attempt that will be retried after ``wait_s`` seconds."""

    error_type: str
    message: str
    attempt: int
    wait_s: float


# A model with retries calls this for every failed attempt it retries.
AttemptCallback = Callable[[AttemptFailure], None]


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
