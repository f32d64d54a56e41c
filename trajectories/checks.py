"""Cross-event checks beyond one line's schema: links between events, rebuildability.

The reader already guarantees seq order, run_start first and valid lines; these checks
find what only the whole file shows. Line numbers: event ``seq`` N is on line N + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.errors import TrajectoryError
from trajectories.events import ModelCall, ToolCall, ToolResult, hash_is_exact
from trajectories.trajectory import Trajectory, apply_event, request_sha256


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str
    fatal: bool = True  # False: a note (e.g. a hash that redaction may have changed)


def check_links(traj: Trajectory) -> list[Problem]:
    problems: list[Problem] = []
    by_seq = {e.seq: e for e in traj.events}
    for event in traj.events:
        line = event.seq + 1
        if event.parent is not None:
            parent = by_seq.get(event.parent)
            if parent is None or event.parent >= event.seq:
                problems.append(Problem(line, f"parent {event.parent} is not an earlier event"))
                continue
        if isinstance(event, ToolCall) and event.parent is not None:
            parent = by_seq[event.parent]
            if not isinstance(parent, ModelCall):
                problems.append(
                    Problem(line, f"tool_call's parent {event.parent} is a {parent.type}, not a model_call")
                )
        if isinstance(event, ToolResult) and event.parent is not None:
            parent = by_seq[event.parent]
            if not isinstance(parent, ToolCall):
                problems.append(
                    Problem(line, f"tool_result's parent {event.parent} is a {parent.type}, not a tool_call")
                )
            elif parent.tool_call_id != event.tool_call_id:
                problems.append(
                    Problem(
                        line,
                        f"tool_result answers {event.tool_call_id!r} but its parent is call {parent.tool_call_id!r}",
                    )
                )
    messages: list[dict] = list(traj.run_start.messages)
    for event in traj.events[1:]:
        if isinstance(event, ModelCall):
            if event.request.n_messages != len(messages):
                problems.append(
                    Problem(
                        event.seq + 1,
                        f"request.n_messages is {event.request.n_messages} but the rebuilt request of step "
                        f"{event.step} has {len(messages)} messages",
                    )
                )
            elif event.request.sha256 != request_sha256(messages):
                problems.append(hash_problem(event))
        try:
            apply_event(messages, event)
        except TrajectoryError as exc:
            problems.append(Problem(event.seq + 1, exc.reason))
            break
    return problems


def hash_problem(event: ModelCall) -> Problem:
    """A request hash that does not match the rebuild: an error from schema v2 on (the file
    holds exactly what was sent), a note in a v1 file (its writer redacted after sending)."""
    if hash_is_exact(event.v):
        return Problem(
            event.seq + 1,
            f"request.sha256 differs from the rebuilt request of step {event.step}: the file does not "
            "hold what the model was sent",
        )
    return Problem(
        event.seq + 1,
        f"request.sha256 differs from the rebuilt request of step {event.step} "
        "(expected in a schema v1 file when a secret in the messages was redacted)",
        fatal=False,
    )
