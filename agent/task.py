"""What a run is given (Task) and what it gives back (RunResult)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.models.base import Usage
from trajectories.events import ExitStatus  # the closed set, defined once with the schema

__all__ = ["AgentEvent", "ExitStatus", "RunResult", "Task"]


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    instance_id: str | None = None
    dataset: str | None = None
    repo: str | None = None
    base_commit: str | None = Field(default=None, description="diff base; default: HEAD of the workdir at start")


class RunResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exit_status: ExitStatus
    reason: str
    submission: str  # the patch against the base commit ("" if none)
    steps: int
    cost_usd: float | None  # None when no call had a known price
    tokens: Usage
    wall_s: float
    run_id: str = ""


@dataclass(frozen=True)
class AgentEvent:
    """What a callback receives: one recorded event."""

    type: str
    seq: int
    step: int | None
    parent: int | None
    payload: dict[str, Any] = field(default_factory=dict)
