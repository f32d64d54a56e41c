"""``Trajectory``: one run's events in memory, grouped into steps, with the message rebuild.

Message rebuild (what the model saw): ``run_start.messages``, then in ``seq`` order each
``model_call.response`` appended as the assistant message; each ``tool_result`` appended
as ``{"role": "tool", "tool_call_id", "content"}``; each ``error`` with a ``feedback``
appended as a user message; each ``context`` event replacing the content of the listed
indexes by its ``replacement``. The request of step N is the list just before step N's
``model_call`` (for a step whose model call failed: just before its first event that is
not a ``context`` event).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trajectories.errors import TrajectoryError
from trajectories.events import (
    Context,
    Error,
    Event,
    ModelCall,
    RunEnd,
    RunStart,
    ToolCall,
    ToolResult,
)


def message_line(message: dict[str, Any]) -> bytes:
    """One message as it enters ``request.sha256``: canonical JSON (sorted keys, no spaces,
    UTF-8) and a newline."""
    line = json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return line.encode("utf-8", errors="surrogatepass") + b"\n"


def request_sha256(messages: Sequence[dict[str, Any]]) -> str:
    """``model_call.request.sha256``: sha256 over ``message_line`` of each message, in order.
    The agent hashes with these same functions."""
    digest = hashlib.sha256()
    for message in messages:
        digest.update(message_line(message))
    return digest.hexdigest()


@dataclass
class Step:
    """The events of one agent turn."""

    number: int
    events: list[Event] = field(default_factory=list)

    @property
    def model_call(self) -> ModelCall | None:
        return next((e for e in self.events if isinstance(e, ModelCall)), None)

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [e for e in self.events if isinstance(e, ToolCall)]

    @property
    def tool_results(self) -> list[ToolResult]:
        return [e for e in self.events if isinstance(e, ToolResult)]

    @property
    def errors(self) -> list[Error]:
        return [e for e in self.events if isinstance(e, Error)]

    @property
    def contexts(self) -> list[Context]:
        return [e for e in self.events if isinstance(e, Context)]

    @property
    def prompt_tokens(self) -> int:
        return sum(e.usage.prompt_tokens for e in self.events if isinstance(e, ModelCall))

    @property
    def completion_tokens(self) -> int:
        return sum(e.usage.completion_tokens for e in self.events if isinstance(e, ModelCall))

    @property
    def cached_tokens(self) -> int:
        return sum(e.usage.cached_tokens for e in self.events if isinstance(e, ModelCall))

    @property
    def cost_usd(self) -> float | None:
        """Sum of known costs; None when any model call of the step has no price."""
        costs = [e.cost_usd for e in self.events if isinstance(e, ModelCall)]
        if any(c is None for c in costs):
            return None
        return sum(c for c in costs if c is not None)


@dataclass
class Totals:
    steps: int
    model_calls: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    cost_usd: float | None  # None when any call had an unknown price
    tool_calls: int
    errors: int


def apply_event(messages: list[dict[str, Any]], event: Event) -> None:
    """Advance the rebuilt message list by one event (the rebuild rule)."""
    if isinstance(event, ModelCall):
        messages.append(copy.deepcopy(event.response))
    elif isinstance(event, ToolResult):
        messages.append({"role": "tool", "tool_call_id": event.tool_call_id, "content": event.content})
    elif isinstance(event, Error) and event.feedback is not None:
        messages.append({"role": "user", "content": event.feedback})
    elif isinstance(event, Context):
        for index in event.compacted:
            if not 0 <= index < len(messages):
                raise TrajectoryError(
                    f"context event seq {event.seq} compacts message {index}, but only "
                    f"{len(messages)} messages exist at that point"
                )
            messages[index] = {**messages[index], "content": event.replacement}


class Trajectory:
    """A loaded run. ``torn`` says the file's last line was cut off and skipped."""

    def __init__(self, events: Sequence[Event], *, path: Path | None = None, torn_line: int | None = None):
        if not events or not isinstance(events[0], RunStart):
            raise TrajectoryError("a trajectory starts with a run_start event", path=path)
        self.events: list[Event] = list(events)
        self.path = path
        self.torn_line = torn_line

    @property
    def torn(self) -> bool:
        return self.torn_line is not None

    @property
    def run_start(self) -> RunStart:
        first = self.events[0]
        assert isinstance(first, RunStart)
        return first

    @property
    def run_end(self) -> RunEnd | None:
        last = self.events[-1]
        return last if isinstance(last, RunEnd) else None

    @property
    def run_id(self) -> str:
        return self.run_start.run_id

    @property
    def finished(self) -> bool:
        return self.run_end is not None

    def steps(self) -> list[Step]:
        """Steps in order of first appearance (events with ``step`` null are left out)."""
        by_number: dict[int, Step] = {}
        for event in self.events:
            if event.step is None:
                continue
            by_number.setdefault(event.step, Step(event.step)).events.append(event)
        return list(by_number.values())

    def step(self, number: int) -> Step:
        for s in self.steps():
            if s.number == number:
                return s
        raise TrajectoryError(f"no step {number}; steps here: {self._step_range()}", path=self.path)

    def _step_range(self) -> str:
        numbers = [s.number for s in self.steps()]
        return f"{numbers[0]}..{numbers[-1]}" if numbers else "none"

    def _walk(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        messages = copy.deepcopy(self.run_start.messages)
        seen: set[int] = set()
        for event in self.events[1:]:
            if event.step is not None and event.step not in seen and not isinstance(event, Context):
                seen.add(event.step)
                yield event.step, messages
            apply_event(messages, event)

    def requests(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(step, messages)`` for every step in one pass: the request the model saw.
        The lists are shallow copies sharing message dicts: read them, do not mutate."""
        for number, messages in self._walk():
            yield number, list(messages)

    def messages_at(self, step: int) -> list[dict[str, Any]]:
        """The exact message list the model was sent at ``step`` (a private copy)."""
        for number, messages in self._walk():
            if number == step:
                return copy.deepcopy(messages)
        raise TrajectoryError(f"no step {step}; steps here: {self._step_range()}", path=self.path)

    def messages(self) -> list[dict[str, Any]]:
        """The message list after the last event (what a next request would start from)."""
        messages = copy.deepcopy(self.run_start.messages)
        for event in self.events[1:]:
            apply_event(messages, event)
        return messages

    def totals(self) -> Totals:
        calls = [e for e in self.events if isinstance(e, ModelCall)]
        costs = [c.cost_usd for c in calls]
        return Totals(
            steps=len(self.steps()),
            model_calls=len(calls),
            prompt_tokens=sum(c.usage.prompt_tokens for c in calls),
            completion_tokens=sum(c.usage.completion_tokens for c in calls),
            cached_tokens=sum(c.usage.cached_tokens for c in calls),
            cost_usd=None if any(c is None for c in costs) else sum(c for c in costs if c is not None),
            tool_calls=sum(isinstance(e, ToolCall) for e in self.events),
            errors=sum(isinstance(e, Error) for e in self.events),
        )
