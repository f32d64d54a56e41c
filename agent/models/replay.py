"""ReplayModel: a CannedModel of the replies recorded in a trajectory file, in order."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.models.base import ModelReply, ModelSpecError, Usage
from agent.models.canned import CannedModel, Outcome

if TYPE_CHECKING:
    from trajectories.events import ModelCall


class ReplayModel(CannedModel):
    """Serves every ``model_call.response`` of a trajectory in ``seq`` order.

    Usage and cost are the recorded ones, so a replayed run's totals match the original.
    With ``strict=True`` a request that differs from the recorded one (by
    ``request.sha256``) raises ModelError; otherwise the differing steps are listed in
    ``divergences``. The request is hashed incrementally (RequestHasher), so checking it
    costs the same at step 1000 as at step 1.
    """

    kind = "replay"

    def __init__(self, path: str | Path, *, strict: bool = False, name: str | None = None) -> None:
        from trajectories.errors import TrajectoryError
        from trajectories.reader import read_events

        self.path = Path(path)
        if not self.path.is_file():
            raise ModelSpecError(f"replay trajectory {self.path} does not exist")
        try:
            calls = [event for event in read_events(self.path) if event.type == "model_call"]
        except TrajectoryError as exc:
            raise ModelSpecError(f"--model replay: needs a trajectory file: {exc}") from None
        if not calls:
            raise ModelSpecError(f"{self.path} holds no model_call event to replay")
        outcomes = [
            Outcome(reply=recorded_reply(call, latency_ms=0.0, attempts=1), sha256=call.request.sha256, step=call.step)
            for call in calls
        ]
        super().__init__(
            outcomes,
            name=name or f"replay:{self.path.name}",
            strict=strict,
            exhausted=f"{self.path}: all {len(outcomes)} recorded model calls were replayed; none left",
        )

    @property
    def params(self) -> dict[str, Any]:
        return {"source": str(self.path), "n_replies": len(self._outcomes), "strict": self.strict}


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
