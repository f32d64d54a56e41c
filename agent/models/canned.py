"""CannedModel: the one model that answers from a fixed script.

A script is a list of :class:`Outcome`: what one ``query`` does. It may first report
retried attempts (to the call's ``on_retry``, so the loop records the same ``error``
events), then returns a reply or raises an error. An outcome may carry the request hash
it was recorded with: the request is then checked (``strict``: a ModelError; otherwise
the step is listed in ``divergences``).

Its loaders are :class:`agent.models.scripted.ScriptedModel` (assistant messages from a
list or a file), :class:`agent.models.replay.ReplayModel` (the replies of a trajectory)
and the offline replay's script (``agent.replay.script``: replies, retries and errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.models.base import (
    NO_CONTEXT,
    AttemptFailure,
    CallContext,
    ModelError,
    ModelMode,
    ModelReply,
    RequestHasher,
)


@dataclass
class Outcome:
    reply: ModelReply | None = None
    error: ModelError | None = None
    retries: list[AttemptFailure] = field(default_factory=list)
    sha256: str | None = None  # the recorded request hash; None: not checked
    step: int | None = None  # the recorded step, named in divergences


class CannedModel:
    kind = "canned"

    def __init__(
        self,
        outcomes: list[Outcome],
        *,
        name: str,
        mode: ModelMode = "tools",
        strict: bool = False,
        exhausted: str = "",
    ) -> None:
        self.name = name
        self._mode: ModelMode = mode
        self.strict = strict
        self._outcomes = outcomes
        self._next = 0
        self._hasher = RequestHasher()
        self._exhausted = exhausted or f"{name}: all {len(outcomes)} canned replies were used; none left"
        self.divergences: list[int] = []

    @property
    def mode(self) -> ModelMode:
        return self._mode

    @property
    def params(self) -> dict[str, Any]:
        return {"n_outcomes": len(self._outcomes)}

    @property
    def remaining(self) -> int:
        return len(self._outcomes) - self._next

    def query(self, messages: list[dict], tools: list[dict], context: CallContext = NO_CONTEXT) -> ModelReply:
        if self._next >= len(self._outcomes):
            raise ModelError(self._exhausted)
        outcome = self._outcomes[self._next]
        self._next += 1
        if outcome.sha256 is not None and self._hasher.hexdigest(messages) != outcome.sha256:
            step = outcome.step if outcome.step is not None else self._next
            if self.strict:
                raise ModelError(
                    f"{self.name}: the request of call {self._next} (step {step}) differs from the recorded one"
                )
            self.divergences.append(step)
        for retry in outcome.retries:
            context.retried(retry)
        if outcome.error is not None:
            raise outcome.error
        assert outcome.reply is not None
        return outcome.reply.model_copy(deep=True)
