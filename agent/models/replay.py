"""ReplayModel: answers with the responses recorded in a trajectory file, in order."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.models.base import ModelError, ModelReply, RequestHasher, Usage

if TYPE_CHECKING:
    from trajectories.events import ModelCall


class ReplayModel:
    """Serves every ``model_call.response`` of a trajectory in ``seq`` order.

    Usage and cost are the recorded ones, so a replayed run's totals match the original.
    With ``strict=True`` a request that differs from the recorded one (by
    ``request.sha256``) raises ModelError; otherwise the differences are counted in
    ``divergences`` (step numbers). The request is hashed incrementally (RequestHasher),
    so checking it costs the same at step 1000 as at step 1.
    """

    kind = "replay"

    def __init__(self, path: str | Path, *, strict: bool = False, name: str | None = None) -> None:
        from trajectories.errors import TrajectoryError
        from trajectories.reader import read_events

        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"replay trajectory {self.path} does not exist")
        self.strict = strict
        self.name = name or f"replay:{self.path.name}"
        try:
            self._calls = [event for event in read_events(self.path) if event.type == "model_call"]
        except TrajectoryError as exc:
            raise ModelError(f"--model replay: needs a trajectory file: {exc}") from None
        if not self._calls:
            raise ModelError(f"{self.path} holds no model_call event to replay")
        self._next = 0
        self._hasher = RequestHasher()
        self.divergences: list[int] = []

    @property
    def params(self) -> dict[str, Any]:
        return {"source": str(self.path), "n_replies": len(self._calls), "strict": self.strict}

    def query(self, messages: list[dict], tools: list[dict]) -> ModelReply:
        if self._next >= len(self._calls):
            raise ModelError(f"{self.path}: all {len(self._calls)} recorded model calls were replayed; none left")
        event = self._calls[self._next]
        self._next += 1
        if self._hasher.hexdigest(messages) != event.request.sha256:
            if self.strict:
                raise ModelError(
                    f"{self.path}: the request of call {self._next} (step {event.step}) differs from the recorded one"
                )
            self.divergences.append(event.step if event.step is not None else self._next)
        return recorded_reply(event, latency_ms=0.0, attempts=1)


def recorded_reply(call: ModelCall, *, latency_ms: float, attempts: int) -> ModelReply:
    """The reply a recorded ``model_call`` event holds (a copy), with its usage and cost."""
    return ModelReply(
        message=copy.deepcopy(call.response),
        usage=Usage(**call.usage.model_dump()),
        cost_usd=call.cost_usd,
        latency_ms=latency_ms,
        attempts=attempts,
        response_id=call.response_id,
        finish_reason=call.finish_reason,
    )
